// quant.dequantize with hostile QuantizedTensor objects. An input is the object as JSON, where
// {"$array": "Float32Array", "hex": "…"} (or "length": n, zero-filled) stands for a typed array, so the structure-aware
// mutator can give wrong lengths, huge shapes, NaN scales, bad axes and block sizes, and wrong array types. The
// object is the caller's parameter, so ARGUMENT is allowed; values returned must equal the reference decoders'.
import type { QuantizedInput } from '../../../src/index';
import { referenceDequantize, referenceUnpack4 } from '../../reference/affine';
import { floatOf, referenceDecodeFloat16 } from '../../reference/float16';
import { E4M3FN, E5M2, referenceDecodeFp8 } from '../../reference/fp8';
import { referenceDecodeQ4_0, referenceDecodeQ4_1, referenceDecodeQ4_K, referenceDecodeQ8_0 } from '../../reference/ggml';
import { ANY_CODE, attempt, expectSame, FuzzFailure, sameOutcome, type FuzzTarget } from '../target';

const ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
  Float64Array, BigInt64Array, DataView,
};
const MAX_ARRAY_BYTES = 1 << 22;

/** JSON value → the object it describes: typed arrays revived; undefined when an array is too large to build. */
function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(revive);
  const o = value as Record<string, unknown>;
  const Type = typeof o.$array === 'string' && Object.hasOwn(ARRAYS, o.$array) ? ARRAYS[o.$array] : undefined;
  if (Type === undefined) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
  const width = (Type as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  if (typeof o.hex === 'string') {
    const bytes = Uint8Array.from(o.hex.match(/[0-9a-f]{2}/gi) ?? [], (h) => parseInt(h, 16));
    return new Type(bytes.slice(0, bytes.length - (bytes.length % width)).buffer);
  }
  const length = Number(o.length);
  if (!Number.isSafeInteger(length) || length < 0 || length * width > MAX_ARRAY_BYTES) throw new RangeError('skip');
  return new Type(new ArrayBuffer(length * width));
}

const hex = (view: ArrayBufferView) => Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
const describe = (q: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(q, (_, v) => (ArrayBuffer.isView(v) ? { $array: v.constructor.name, hex: hex(v) } : v)));

function bytesOf(view: unknown): Uint8Array {
  if (!ArrayBuffer.isView(view)) throw new FuzzFailure('quant.dequantize accepts data that is not a typed array');
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The reference decode of q (which tensorzip accepted). */
function reference(q: QuantizedInput): Float32Array {
  const raw = bytesOf(q.data);
  const count = q.shape.reduce((n, d) => n * d, 1);
  const u16 = () => new Uint16Array(raw.slice(0, raw.length & ~1).buffer);
  switch (q.dtype) {
    case 'float32': return new Float32Array(raw.slice(0, raw.length & ~3).buffer);
    case 'float16': return Float32Array.from(u16(), (h) => floatOf(referenceDecodeFloat16(h)));
    case 'bfloat16': return Float32Array.from(u16(), (h) => floatOf(h << 16));
    case 'float8e4m3fn': return Float32Array.from(raw, (c) => referenceDecodeFp8(c, E4M3FN));
    case 'float8e5m2': return Float32Array.from(raw, (c) => referenceDecodeFp8(c, E5M2));
    case 'q8_0': return referenceDecodeQ8_0(raw);
    case 'q4_0': return referenceDecodeQ4_0(raw);
    case 'q4_1': return referenceDecodeQ4_1(raw);
    case 'q4_k': return referenceDecodeQ4_K(raw);
    default: {
      const signed = q.dtype === 'int8' || q.dtype === 'int4';
      const codes = q.dtype === 'int8' || q.dtype === 'uint8' ? Array.from(signed ? new Int8Array(raw) : raw) : referenceUnpack4(raw, count, signed);
      // Omitted fields read as null, and blocks without an axis run along the last axis (as quantize's options).
      const given = q.axis ?? (q.blockSize == null ? null : -1);
      const axis = given === null ? null : given < 0 ? given + q.shape.length : given;
      const scale = Float32Array.from(q.scale as ArrayLike<number>);
      const zeroPoint = q.zeroPoint == null ? null : Array.from(q.zeroPoint as ArrayLike<number>);
      return referenceDequantize(codes, { shape: q.shape, scale, zeroPoint, axis, blockSize: q.blockSize ?? null });
    }
  }
}

const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 3);

export const quant: FuzzTarget = {
  name: 'quant',
  async seeds({ simd }) {
    const x = floats(128);
    const made = [
      simd.quant.quantize(x, { dtype: 'int8', shape: [8, 16], axis: 0 }),
      simd.quant.quantize(x, { dtype: 'uint8', shape: [8, 16] }),
      simd.quant.quantize(x, { dtype: 'int4', shape: [8, 16], axis: 1, blockSize: 8 }),
      simd.quant.quantize(x, { dtype: 'uint4', shape: [128], axis: 0, blockSize: 32 }),
      simd.quant.quantize(x, { dtype: 'float16', shape: [128] }),
      simd.quant.quantize(x, { dtype: 'bfloat16', shape: [2, 64] }),
      simd.quant.quantize(x, { dtype: 'float8e4m3fn', shape: [128] }),
      simd.quant.quantize(x, { dtype: 'float8e5m2', shape: [128] }),
      simd.quant.quantize(x, { dtype: 'q8_0', shape: [4, 32] }),
      simd.quant.quantize(x, { dtype: 'q4_0', shape: [128] }),
      simd.quant.quantize(x, { dtype: 'q4_1', shape: [2, 64] }),
      simd.quant.quantize(x, { dtype: 'float32', shape: [128] }),
    ];
    return made.map(({ stats: _, ...q }) => describe(q));
  },
  async run({ simd, scalar }, bytes) {
    let q: QuantizedInput;
    try {
      q = revive(JSON.parse(new TextDecoder().decode(bytes))) as QuantizedInput;
    } catch {
      return 'SKIP';
    }
    const a = await attempt(() => simd.quant.dequantize(q), ANY_CODE, 'quant.dequantize', bytes.length, 16);
    const b = await attempt(() => scalar.quant.dequantize(q), ANY_CODE, 'quant.dequantize (scalar)', bytes.length, 16);
    sameOutcome(a, b, 'quant.dequantize');
    if (!a.ok) return a.outcome;
    let expected: Float32Array;
    try {
      expected = reference(q);
    } catch (err) {
      if (err instanceof FuzzFailure) throw err;
      throw new FuzzFailure(`quant.dequantize ${String(q.dtype)} accepts what the reference cannot read`, String(err));
    }
    expectSame(a.value, expected, `quant.dequantize ${String(q.dtype)} differs from the reference`);
    return 'OK';
  },
  json: (bytes) => ({ text: new TextDecoder().decode(bytes), rebuild: (text) => new TextEncoder().encode(text) }),
};
