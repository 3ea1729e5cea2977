// Rate control: codes with as few levels as a quality target allows, in the fewest entropy-coded bits (DeepCABAC's
// idea: choose the step, not the code width). The target holds for the tensor's channels on average (channelSqnr),
// not only for the tensor as a whole. Two families compete: int8 codes whose scale is max|x| / L per channel or per
// block, for one L in 1..127 (every channel keeps about the same relative precision); and one step for the whole
// tensor, with any number of levels up to 65,536 (8- or 16-bit codes read as q·step + min, the TF.js uint8/uint16
// form) — fewer bits where the channels are alike, and the way to targets int8 cannot reach (else float16, 14 bits).
import type { Kernels } from '../../wasm/kernels';
import { dequantizeAffine, fitScale, quantizeAffine } from './affine';
import { errorStats } from './error-stats';
import { isTfjsCodes } from './tfjs';
import { affineLayout, forEachParam, type AffineLayout } from './layout';
import type { QuantizedTensor, QuantStats, TfjsCodes } from './types';

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

/** Codes on one step for the whole tensor, with the error they leave. */
export type UniformCodes = TfjsCodes & { stats: QuantStats };

/** Bits the entropy stage needs for int8 codes at best: their order-0 entropy, each code at least one bit. */
export function codeBits(codes: Int8Array): number {
  return planeBits(new Uint8Array(codes.buffer, codes.byteOffset, codes.length), 1);
}

/** What Huffman codes of each of `width` byte planes store at best, summed: −log2 p bits for a byte of probability
 *  p, but at least 1 bit (a plane of one value costs nothing) — the high byte of 16-bit codes over a few hundred
 *  steps takes two or three values, and Huffman spends a whole bit on each where their entropy is far less. */
function planeBits(bytes: Uint8Array, width: number): number {
  let bits = 0;
  const n = bytes.length / width;
  for (let plane = 0; plane < width; plane++) {
    const counts = new Float64Array(256);
    for (let i = plane; i < bytes.length; i += width) counts[bytes[i]]++;
    if (counts.some((c) => c === n)) continue;
    for (const c of counts) if (c > 0) bits += c * Math.max(1, -Math.log2(c / n));
  }
  return bits;
}

/** The stored bits of codes (entropy-coded) and their scales. */
function storedBits(q: QuantizedTensor | UniformCodes): number {
  if (isTfjsCodes(q)) return planeBits(new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength), q.data.BYTES_PER_ELEMENT) + 128;
  return codeBits(q.data as Int8Array) + 32 * q.scale!.length;
}

/**
 * The codes in the fewest bits that meet `target`: symmetric int8 per index along `axis` (one scale when undefined)
 * or per block of 32 along the last axis that 32 divides, each with the fewest levels that meet it; or one step for
 * the whole tensor, the largest that meets it. null when none does, or the data holds NaN or ±Inf (the caller keeps
 * more precision).
 */
export function quantizeForTarget(kernels: Kernels, data: Float32Array, shape: number[], axis: number | undefined, target: QualityTarget): QuantizedTensor | UniformCodes | null {
  for (let i = 0; i < data.length; i++) if (data[i] - data[i] !== 0) return null; // NaN, ±Inf
  let blockAxis = shape.length - 1;
  while (blockAxis >= 0 && shape[blockAxis] % BLOCK !== 0) blockAxis--;
  const layouts = [affineLayout(shape, axis, undefined)];
  if (blockAxis >= 0 && shape.length >= 2) layouts.push(affineLayout(shape, blockAxis, BLOCK));
  let best: QuantizedTensor | UniformCodes | null = null;
  const consider = (q: QuantizedTensor | UniformCodes | null) => {
    if (q && (best === null || storedBits(q) < storedBits(best))) best = q;
  };
  const channels = channelSqnr(data, shape, axis);
  const passes = (stats: QuantStats, restored: Float32Array) => meets(stats, target) && channels(restored) >= target.minSqnrDb;
  for (const layout of layouts) consider(fewestLevels(kernels, data, shape, layout, passes));
  consider(largestStep(kernels, data, shape, target.minSqnrDb, passes));
  return best;
}

/** Whether a trial's reconstruction is good enough: its stats, and the values it restores. */
type Passes = (stats: QuantStats, restored: Float32Array) => boolean;

/**
 * The SQNR of the channels along `axis` (the whole tensor as one when undefined), as 10·log10 of 1 / the mean over
 * channels of Σ(x − x̂)² / Σx² — each output channel counts the same, whatever the size of its weights: a layer's
 * output channel carries its weights' relative error, and a channel of small weights is not a less important one.
 */
function channelSqnr(data: Float32Array, shape: readonly number[], axis: number | undefined): (restored: Float32Array) => number {
  const k = axis === undefined ? -1 : axis < 0 ? axis + shape.length : axis;
  const count = k < 0 ? 1 : shape[k];
  const inner = k < 0 ? data.length : shape.slice(k + 1).reduce((n, d) => n * d, 1);
  // Sums per channel over the tensor viewed as [outer, count, inner].
  const perChannel = (term: (i: number) => number, into: Float64Array) => {
    into.fill(0);
    for (let i = 0; i < data.length;) {
      for (let c = 0; c < count; c++) {
        let sum = 0;
        for (const end = i + inner; i < end; i++) sum += term(i);
        into[c] += sum;
      }
    }
    return into;
  };
  const signal = perChannel((i) => data[i] * data[i], new Float64Array(count));
  const noise = new Float64Array(count);
  return (restored) => {
    perChannel((i) => (data[i] - restored[i]) ** 2, noise);
    let [sum, used] = [0, 0];
    for (let c = 0; c < count; c++) {
      if (signal[c] === 0) continue;
      sum += noise[c] / signal[c];
      used++;
    }
    return sum === 0 ? Infinity : -10 * Math.log10(sum / used);
  };
}

/** Codes on `layout` with the fewest levels (1..127) that meet `target`; null when 127 do not. */
function fewestLevels(kernels: Kernels, data: Float32Array, shape: number[], layout: AffineLayout, passes: Passes): QuantizedTensor | null {
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
  if (!passes(best.stats, restored)) return null;
  // The error shrinks as levels grow (up to rounding noise): bisect for the fewest that still meet the target.
  let [low, high] = [0, MAX_LEVELS];
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    const q = trial(mid);
    if (passes(q.stats, restored)) [high, best] = [mid, q];
    else low = mid;
  }
  return best;
}

/** Codes of 16 bits at most: a step finer than the range over this many steps cannot be stored. */
const MAX_CODE = 65535;
/** Halvings of the search's range of log2(step): within two octaves, the step it finds is within 2^(2/2^7) ≈ 1%
 *  (0.1 dB) of the largest that meets the target. */
const STEP_SEARCH = 7;

/** One step for the whole tensor, the largest (to within STEP_SEARCH) that meets the target, with 0 kept exact; codes
 *  of 8 bits when the range takes at most 256 steps, else 16. null when the finest 16-bit step does not meet it. */
function largestStep(kernels: Kernels, data: Float32Array, shape: number[], targetDb: number, passes: Passes): UniformCodes | null {
  let [low, high, squares] = [0, 0, 0];
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < low) low = x;
    if (x > high) high = x;
    squares += x * x;
  }
  if (high === low) return null;
  const restored = new Float32Array(data.length);
  const trial = (step: number): UniformCodes | null => {
    // The code of zero is a whole number of steps above the lowest code, so zeros come back exact.
    const zero = Math.ceil(-low / step);
    const min = -zero * step;
    if (zero + Math.round(high / step) > MAX_CODE) return null;
    const codes = zero + Math.round(high / step) <= 255 ? new Uint8Array(data.length) : new Uint16Array(data.length);
    const inverse = 1 / step;
    for (let i = 0; i < data.length; i++) {
      codes[i] = zero + Math.round(data[i] * inverse);
      restored[i] = codes[i] * step + min; // as the decoder: float64, rounded once to float32
    }
    const dtype = codes instanceof Uint8Array ? 'tfjs_uint8' : 'tfjs_uint16';
    return { dtype, shape, data: codes, scale: step, min, stats: errorStats(kernels, data, restored) };
  };
  // Rounding to a step leaves noise of step²/12: the step that meets the target on the whole tensor, and the search
  // within an octave of it — or, when that falls short (the channels of small weights ask for more), from the finest
  // 16-bit step up. log2(step) is bisected.
  const [finest, whole] = [Math.log2((high - low) / (MAX_CODE - 1)), Math.log2(high - low)];
  const guess = 0.5 * Math.log2(12 * squares / data.length) - targetDb / (20 * Math.log10(2));
  let [fine, coarse] = [Math.min(whole, Math.max(finest, guess - 1)), Math.min(whole, Math.max(finest, guess + 1))];
  let best = trial(2 ** fine);
  if (fine > finest && (best === null || !passes(best.stats, restored))) {
    [fine, coarse] = [finest, fine];
    best = trial(2 ** fine);
  }
  if (best === null || !passes(best.stats, restored)) return null;
  for (let k = 0; k < STEP_SEARCH; k++) {
    const mid = (fine + coarse) / 2;
    const q = trial(2 ** mid);
    if (q !== null && passes(q.stats, restored)) [fine, best] = [mid, q];
    else coarse = mid;
  }
  return best;
}
