import type { Kernels } from '../../wasm/kernels';
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from './float16';
import { decodeFp8E4M3, decodeFp8E5M2, encodeFp8E4M3, encodeFp8E5M2, type Fp8Options } from './fp8';

export type { Fp8Options };

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
  /**
   * float32 → FP8 E4M3FN codes (max 448, no Inf), rounding to nearest even; out of range per ONNX Cast (`saturate`,
   * default true: ±max; false: NaN).
   * @example
   * quant.encodeFp8E4M3(new Float32Array([1, 448, 1000])); // Uint8Array [0x38, 0x7E, 0x7E]
   */
  encodeFp8E4M3(data: Float32Array, options?: Fp8Options): Uint8Array;
  /**
   * FP8 E4M3FN codes → float32, exact.
   * @example
   * quant.decodeFp8E4M3(new Uint8Array([0x38, 0xFE])); // Float32Array [1, -448]
   */
  decodeFp8E4M3(data: Uint8Array): Float32Array;
  /**
   * float32 → FP8 E5M2 codes (max 57344), rounding to nearest even; out of range per ONNX Cast (`saturate`, default
   * true: ±max; false: ±Inf).
   * @example
   * quant.encodeFp8E5M2(new Float32Array([1, 1e6]), { saturate: false }); // Uint8Array [0x3C, 0x7C]
   */
  encodeFp8E5M2(data: Float32Array, options?: Fp8Options): Uint8Array;
  /**
   * FP8 E5M2 codes → float32, exact (Inf and NaN included).
   * @example
   * quant.decodeFp8E5M2(new Uint8Array([0x3C, 0x7C])); // Float32Array [1, Infinity]
   */
  decodeFp8E5M2(data: Uint8Array): Float32Array;
}

export function bindQuant(kernels: () => Kernels): Quant {
  return {
    encodeFloat16: (data) => encodeFloat16(kernels(), data),
    decodeFloat16: (data) => decodeFloat16(kernels(), data),
    encodeBfloat16: (data) => encodeBfloat16(kernels(), data),
    decodeBfloat16: (data) => decodeBfloat16(kernels(), data),
    encodeFp8E4M3: (data, options) => encodeFp8E4M3(kernels(), data, options),
    decodeFp8E4M3: (data) => decodeFp8E4M3(kernels(), data),
    encodeFp8E5M2: (data, options) => encodeFp8E5M2(kernels(), data, options),
    decodeFp8E5M2: (data) => decodeFp8E5M2(kernels(), data),
  };
}
