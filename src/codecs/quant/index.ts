import type { Kernels } from '../../wasm/kernels';
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from './float16';
import { decodeFp8E4M3, decodeFp8E5M2, encodeFp8E4M3, encodeFp8E5M2, type Fp8Options } from './fp8';
import { choose, type ChooseOptions } from './choose';
import { dequantize, quantize } from './quantize';
import { decodeTfjsWeight, encodeTfjsWeight, type TfjsQuantDtype, type TfjsQuantization, type TfjsWeight } from './tfjs';
import type { QuantDtype, QuantizedInput, QuantizedTensor, QuantizeOptions, QuantStats, StoredQuantDtype, TfjsCodes, TfjsCodesDtype } from './types';

export type { ChooseOptions, Fp8Options, QuantDtype, QuantizedInput, QuantizedTensor, QuantizeOptions, QuantStats,
  StoredQuantDtype, TfjsCodes, TfjsCodesDtype, TfjsQuantDtype, TfjsQuantization, TfjsWeight };

/** Quantization and low-precision float formats. */
export interface Quant {
  /**
   * Quantizes float32 values (all finite) to `dtype` and reports the error. Affine types follow ONNX
   * QuantizeLinear — q = saturate(roundHalfEven(x / scale) + zeroPoint) — per tensor, per `axis`, or per `blockSize`
   * indices along `axis`; GGML types use llama.cpp's reference rounding; float types round to nearest even and
   * refuse values past their largest finite. Throws ARGUMENT for NaN/±Inf, a shape that does not match, an axis out
   * of range, a block size that does not divide its dimension, or values a format cannot hold.
   * @example
   * const q = quant.quantize(weights, { dtype: 'int8', shape: [64, 3, 3, 3], axis: 0 });
   * q.scale.length;          // 64, one per output channel
   * q.stats.sqnrDb;          // e.g. 41.6
   */
  quantize(data: Float32Array, options: QuantizeOptions): QuantizedTensor;
  /**
   * float32 values back from a quantized tensor (ONNX DequantizeLinear for affine types: (q − zeroPoint) · scale),
   * written into `out` when given (it must have as many elements as the shape).
   * @example
   * const restored = quant.dequantize(q);
   * quant.dequantize(q, reusedFloat32Array);
   */
  dequantize(q: QuantizedInput, out?: Float32Array): Float32Array;
  /**
   * The smallest quantization whose error meets the budget (maxAbsError and/or minSqnrDb), trying 4-bit blocks,
   * GGML blocks, int8/uint8 per axis 0, fp8, float16, bfloat16 and finally float32 (lossless), in order of size.
   * Formats the values overflow are never chosen (float16 past 65504, fp8 past its max).
   * @example
   * const q = quant.choose(weights, { shape: [768, 768], minSqnrDb: 30 }); // q.dtype: e.g. 'int8'
   */
  choose(data: Float32Array, options: ChooseOptions): QuantizedTensor;
  /**
   * Quantizes float32 weights as the TF.js converter does (`--quantize_uint8`, `--quantize_uint16`,
   * `--quantize_float16`), giving the stored values and the manifest entry's `quantization` object.
   * @example
   * const { data, quantization } = quant.encodeTfjsWeight(weights, 'uint8');
   * // quantization: { dtype: 'uint8', min: -0.0627…, scale: 0.000491…, original_dtype: 'float32' }
   */
  encodeTfjsWeight(data: Float32Array, dtype: TfjsQuantDtype): TfjsWeight;
  /**
   * float32 weights from TF.js quantized values, bit-identical to tfjs-core's decodeWeight (q · scale + min in
   * float64, then float32; float16 exact). `data` is a Uint8Array for uint8, a Uint16Array for uint16 and float16.
   * @example
   * const weights = quant.decodeTfjsWeight(new Uint8Array(shard, offset, size), entry.quantization);
   */
  decodeTfjsWeight(data: Uint8Array | Uint16Array, quantization: TfjsQuantization, out?: Float32Array): Float32Array;
  /**
   * float32 → IEEE float16 bits, rounding to nearest even: |x| ≥ 65520 becomes ±Inf, tiny values become subnormals
   * or ±0, NaN stays NaN (quiet, top payload bits kept). Returns the raw 16-bit codes, as ONNX Runtime Web takes them.
   * @example
   * quant.encodeFloat16(new Float32Array([1, 65504, 1e-8])); // Uint16Array [0x3C00, 0x7BFF, 0x0000]
   */
  encodeFloat16(data: Float32Array): Uint16Array;
  /**
   * IEEE float16 bits → float32, exact for every code (subnormals, ±Inf, NaN payloads); written into `out` when
   * given (as many elements as `data`).
   * @example
   * quant.decodeFloat16(new Uint16Array([0x3C00, 0xC000])); // Float32Array [1, -2]
   * quant.decodeFloat16(halves, reusedFloat32Array);
   */
  decodeFloat16(data: Uint16Array, out?: Float32Array): Float32Array;
  /**
   * float32 → bfloat16 bits (the top 16 bits, rounded to nearest even; NaN stays NaN).
   * @example
   * quant.encodeBfloat16(new Float32Array([1, 3.14159])); // Uint16Array [0x3F80, 0x4049]
   */
  encodeBfloat16(data: Float32Array): Uint16Array;
  /**
   * bfloat16 bits → float32, exact; written into `out` when given.
   * @example
   * quant.decodeBfloat16(new Uint16Array([0x3F80])); // Float32Array [1]
   */
  decodeBfloat16(data: Uint16Array, out?: Float32Array): Float32Array;
  /**
   * float32 → FP8 E4M3FN codes (max 448, no Inf), rounding to nearest even; out of range per ONNX Cast (`saturate`,
   * default true: ±max; false: NaN).
   * @example
   * quant.encodeFp8E4M3(new Float32Array([1, 448, 1000])); // Uint8Array [0x38, 0x7E, 0x7E]
   */
  encodeFp8E4M3(data: Float32Array, options?: Fp8Options): Uint8Array;
  /**
   * FP8 E4M3FN codes → float32, exact; written into `out` when given.
   * @example
   * quant.decodeFp8E4M3(new Uint8Array([0x38, 0xFE])); // Float32Array [1, -448]
   */
  decodeFp8E4M3(data: Uint8Array, out?: Float32Array): Float32Array;
  /**
   * float32 → FP8 E5M2 codes (max 57344), rounding to nearest even; out of range per ONNX Cast (`saturate`, default
   * true: ±max; false: ±Inf).
   * @example
   * quant.encodeFp8E5M2(new Float32Array([1, 1e6]), { saturate: false }); // Uint8Array [0x3C, 0x7C]
   */
  encodeFp8E5M2(data: Float32Array, options?: Fp8Options): Uint8Array;
  /**
   * FP8 E5M2 codes → float32, exact (Inf and NaN included); written into `out` when given.
   * @example
   * quant.decodeFp8E5M2(new Uint8Array([0x3C, 0x7C])); // Float32Array [1, Infinity]
   */
  decodeFp8E5M2(data: Uint8Array, out?: Float32Array): Float32Array;
}

export function bindQuant(kernels: () => Kernels): Quant {
  return {
    quantize: (data, options) => quantize(kernels(), data, options),
    dequantize: (q, out) => dequantize(kernels(), q, out),
    choose: (data, options) => choose(kernels(), data, options),
    encodeTfjsWeight: (data, dtype) => encodeTfjsWeight(kernels(), data, dtype),
    decodeTfjsWeight: (data, quantization, out) => decodeTfjsWeight(kernels(), data, quantization, out),
    encodeFloat16: (data) => encodeFloat16(kernels(), data),
    decodeFloat16: (data, out) => decodeFloat16(kernels(), data, out),
    encodeBfloat16: (data) => encodeBfloat16(kernels(), data),
    decodeBfloat16: (data, out) => decodeBfloat16(kernels(), data, out),
    encodeFp8E4M3: (data, options) => encodeFp8E4M3(kernels(), data, options),
    decodeFp8E4M3: (data, out) => decodeFp8E4M3(kernels(), data, out),
    encodeFp8E5M2: (data, options) => encodeFp8E5M2(kernels(), data, options),
    decodeFp8E5M2: (data, out) => decodeFp8E5M2(kernels(), data, out),
  };
}
