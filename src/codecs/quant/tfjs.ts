// TF.js weight quantization (the converter's --quantize_uint8 / --quantize_uint16 / --quantize_float16, read by
// tfjs-core's decodeWeight). Writer: the converter's affine math in float64 — scale = (max − min) / qmax, the
// minimum nudged so that 0 is exact when the range contains it, q = roundHalfEven((clip(x) − min) / scale); a
// constant tensor gets scale 1 and min = the value. Reader: q · scale + min in float64, rounded once to float32.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { Kernels } from '../../wasm/kernels';
import { mapElements } from '../map-elements';
import { float32Target } from './float32-target';
import { expectArray } from './expect-array';
import { roundHalfEven } from './round';
import { encodeFloat16 } from './float16';
import type { QuantizedInput, TfjsCodes, TfjsCodesDtype } from './types';

export type TfjsQuantDtype = 'uint8' | 'uint16' | 'float16';

/** A TF.js weights-manifest `quantization` entry. */
export interface TfjsQuantization {
  dtype: TfjsQuantDtype;
  min?: number;
  scale?: number;
  original_dtype?: 'float32';
}

export interface TfjsWeight {
  /** The stored values: Uint8Array (uint8) or Uint16Array (uint16, float16 bits), in manifest byte order. */
  data: Uint8Array | Uint16Array;
  quantization: TfjsQuantization;
}

const FLOAT16_MAX = 65504;

export const isTfjsCodesDtype = (dtype: unknown): dtype is TfjsCodesDtype => dtype === 'tfjs_uint8' || dtype === 'tfjs_uint16';
export const isTfjsCodes = (q: QuantizedInput | TfjsCodes): q is TfjsCodes => isTfjsCodesDtype(q.dtype);

function range(data: Float32Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) throw new TensorzipError('ARGUMENT', `quant.encodeTfjsWeight data: element ${i} is ${v}; TF.js quantization needs finite values`);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}

export function encodeTfjsWeight(kernels: Kernels, data: Float32Array, dtype: TfjsQuantDtype): TfjsWeight {
  const input = expectArray(data, Float32Array, 'quant.encodeTfjsWeight data');
  if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16') {
    throw new TensorzipError('ARGUMENT', `quant.encodeTfjsWeight dtype: expected 'uint8', 'uint16' or 'float16', found ${describeValue(dtype)}`);
  }
  const [low, high] = range(input);
  if (dtype === 'float16') {
    if (Math.max(-low, high) > FLOAT16_MAX) {
      throw new TensorzipError('ARGUMENT', `quant.encodeTfjsWeight: values up to ${Math.max(-low, high)} overflow float16 (max 65504)`);
    }
    return { data: encodeFloat16(kernels, input), quantization: { dtype, original_dtype: 'float32' } };
  }
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const codes = dtype === 'uint8' ? new Uint8Array(input.length) : new Uint16Array(input.length);
  if (input.length === 0 || low === high) {
    return { data: codes, quantization: { dtype, min: input.length === 0 ? 0 : low, scale: 1, original_dtype: 'float32' } };
  }
  const scale = (high - low) / qmax;
  let min = low;
  let max = high;
  if (low <= 0 && high >= 0) {
    min = -roundHalfEven(-low / scale) * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < input.length; i++) {
    codes[i] = roundHalfEven((Math.min(Math.max(input[i], min), max) - min) / scale);
  }
  return { data: codes, quantization: { dtype, min, scale, original_dtype: 'float32' } };
}

export function decodeTfjsWeight(kernels: Kernels, data: Uint8Array | Uint16Array, quantization: TfjsQuantization,
  out?: Float32Array): Float32Array {
  const what = 'quant.decodeTfjsWeight';
  const dtype = quantization?.dtype;
  if (dtype === 'float16') {
    const halves = expectArray(data, Uint16Array, `${what} data`);
    const output = float32Target(kernels, out, halves.length, `${what} out`);
    mapElements(kernels, halves, 2, output, 4, kernels.exports.f16ToF32);
    return output;
  }
  if (dtype !== 'uint8' && dtype !== 'uint16') {
    throw new TensorzipError('ARGUMENT', `${what}: quantization dtype ${describeValue(dtype)} is not one TF.js writes (uint8, uint16, float16)`);
  }
  const { min, scale } = quantization;
  // tfjs-core throws without min and scale; anything non-finite would fill the tensor with NaN.
  if (typeof min !== 'number' || typeof scale !== 'number' || !Number.isFinite(min) || !Number.isFinite(scale)) {
    throw new TensorzipError('ARGUMENT', `${what}: ${dtype} quantization needs finite min and scale, found min ${describeValue(min)}, scale ${describeValue(scale)}`);
  }
  const codes = dtype === 'uint8' ? expectArray(data, Uint8Array, `${what} data`) : expectArray(data, Uint16Array, `${what} data`);
  const wide = dtype === 'uint16' ? 1 : 0;
  const output = float32Target(kernels, out, codes.length, `${what} out`);
  mapElements(kernels, codes, 1 + wide, output, 4,
    (src, count, dst, cap) => kernels.exports.dequantizeTfjs(src, count, dst, cap, scale, min, wide));
  return output;
}
