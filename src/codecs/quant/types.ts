// The types of quant.quantize / dequantize / choose.

/**
 * A quantized storage type:
 * - affine integers (ONNX QuantizeLinear): `int8`, `uint8`, `int4`, `uint4` (4-bit packed two per byte, first
 *   element in the low nibble);
 * - floats: `float16`, `bfloat16`, `float8e4m3fn`, `float8e5m2`, and `float32` (lossless, a copy);
 * - GGML blocks along the last axis: `q8_0`, `q4_0`, `q4_1` (32 values per block), `q4_k` (256, decode only).
 */
export type QuantDtype =
  | 'int8' | 'uint8' | 'int4' | 'uint4'
  | 'float32' | 'float16' | 'bfloat16' | 'float8e4m3fn' | 'float8e5m2'
  | 'q8_0' | 'q4_0' | 'q4_1' | 'q4_k';

export interface QuantizeOptions {
  dtype: QuantDtype;
  /** Dimensions of the tensor (row-major); default `[data.length]`. */
  shape?: readonly number[];
  /** Affine types: one scale per index along this axis (negative counts from the end). Omitted: one scale for the
   *  whole tensor, or the last axis when `blockSize` is given. */
  axis?: number;
  /** Affine types: one scale per `blockSize` consecutive indices along `axis`; must divide that dimension. */
  blockSize?: number;
  /** Affine types: zero point fixed at the middle of the range (0 for int8/int4, 128/8 for uint8/uint4), scale
   *  max|x| / 127 (7 for 4-bit). Default true for int8/int4, false for uint8/uint4 (min/max, zero exact). */
  symmetric?: boolean;
}

/** How far the dequantized values are from the originals. */
export interface QuantStats {
  /** max |x − x̂| */
  maxAbsError: number;
  /** sqrt(mean((x − x̂)²)) */
  rmse: number;
  /** 10·log10(Σx² / Σ(x − x̂)²) in dB; Infinity when the reconstruction is exact. */
  sqnrDb: number;
}

export interface QuantizedTensor {
  dtype: QuantDtype;
  shape: number[];
  /** The codes: Int8Array (int8), Uint8Array (uint8, packed int4/uint4, fp8, GGML blocks), Uint16Array
   *  (float16, bfloat16), Float32Array (float32). */
  data: Int8Array | Uint8Array | Uint16Array | Float32Array;
  /** Affine types: the scales, shaped like the tensor with the axis reduced to its blocks (per-tensor: one value,
   *  per-axis: one per index). null for the other types. */
  scale: Float32Array | null;
  /** Affine types: zero points, same count as `scale` (Int8Array for int8/int4, Uint8Array for uint8/uint4);
   *  null means all zero. */
  zeroPoint: Int8Array | Uint8Array | null;
  /** The axis of the scales (GGML: the last axis); null for per-tensor and float types. */
  axis: number | null;
  /** Indices per scale along `axis` (GGML: 32 or 256); null for per-tensor, per-axis and float types. */
  blockSize: number | null;
  stats: QuantStats;
}

/** What dequantize reads: a QuantizedTensor, its statistics optional. */
export type QuantizedInput = Omit<QuantizedTensor, 'stats'> & { stats?: QuantStats };

/** The stored types of TF.js uint8 / uint16 weight codes kept as they are (format 1.1). */
export type TfjsCodesDtype = 'tfjs_uint8' | 'tfjs_uint16';

/**
 * TF.js-quantized weights as their codes, with the weights manifest's `scale` and `min` exactly: they read back as
 * q · scale + min in float64, rounded once to float32 (tfjs-core's decodeWeights, bit for bit).
 * @example
 * await pack({ conv: { quantized: { dtype: 'tfjs_uint8', shape: [3, 3, 8, 16], data: codes, scale: 0.0049, min: -0.58 } } });
 */
export interface TfjsCodes {
  dtype: TfjsCodesDtype;
  shape: readonly number[];
  /** Uint8Array (tfjs_uint8) or Uint16Array (tfjs_uint16). */
  data: Uint8Array | Uint16Array;
  scale: number;
  min: number;
}

/** A stored type of a tensor kept quantized: a quantized type or TF.js codes. */
export type StoredQuantDtype = QuantDtype | TfjsCodesDtype;
