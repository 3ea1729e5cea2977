// float32 ⇄ 8-bit floats E4M3FN and E5M2; the rounding and overflow rules are in assembly/fp8.ts.
import type { Kernels } from '../../wasm/kernels';
import { mapElements } from '../map-elements';
import { allocateForOverwrite } from '../output-bytes';
import { expectArray } from './expect-array';
import { float32Target } from './float32-target';

export interface Fp8Options {
  /** true (default, as ONNX): ±Inf and values past the largest finite become ±max. false: they become NaN (E4M3FN)
   *  or ±Inf (E5M2). */
  saturate?: boolean;
}

function encode(kernels: Kernels, data: unknown, options: Fp8Options, what: string, e5m2: boolean): Uint8Array {
  const input = expectArray(data, Float32Array, what);
  const saturate = options.saturate ?? true;
  const output = allocateForOverwrite(input.length);
  const kernel = e5m2 ? kernels.exports.f32ToFp8E5M2 : kernels.exports.f32ToFp8E4M3;
  mapElements(kernels, input, 4, output, 1, (src, count, dst, cap) => kernel(src, count, dst, cap, saturate ? 1 : 0));
  return output;
}

function decode(kernels: Kernels, data: unknown, out: unknown, what: string, e5m2: boolean): Float32Array {
  const input = expectArray(data, Uint8Array, `${what} data`);
  const output = float32Target(kernels, out, input.length, `${what} out`);
  mapElements(kernels, input, 1, output, 4, e5m2 ? kernels.exports.fp8E5M2ToF32 : kernels.exports.fp8E4M3ToF32);
  return output;
}

export const encodeFp8E4M3 = (k: Kernels, data: Float32Array, o: Fp8Options = {}) => encode(k, data, o, 'quant.encodeFp8E4M3 data', false);
export const encodeFp8E5M2 = (k: Kernels, data: Float32Array, o: Fp8Options = {}) => encode(k, data, o, 'quant.encodeFp8E5M2 data', true);
export const decodeFp8E4M3 = (k: Kernels, data: Uint8Array, out?: Float32Array) => decode(k, data, out, 'quant.decodeFp8E4M3', false);
export const decodeFp8E5M2 = (k: Kernels, data: Uint8Array, out?: Float32Array) => decode(k, data, out, 'quant.decodeFp8E5M2', true);
