// Affine integer types (ONNX QuantizeLinear / DequantizeLinear): choosing scales and zero points, and running the
// kernels of assembly/affine.ts a chunk at a time. 4-bit codes are packed two per byte, low nibble first.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { allocateForOverwrite } from '../output-bytes';
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
const CHUNK = 16384;

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
function fitScale(extent: number, span: number): number {
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

/** Writes the kernel's layout record for a call starting at element `start` whose parameters begin at `base`. */
function writeLayout(kernels: Kernels, at: number, layout: AffineLayout, start: number, base: number): void {
  const [o, a, i] = position(layout, start);
  new Int32Array(kernels.exports.memory.buffer, at, 10).set([o, a, i, layout.axisLength, layout.inner,
    layout.blockSize, layout.outerStride, layout.axisStride, layout.innerStride, base]);
}

/** Copies the parameters of elements [start, start + count) into the arena; returns their addresses. */
function placeParams(kernels: Kernels, layout: AffineLayout, start: number, count: number, scale: Float32Array,
  zeroPoint: Int32Array | Int8Array | Uint8Array | null, layoutAt: number):
  { scales: number; zeroPoints: number } {
  const [lo, hi] = paramRange(layout, start, count);
  const scales = kernels.alloc((hi - lo) * 4);
  const zeroPoints = kernels.alloc((hi - lo) * 4);
  const memory = kernels.exports.memory.buffer;
  new Float32Array(memory, scales, hi - lo).set(scale.subarray(lo, hi));
  const zeros = new Int32Array(memory, zeroPoints, hi - lo);
  if (zeroPoint === null) zeros.fill(0);
  else zeros.set(zeroPoint.subarray(lo, hi));
  writeLayout(kernels, layoutAt, layout, start, lo);
  return { scales, zeroPoints };
}

/** float32 → codes (Int8Array, or Uint8Array for uint8 and packed 4-bit). */
export function quantizeAffine(kernels: Kernels, data: Float32Array, layout: AffineLayout, dtype: AffineDtype,
  scale: Float32Array, zeroPoint: Int32Array): Int8Array | Uint8Array {
  const type = AFFINE_TYPES[dtype];
  const total = data.length;
  const bytes = allocateForOverwrite(codeBytes(dtype, total));
  kernels.reset();
  try {
    const layoutAt = kernels.alloc(kernels.exports.affineLayoutBytes());
    const src = kernels.alloc(CHUNK * 4);
    const codes = kernels.alloc(CHUNK);
    const packed = kernels.alloc(CHUNK / 2);
    const params = kernels.alloc(0);
    for (let start = 0; start < total; start += CHUNK) {
      const count = Math.min(CHUNK, total - start);
      kernels.release(params);
      const { scales, zeroPoints } = placeParams(kernels, layout, start, count, scale, zeroPoint, layoutAt);
      const heap = kernels.heap;
      heap.set(new Uint8Array(data.buffer, data.byteOffset + start * 4, count * 4), src);
      check(kernels.exports.quantizeLinear(src, count, codes, count, layoutAt, scales, zeroPoints, type.qmin, type.qmax));
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
  const signed = isSigned(dtype);
  const total = out.length;
  const input = new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
  const output = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  kernels.reset();
  try {
    const layoutAt = kernels.alloc(kernels.exports.affineLayoutBytes());
    const src = kernels.alloc(CHUNK);
    const packed = kernels.alloc(CHUNK / 2);
    const dst = kernels.alloc(CHUNK * 4);
    const params = kernels.alloc(0);
    for (let start = 0; start < total; start += CHUNK) {
      const count = Math.min(CHUNK, total - start);
      kernels.release(params);
      const { scales, zeroPoints } = placeParams(kernels, layout, start, count, scale, zeroPoint, layoutAt);
      const heap = kernels.heap;
      if (type.nibbles) {
        heap.set(input.subarray(start / 2, (start + count + 1) >> 1), packed);
        check(kernels.exports.unpackNibbles(packed, count, src, CHUNK, signed ? 1 : 0));
      } else {
        heap.set(input.subarray(start, start + count), src);
      }
      check(kernels.exports.dequantizeLinear(src, count, dst, count, layoutAt, scales, zeroPoints, signed ? 1 : 0));
      output.set(heap.subarray(dst, dst + count * 4), start * 4);
    }
  } finally {
    kernels.reset();
  }
}

function check(status: number): number {
  if (status < 0) throw new TensorzipError('ARGUMENT', `a quantization kernel refused its arguments (status ${status})`);
  return status;
}
