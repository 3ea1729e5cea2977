// quant.quantize and quant.dequantize: one entry for every storage type, with the error the choice costs.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { Kernels } from '../../wasm/kernels';
import { mapElements, type ElementKernel } from '../map-elements';
import { allocateForOverwrite } from '../output-bytes';
import { AFFINE_TYPES, chooseParams, codeBytes, dequantizeAffine, isSigned, quantizeAffine, type AffineDtype } from './affine';
import { errorStats } from './error-stats';
import { expectArray } from './expect-array';
import { float32Target } from './float32-target';
import { decodeGgml, encodeGgml, ggmlBlocks, GGML_TYPES, type GgmlDtype } from './ggml';
import { affineLayout } from './layout';
import { checkShape, product } from '../shape';
import type { QuantDtype, QuantizedInput, QuantizedTensor, QuantizeOptions } from './types';

type FloatDtype = 'float16' | 'bfloat16' | 'float8e4m3fn' | 'float8e5m2';

interface FloatType {
  bytes: number;
  /** Largest finite magnitude; quantize refuses larger values rather than store ±Inf or saturate. */
  max: number;
  codes: typeof Uint8Array | typeof Uint16Array;
  encode: (k: Kernels) => ElementKernel;
  decode: (k: Kernels) => ElementKernel;
}

const FLOAT_TYPES: Record<FloatDtype, FloatType> = {
  float16: { bytes: 2, max: 65504, codes: Uint16Array, encode: (k) => k.exports.f32ToF16, decode: (k) => k.exports.f16ToF32 },
  bfloat16: { bytes: 2, max: 3.3895313892515355e38, codes: Uint16Array, encode: (k) => k.exports.f32ToBf16, decode: (k) => k.exports.bf16ToF32 },
  float8e4m3fn: { bytes: 1, max: 448, codes: Uint8Array,
    encode: (k) => (s, n, d, c) => k.exports.f32ToFp8E4M3(s, n, d, c, 1), decode: (k) => k.exports.fp8E4M3ToF32 },
  float8e5m2: { bytes: 1, max: 57344, codes: Uint8Array,
    encode: (k) => (s, n, d, c) => k.exports.f32ToFp8E5M2(s, n, d, c, 1), decode: (k) => k.exports.fp8E5M2ToF32 },
};

const isAffine = (dtype: QuantDtype): dtype is AffineDtype => Object.hasOwn(AFFINE_TYPES, dtype);
const isGgml = (dtype: QuantDtype): dtype is GgmlDtype => Object.hasOwn(GGML_TYPES, dtype);
const DTYPES = ['float32', ...Object.keys(AFFINE_TYPES), ...Object.keys(FLOAT_TYPES), ...Object.keys(GGML_TYPES)];

function checkDtype(dtype: unknown, what: string): QuantDtype {
  if (DTYPES.includes(dtype as string)) return dtype as QuantDtype;
  const known = DTYPES.join(', ');
  throw new TensorzipError('ARGUMENT', `${what}: expected one of ${known}, found ${describeValue(dtype)}`);
}

/** Largest |x|; throws ARGUMENT at the first NaN or ±Inf. */
function maxMagnitude(data: Float32Array, what: string): number {
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) throw new TensorzipError('ARGUMENT', `${what}: element ${i} is ${v}; quantization needs finite values`);
    const m = v < 0 ? -v : v;
    if (m > max) max = m;
  }
  return max;
}

function newFloat32(length: number): Float32Array {
  return new Float32Array(allocateForOverwrite(length * 4).buffer, 0, length);
}

export function quantize(kernels: Kernels, data: Float32Array, options: QuantizeOptions): QuantizedTensor {
  const input = expectArray(data, Float32Array, 'quant.quantize data');
  if (typeof options !== 'object' || options === null) {
    throw new TensorzipError('ARGUMENT', 'quant.quantize options: expected an object with at least a dtype');
  }
  const dtype = checkDtype(options.dtype, 'quant.quantize dtype');
  const shape = checkShape(options.shape ?? [input.length], 'quant.quantize shape', input.length);
  if (!isAffine(dtype) && (options.axis !== undefined || options.blockSize !== undefined || options.symmetric !== undefined)) {
    throw new TensorzipError('ARGUMENT', `quant.quantize: axis, blockSize and symmetric apply to int8, uint8, int4 and uint4, not ${dtype}`);
  }
  const magnitude = maxMagnitude(input, 'quant.quantize data');
  const restored = newFloat32(input.length);
  let result: Omit<QuantizedTensor, 'stats'>;
  if (isAffine(dtype)) {
    const layout = affineLayout(shape, options.axis, options.blockSize);
    const symmetric = options.symmetric ?? isSigned(dtype);
    const { scale, zeroPoint } = chooseParams(input, layout, dtype, symmetric);
    const codes = quantizeAffine(kernels, input, layout, dtype, scale, zeroPoint);
    const zeros = symmetric && isSigned(dtype) ? null : isSigned(dtype) ? Int8Array.from(zeroPoint) : Uint8Array.from(zeroPoint);
    dequantizeAffine(kernels, codes, layout, dtype, scale, zeros, restored);
    result = { dtype, shape, data: codes, scale, zeroPoint: zeros, axis: layout.axis, blockSize: layout.block };
  } else if (isGgml(dtype)) {
    const blocks = ggmlBlocks(dtype, shape);
    const codes = encodeGgml(kernels, input, dtype, blocks);
    decodeGgml(kernels, codes, dtype, blocks, restored);
    result = { dtype, shape, data: codes, scale: null, zeroPoint: null, axis: shape.length - 1, blockSize: GGML_TYPES[dtype].values };
  } else if (dtype === 'float32') {
    restored.set(input);
    result = { dtype, shape, data: input.slice(), scale: null, zeroPoint: null, axis: null, blockSize: null };
  } else {
    const type = FLOAT_TYPES[dtype];
    if (magnitude > type.max) {
      throw new TensorzipError('ARGUMENT', `quant.quantize: values up to ${magnitude} overflow ${dtype} (largest finite ${type.max})`);
    }
    const bytes = allocateForOverwrite(input.length * type.bytes);
    const codes = type.bytes === 2 ? new Uint16Array(bytes.buffer, 0, input.length) : bytes;
    mapElements(kernels, input, 4, codes, type.bytes, type.encode(kernels));
    mapElements(kernels, codes, type.bytes, restored, 4, type.decode(kernels));
    result = { dtype, shape, data: codes, scale: null, zeroPoint: null, axis: null, blockSize: null };
  }
  return { ...result, stats: errorStats(kernels, input, restored) };
}

function expectCodes<T>(data: unknown, type: { new (...args: never[]): T; name: string }, length: number, dtype: string): T {
  const codes = expectArray(data, type, `quant.dequantize ${dtype} data`);
  const found = (codes as { length: number }).length;
  if (found !== length) {
    throw new TensorzipError(found < length ? 'TRUNCATED' : 'ARGUMENT', `quant.dequantize ${dtype} data: expected ${length} codes for the shape, found ${found}`);
  }
  return codes;
}

function checkScales(scale: unknown, count: number): Float32Array {
  const scales = expectArray(scale, Float32Array, 'quant.dequantize scale');
  if (scales.length !== count) throw new TensorzipError('ARGUMENT', `quant.dequantize scale: expected ${count} values for the layout, found ${scales.length}`);
  for (let p = 0; p < count; p++) {
    if (!(scales[p] > 0 && scales[p] < Infinity)) throw new TensorzipError('ARGUMENT', `quant.dequantize scale[${p}] is ${scales[p]}; scales are finite and positive`);
  }
  return scales;
}

function checkZeroPoints(zeroPoint: unknown, dtype: AffineDtype, count: number): Int8Array | Uint8Array | null {
  if (zeroPoint === null || zeroPoint === undefined) return null;
  const { qmin, qmax } = AFFINE_TYPES[dtype];
  const zeros = qmin < 0 ? expectArray(zeroPoint, Int8Array, 'quant.dequantize zeroPoint') : expectArray(zeroPoint, Uint8Array, 'quant.dequantize zeroPoint');
  if (zeros.length !== count) throw new TensorzipError('ARGUMENT', `quant.dequantize zeroPoint: expected ${count} values for the layout, found ${zeros.length}`);
  for (let p = 0; p < count; p++) {
    if (zeros[p] < qmin || zeros[p] > qmax) throw new TensorzipError('ARGUMENT', `quant.dequantize zeroPoint[${p}] is ${zeros[p]}, outside ${dtype}'s ${qmin}..${qmax}`);
  }
  return zeros;
}

export function dequantize(kernels: Kernels, q: QuantizedInput, out?: Float32Array): Float32Array {
  if (typeof q !== 'object' || q === null) throw new TensorzipError('ARGUMENT', 'quant.dequantize: expected a quantized tensor');
  const dtype = checkDtype(q.dtype, 'quant.dequantize dtype');
  const shape = checkShape(q.shape, 'quant.dequantize shape');
  const total = product(shape);
  // Every count is checked against the codes given before the output is allocated: 4 bytes per element, at most 8
  // per byte of codes (4-bit), 4 for 8-bit codes, 2 for float16, 7.1 for q4_0 blocks, 1 for float32.
  if (isAffine(dtype)) {
    const layout = affineLayout(shape, q.axis ?? undefined, q.blockSize ?? undefined);
    const codes = isSigned(dtype) && !AFFINE_TYPES[dtype].nibbles
      ? expectCodes(q.data, Int8Array, total, dtype)
      : expectCodes(q.data, Uint8Array, codeBytes(dtype, total), dtype);
    const scale = checkScales(q.scale, layout.paramCount);
    const zeroPoint = checkZeroPoints(q.zeroPoint, dtype, layout.paramCount);
    const target = float32Target(kernels, out, total, 'quant.dequantize out');
    dequantizeAffine(kernels, codes, layout, dtype, scale, zeroPoint, target);
    return target;
  }
  if (isGgml(dtype)) {
    const blocks = ggmlBlocks(dtype, shape);
    const codes = expectCodes(q.data, Uint8Array, blocks * GGML_TYPES[dtype].bytes, dtype);
    const target = float32Target(kernels, out, total, 'quant.dequantize out');
    decodeGgml(kernels, codes, dtype, blocks, target);
    return target;
  }
  if (dtype === 'float32') {
    const values = expectCodes(q.data, Float32Array, total, dtype);
    const target = float32Target(kernels, out, total, 'quant.dequantize out');
    target.set(values);
    return target;
  }
  const type = FLOAT_TYPES[dtype];
  const codes = expectCodes<Uint8Array | Uint16Array>(q.data, type.codes as typeof Uint8Array, total, dtype);
  const target = float32Target(kernels, out, total, 'quant.dequantize out');
  mapElements(kernels, codes, type.bytes, target, 4, type.decode(kernels));
  return target;
}
