// Rate control: int8 codes with as few levels as a quality target allows. Each channel's scale is max|x| / L for
// one L in 1..127 per tensor (127 is plain int8), so every channel keeps the same relative precision; fewer levels
// make the codes cheaper for the entropy coder downstream (DeepCABAC's idea: choose the step, not the code width).
import type { Kernels } from '../../wasm/kernels';
import { dequantizeAffine, fitScale, quantizeAffine } from './affine';
import { errorStats } from './error-stats';
import { affineLayout, forEachParam, type AffineLayout } from './layout';
import type { QuantizedTensor, QuantStats } from './types';

/** What a tensor's reconstruction must meet: SQNR in dB, and optionally a largest |x − x̂|. */
export interface QualityTarget {
  minSqnrDb: number;
  maxAbsError?: number;
}

export const meets = (stats: QuantStats, target: QualityTarget): boolean =>
  stats.sqnrDb >= target.minSqnrDb && (target.maxAbsError === undefined || stats.maxAbsError <= target.maxAbsError);

/** The most levels on either side of zero that int8 codes hold. */
const MAX_LEVELS = 127;

/** Scales per block of this many indices, when per-channel scales need more levels than int8 has or cost more:
 *  a block's largest value sits closer to its others than a channel's does (outliers stay in their block). */
const BLOCK = 32;

/** Bits the entropy stage needs for int8 codes at best: n times their order-0 entropy. */
export function codeBits(codes: Int8Array): number {
  const counts = new Float64Array(256);
  for (let i = 0; i < codes.length; i++) counts[codes[i] + 128]++;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= c * Math.log2(c / codes.length);
  return bits;
}

/** The stored bits of int8 codes (entropy-coded) and their float32 scales. */
const storedBits = (q: QuantizedTensor) => codeBits(q.data as Int8Array) + 32 * q.scale!.length;

/**
 * Symmetric int8 codes in the fewest bits that meet `target`: per index along `axis` (one scale when undefined), or
 * per block of 32 along the last axis that 32 divides, each with the fewest levels that meet it. null when neither
 * does with 127 levels, or the data holds NaN or ±Inf (the caller keeps more precision).
 */
export function quantizeForTarget(kernels: Kernels, data: Float32Array, shape: number[], axis: number | undefined, target: QualityTarget): QuantizedTensor | null {
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) return null; // NaN, ±Inf
  let blockAxis = shape.length - 1;
  while (blockAxis >= 0 && shape[blockAxis] % BLOCK !== 0) blockAxis--;
  const layouts = [affineLayout(shape, axis, undefined)];
  if (blockAxis >= 0 && shape.length >= 2) layouts.push(affineLayout(shape, blockAxis, BLOCK));
  let best: QuantizedTensor | null = null;
  for (const layout of layouts) {
    const q = fewestLevels(kernels, data, shape, layout, target);
    if (q && (best === null || storedBits(q) < storedBits(best))) best = q;
  }
  return best;
}

/** Codes on `layout` with the fewest levels (1..127) that meet `target`; null when 127 do not. */
function fewestLevels(kernels: Kernels, data: Float32Array, shape: number[], layout: AffineLayout, target: QualityTarget): QuantizedTensor | null {
  const magnitudes = new Float64Array(layout.paramCount);
  forEachParam(layout, (e, p) => {
    const m = Math.abs(data[e]);
    if (m > magnitudes[p]) magnitudes[p] = m;
  });
  const restored = new Float32Array(data.length);
  const zeroPoints = new Int32Array(layout.paramCount);
  const trial = (levels: number): QuantizedTensor => {
    const scale = Float32Array.from(magnitudes, (m) => fitScale(m, levels));
    const codes = quantizeAffine(kernels, data, layout, 'int8', scale, zeroPoints) as Int8Array;
    dequantizeAffine(kernels, codes, layout, 'int8', scale, null, restored);
    return { dtype: 'int8', shape, data: codes, scale, zeroPoint: null, axis: layout.axis, blockSize: layout.block, stats: errorStats(kernels, data, restored) };
  };
  let best = trial(MAX_LEVELS);
  if (!meets(best.stats, target)) return null;
  // The error shrinks as levels grow (up to rounding noise): bisect for the fewest that still meet the target.
  let [low, high] = [0, MAX_LEVELS];
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    const q = trial(mid);
    if (meets(q.stats, target)) [high, best] = [mid, q];
    else low = mid;
  }
  return best;
}
