// Lossless 16-bit storage of float32 tensors (docs/FORMAT.md, Stored types): a tensor whose every value is exactly a
// float16 value is stored as float16 codes, else one whose every value is exactly a bfloat16 value as bfloat16 —
// half the bytes, and decoding gives back every bit (models shipped as float16 and widened on the way arrive so).
//
// "Exactly" means the codec's own round trip gives back the float32 bits: ±0, ±Inf, subnormal float16 values and
// quiet NaNs whose payload fits are exact; a signalling NaN is not (the encoders quiet it, as x86 F16C does), nor is a
// payload with bits below the 16-bit code's, nor a subnormal float32 (below float16's range; for bfloat16 it is exact
// when its low 16 bits are 0).
import type { QuantizedInput } from '../codecs/quant';
import { encodeBfloat16, encodeFloat16 } from '../codecs/quant/float16';
import type { Kernels } from '../wasm/kernels';

const ABS = 0x7fffffff;
const INF = 0x7f800000;
const QUIET = 0x00400000;
/** 2^-14, the smallest normal float16, and 2^16, the first float32 exponent past float16's. */
const F16_MIN_NORMAL = 0x38800000;
const F16_NORMAL_SPAN = 0x47800000 - F16_MIN_NORMAL;
/** Float16 subnormals are the multiples of 2^-24 below 2^-14. */
const F16_SUBNORMAL_STEPS = 2 ** 24;

/** A value outside float16's normal range (checked in the loop): ±0, a float16 subnormal, ±Inf or a quiet NaN. */
function exactOutsideNormals(a: number, value: number): boolean {
  if (a >= INF) return (a & 0x1fff) === 0 && (a === INF || (a & QUIET) !== 0);
  return a < F16_MIN_NORMAL && Number.isInteger(Math.abs(value) * F16_SUBNORMAL_STEPS);
}

function allFloat16(data: Float32Array, bits: Uint32Array): boolean {
  for (let i = 0; i < bits.length; i++) {
    const a = bits[i] & ABS;
    // The common case first: a normal float16 (13 low mantissa bits 0, exponent in range).
    if ((a & 0x1fff) === 0 && (a - F16_MIN_NORMAL) >>> 0 < F16_NORMAL_SPAN) continue;
    if (!exactOutsideNormals(a, data[i])) return false;
  }
  return true;
}

function allBfloat16(bits: Uint32Array): boolean {
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    if ((x & 0xffff) !== 0 || ((x & ABS) > INF && (x & QUIET) === 0)) return false;
  }
  return true;
}

/**
 * The tensor as float16 (else bfloat16) codes when every value is exactly one; null otherwise (and for an empty
 * tensor). Stops at the first value that is not, so most trained float32 weights cost a few reads.
 * @example
 * exactHalves(kernels, Float32Array.of(0.5, -0, 65504), [3]); // { dtype: 'float16', data: Uint16Array [0x3800, 0x8000, 0x7bff], … }
 */
export function exactHalves(kernels: Kernels, data: Float32Array, shape: number[]): QuantizedInput | null {
  if (data.length === 0) return null;
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const codes = (dtype: 'float16' | 'bfloat16', halves: Uint16Array): QuantizedInput =>
    ({ dtype, shape, data: halves, scale: null, zeroPoint: null, axis: null, blockSize: null });
  if (allFloat16(data, bits)) return codes('float16', encodeFloat16(kernels, data));
  if (allBfloat16(bits)) return codes('bfloat16', encodeBfloat16(kernels, data));
  return null;
}
