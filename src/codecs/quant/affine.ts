// Affine integer types (ONNX QuantizeLinear / DequantizeLinear): choosing scales and zero points, and running the
// kernels of assembly/affine.ts a chunk at a time. 4-bit codes are packed two per byte, low nibble first.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { allocateForOverwrite } from '../output-bytes';
import { ChunkOutput } from '../chunk-output';
import { roundHalfEven } from './round';
import { forEachParam, paramRange, position, type AffineLayout } from './layout';

export type AffineDtype = 'int8' | 'uint8' | 'int4' | 'uint4';

interface AffineType {
  qmin: number;
  qmax: number;
  nibbles: boolean;
  /** Symmetric quantization: scale = max|x| / symmetricRange, zero point fixed at symmetricZero. */
  symmetricRange: number;
  symmetricZero: number;
}

export const AFFINE_TYPES: Record<AffineDtype, AffineType> = {
  int8: { qmin: -128, qmax: 127, nibbles: false, symmetricRange: 127, symmetricZero: 0 },
  uint8: { qmin: 0, qmax: 255, nibbles: false, symmetricRange: 127, symmetricZero: 128 },
  int4: { qmin: -8, qmax: 7, nibbles: true, symmetricRange: 7, symmetricZero: 0 },
  uint4: { qmin: 0, qmax: 15, nibbles: true, symmetricRange: 7, symmetricZero: 8 },
};

/** Elements per kernel call: even (4-bit pairs), and small enough that a chunk's buffers stay in cache. */
const CHUNK = 65536;

export function isSigned(dtype: AffineDtype): boolean {
  return AFFINE_TYPES[dtype].qmin < 0;
}

/** Codes per dtype: Int8Array for the signed types, Uint8Array (packed for 4-bit) otherwise. */
export function codeBytes(dtype: AffineDtype, count: number): number {
  return AFFINE_TYPES[dtype].nibbles ? Math.ceil(count / 2) : count;
}

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

/** The positive float32 one step away from positive float32 `x` (step +1 or −1). */
function stepFloat(x: number, step: 1 | -1): number {
  asFloat[0] = x;
  bits[0] += step;
  return asFloat[0];
}

/** The float32 scale for `span` code steps to cover `extent`: the quotient rounded to nearest, or one step up when
 *  that falls short (so that no value is clipped by more than half a step); never 0; never so large that span·scale
 *  overflows float32 when dequantized. */
export function fitScale(extent: number, span: number): number {
  if (extent === 0) return 1;
  let scale = Math.fround(extent / span);
  if (scale * span < extent) scale = stepFloat(scale, 1);
  if (scale === 0) scale = 2 ** -149;
  while (!Number.isFinite(Math.fround(span * scale))) scale = stepFloat(scale, -1);
  return scale;
}

/** Scales and zero points from the range of the values each parameter covers (data known finite). */
export function chooseParams(data: Float32Array, layout: AffineLayout, dtype: AffineDtype, symmetric: boolean):
  { scale: Float32Array; zeroPoint: Int32Array } {
  const lows = new Float64Array(layout.paramCount).fill(Infinity);
  const highs = new Float64Array(layout.paramCount).fill(-Infinity);
  forEachParam(layout, (e, p) => {
    const v = data[e];
    if (v < lows[p]) lows[p] = v;
    if (v > highs[p]) highs[p] = v;
  });
  const type = AFFINE_TYPES[dtype];
  const scale = new Float32Array(layout.paramCount);
  const zeroPoint = new Int32Array(layout.paramCount);
  for (let p = 0; p < layout.paramCount; p++) {
    // Zero is always in the range, so that zeros (padding, pruned weights) come back exact.
    const low = Math.min(lows[p], 0);
    const high = Math.max(highs[p], 0);
    if (symmetric) {
      scale[p] = fitScale(Math.max(-low, high), type.symmetricRange);
      zeroPoint[p] = type.symmetricZero;
    } else {
      scale[p] = fitScale(high - low, type.qmax - type.qmin);
      zeroPoint[p] = Math.min(type.qmax, Math.max(type.qmin, roundHalfEven(type.qmin - low / scale[p])));
    }
  }
  return { scale, zeroPoint };
}

/**
 * The scales, zero points and layout record the kernels read, staged in the arena for one pass over `total`
 * elements. Small parameter sets are copied once; large ones (fine blocks) a window per chunk. Take it after the
 * pass's other buffers: it allocates last, so that the memory cannot grow (and detach views) during the pass.
 * With `only` = [start, count], it serves that one range of elements (a container chunk) and nothing else.
 */
export class ParamStage {
  readonly layoutAt: number;
  readonly scales: number;
  readonly zeroPoints: number;
  private readonly whole: boolean;
  private readonly record: Int32Array;
  private readonly scaleView: Float32Array;
  private readonly zeroView: Int32Array;

  constructor(kernels: Kernels, private readonly layout: AffineLayout, total: number, private readonly scale: Float32Array,
    private readonly zeroPoint: Int32Array | Int8Array | Uint8Array | null, only?: [number, number]) {
    this.whole = layout.paramCount <= 2 * CHUNK;
    let width = layout.paramCount;
    if (!this.whole && only !== undefined) {
      const [lo, hi] = paramRange(layout, only[0], only[1]);
      width = hi - lo;
    } else if (!this.whole) {
      width = 0;
      for (let start = 0; start < total; start += CHUNK) {
        const [lo, hi] = paramRange(layout, start, Math.min(CHUNK, total - start));
        width = Math.max(width, hi - lo);
      }
    }
    this.layoutAt = kernels.alloc(kernels.exports.affineLayoutBytes());
    this.scales = kernels.alloc(width * 4);
    this.zeroPoints = kernels.alloc(width * 4);
    const memory = kernels.exports.memory.buffer;
    this.record = new Int32Array(memory, this.layoutAt, 10);
    this.scaleView = new Float32Array(memory, this.scales, width);
    this.zeroView = new Int32Array(memory, this.zeroPoints, width);
    this.zeroView.fill(0);
    if (this.whole) this.copy(0, layout.paramCount);
  }

  private copy(lo: number, hi: number): void {
    this.scaleView.set(this.scale.subarray(lo, hi));
    if (this.zeroPoint !== null) this.zeroView.set(this.zeroPoint.subarray(lo, hi));
  }

  /** Points the kernel at elements [start, start + count): their parameters and where they sit in the layout. */
  select(start: number, count: number): void {
    let base = 0;
    if (!this.whole) {
      const [lo, hi] = paramRange(this.layout, start, count);
      this.copy(lo, hi);
      base = lo;
    }
    const { layout, record } = this;
    const [o, a, i] = position(layout, start);
    record[0] = o; record[1] = a; record[2] = i;
    record[3] = layout.axisLength; record[4] = layout.inner; record[5] = layout.blockSize;
    record[6] = layout.outerStride; record[7] = layout.axisStride; record[8] = layout.innerStride; record[9] = base;
  }
}

/** float32 → codes (Int8Array, or Uint8Array for uint8 and packed 4-bit). */
export function quantizeAffine(kernels: Kernels, data: Float32Array, layout: AffineLayout, dtype: AffineDtype,
  scale: Float32Array, zeroPoint: Int32Array): Int8Array | Uint8Array {
  const type = AFFINE_TYPES[dtype];
  const total = data.length;
  const bytes = allocateForOverwrite(codeBytes(dtype, total));
  const input = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  kernels.reset();
  try {
    const src = kernels.alloc(CHUNK * 4);
    const codes = kernels.alloc(CHUNK);
    const packed = kernels.alloc(CHUNK / 2);
    const stage = new ParamStage(kernels, layout, total, scale, zeroPoint);
    const heap = kernels.heap;
    for (let start = 0; start < total; start += CHUNK) {
      const count = Math.min(CHUNK, total - start);
      stage.select(start, count);
      heap.set(input.subarray(start * 4, (start + count) * 4), src);
      check(kernels.exports.quantizeLinear(src, count, codes, count, stage.layoutAt, stage.scales, stage.zeroPoints, type.qmin, type.qmax));
      if (type.nibbles) {
        const written = check(kernels.exports.packNibbles(codes, count, packed, CHUNK / 2));
        bytes.set(heap.subarray(packed, packed + written), start / 2);
      } else {
        bytes.set(heap.subarray(codes, codes + count), start);
      }
    }
  } finally {
    kernels.reset();
  }
  return isSigned(dtype) && !type.nibbles ? new Int8Array(bytes.buffer, 0, total) : bytes;
}

/** codes → float32 into `out` (already checked: length, scales finite and positive, zero points in range). */
export function dequantizeAffine(kernels: Kernels, codes: Int8Array | Uint8Array, layout: AffineLayout,
  dtype: AffineDtype, scale: Float32Array, zeroPoint: Int8Array | Uint8Array | null, out: Float32Array): void {
  const type = AFFINE_TYPES[dtype];
  const signed = isSigned(dtype) ? 1 : 0;
  const total = out.length;
  const input = new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
  const output = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  kernels.reset();
  try {
    const src = kernels.alloc(CHUNK);
    const packed = kernels.alloc(CHUNK / 2);
    const dst = new ChunkOutput(kernels, output, CHUNK * 4, codes);
    const stage = new ParamStage(kernels, layout, total, scale, zeroPoint);
    const heap = kernels.heap;
    for (let start = 0; start < total; start += CHUNK) {
      const count = Math.min(CHUNK, total - start);
      stage.select(start, count);
      if (type.nibbles) {
        heap.set(input.subarray(start / 2, (start + count + 1) >> 1), packed);
        check(kernels.exports.unpackNibbles(packed, count, src, CHUNK, signed));
      } else {
        heap.set(input.subarray(start, start + count), src);
      }
      check(kernels.exports.dequantizeLinear(src, count, dst.at(start * 4), count, stage.layoutAt, stage.scales, stage.zeroPoints, signed));
      dst.commit(start * 4, count * 4);
    }
  } finally {
    kernels.reset();
  }
}

function check(status: number): number {
  if (status < 0) throw new TensorzipError('ARGUMENT', `a quantization kernel refused its arguments (status ${status})`);
  return status;
}
