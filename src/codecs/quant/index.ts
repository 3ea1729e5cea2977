import type { Kernels } from '../../wasm/kernels';
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from './float16';

/** Quantization and low-precision float formats. */
export interface Quant {
  /**
   * float32 → IEEE float16 bits, rounding to nearest even: |x| ≥ 65520 becomes ±Inf, tiny values become subnormals
   * or ±0, NaN stays NaN (quiet, top payload bits kept). Returns the raw 16-bit codes, as ONNX Runtime Web takes them.
   * @example
   * quant.encodeFloat16(new Float32Array([1, 65504, 1e-8])); // Uint16Array [0x3C00, 0x7BFF, 0x0000]
   */
  encodeFloat16(data: Float32Array): Uint16Array;
  /**
   * IEEE float16 bits → float32, exact for every code (subnormals, ±Inf, NaN payloads).
   * @example
   * quant.decodeFloat16(new Uint16Array([0x3C00, 0xC000])); // Float32Array [1, -2]
   */
  decodeFloat16(data: Uint16Array): Float32Array;
  /**
   * float32 → bfloat16 bits (the top 16 bits, rounded to nearest even; NaN stays NaN).
   * @example
   * quant.encodeBfloat16(new Float32Array([1, 3.14159])); // Uint16Array [0x3F80, 0x4049]
   */
  encodeBfloat16(data: Float32Array): Uint16Array;
  /**
   * bfloat16 bits → float32, exact.
   * @example
   * quant.decodeBfloat16(new Uint16Array([0x3F80])); // Float32Array [1]
   */
  decodeBfloat16(data: Uint16Array): Float32Array;
}

export function bindQuant(kernels: () => Kernels): Quant {
  return {
    encodeFloat16: (data) => encodeFloat16(kernels(), data),
    decodeFloat16: (data) => decodeFloat16(kernels(), data),
    encodeBfloat16: (data) => encodeBfloat16(kernels(), data),
    decodeBfloat16: (data) => decodeBfloat16(kernels(), data),
  };
}
