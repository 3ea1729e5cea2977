// GGUF (llama.cpp) versions 2 and 3, little-endian: tensors read to float32 (F32, F16, BF16, Q8_0, Q4_0, Q4_1,
// Q4_K) or their own integer type (I8, I16, I32, I64) and F64. GGML lists dimensions innermost first; shapes here are
// in NumPy order (reversed), so GGML blocks run along the last axis. Every count, length and offset is checked
// against the file before it is used.
import { TensorzipError } from '../errors';
import { dequantize } from '../codecs/quant/quantize';
import type { QuantDtype } from '../codecs/quant';
import { GGML_TYPES, type GgmlDtype } from '../codecs/quant/ggml';
import type { TensorArray, TensorDtype } from '../format/dtypes';
import type { QuantizedTensorInput, TensorInput } from '../format/pack';
import type { Kernels } from '../wasm/kernels';
import { describeValue } from '../codecs/describe-value';
import { elementCount, nullObject } from './untrusted';

export interface Gguf {
  version: number;
  metadata: Record<string, unknown>;
  /** Each metadata key's GGUF type: uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64,
   *  bool, string, or array<element type> (a nested array named by its first element). */
  metadataTypes: Record<string, string>;
  tensors: Record<string, TensorInput>;
}

export interface GgufReadOptions {
  /** F16, BF16, Q8_0, Q4_0, Q4_1 and Q4_K tensors as their stored codes (`{ quantized }`, which pack() stores
   *  as they are) instead of float32 values. */
  codes?: boolean;
}

/** gguf.read with `{ codes: true }`. */
export interface GgufCodes extends Omit<Gguf, 'tensors'> {
  tensors: Record<string, TensorInput | QuantizedTensorInput>;
}

const VALUE_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'];

/** The GGUF type of a value of `type` starting at `at`, looking ahead into arrays without moving the reader (no
 *  deeper than the reader itself goes, which refuses the value past that). */
function typeName(bytes: Uint8Array, type: number, at: number, depth = 0): string {
  if (type !== 9) return VALUE_TYPES[type] ?? `type ${type}`;
  if (at + 12 > bytes.length || depth >= MAX_DEPTH) return 'array';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const element = view.getUint32(at, true);
  return `array<${element === 9 && view.getBigUint64(at + 4, true) === 0n ? 'array' : typeName(bytes, element, at + 12, depth + 1)}>`;
}

/** A block type: its size and values per block as the decoder knows them. */
const ggml = (name: string, quant: GgmlDtype) => ({ name, values: GGML_TYPES[quant].values, bytes: GGML_TYPES[quant].bytes, quant });

/** ggml type id → how it is stored and read. */
const TYPES: Record<number, { name: string; values: number; bytes: number; quant?: QuantDtype; plain?: TensorDtype }> = {
  0: { name: 'F32', values: 1, bytes: 4, plain: 'float32' },
  1: { name: 'F16', values: 1, bytes: 2, quant: 'float16' },
  2: ggml('Q4_0', 'q4_0'),
  3: ggml('Q4_1', 'q4_1'),
  8: ggml('Q8_0', 'q8_0'),
  12: ggml('Q4_K', 'q4_k'),
  24: { name: 'I8', values: 1, bytes: 1, plain: 'int8' },
  25: { name: 'I16', values: 1, bytes: 2, plain: 'int16' },
  26: { name: 'I32', values: 1, bytes: 4, plain: 'int32' },
  27: { name: 'I64', values: 1, bytes: 8, plain: 'int64' },
  28: { name: 'F64', values: 1, bytes: 8, plain: 'float64' },
  30: { name: 'BF16', values: 1, bytes: 2, quant: 'bfloat16' },
};
const ARRAY_TYPES: Record<string, { new (b: ArrayBuffer, o: number, n: number): TensorArray }> = {
  float32: Float32Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, float64: Float64Array,
};
const MAX_DEPTH = 8;
/** The fewest bytes a metadata value of each type takes (a string or an array at least its length), by type id. */
const VALUE_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];

class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.at + n > this.bytes.length) throw new TensorzipError('TRUNCATED', `gguf.read: the file ends inside ${what} (at byte ${this.at})`);
  }
  u8(): number { this.need(1, 'a value'); return this.view.getUint8(this.at++); }
  u32(): number { this.need(4, 'a value'); const v = this.view.getUint32(this.at, true); this.at += 4; return v; }
  /** A u64 count or length, refused when it could not fit in the rest of the file (`unit` bytes each). */
  count(what: string, unit = 1): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    if (v * BigInt(unit) > BigInt(this.bytes.length - this.at)) throw new TensorzipError('CORRUPT', `gguf.read: ${what} ${v} is more than the rest of the file can hold`, { offset: this.at - 8 });
    return Number(v);
  }
  string(what: string): string {
    const n = this.count(`the length of ${what}`);
    const s = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(s);
    } catch (cause) {
      throw new TensorzipError('CORRUPT', `gguf.read: ${what} is not UTF-8`, { cause });
    }
  }
  value(type: number, depth: number): unknown {
    const v = this.view;
    const take = <T>(n: number, read: () => T): T => { this.need(n, 'a value'); const x = read(); this.at += n; return x; };
    switch (type) {
      case 0: return take(1, () => v.getUint8(this.at));
      case 1: return take(1, () => v.getInt8(this.at));
      case 2: return take(2, () => v.getUint16(this.at, true));
      case 3: return take(2, () => v.getInt16(this.at, true));
      case 4: return take(4, () => v.getUint32(this.at, true));
      case 5: return take(4, () => v.getInt32(this.at, true));
      case 6: return take(4, () => v.getFloat32(this.at, true));
      case 7: {
        const b = this.u8();
        if (b > 1) throw new TensorzipError('CORRUPT', `gguf.read: a bool of ${b}`, { offset: this.at - 1 });
        return b === 1;
      }
      case 8: return this.string('a string value');
      case 9: {
        if (depth >= MAX_DEPTH) throw new TensorzipError('CORRUPT', `gguf.read: arrays nested deeper than ${MAX_DEPTH}`);
        const elementType = this.u32();
        const n = this.count('an array length', VALUE_BYTES[elementType] ?? 1);
        return Array.from({ length: n }, () => this.value(elementType, depth + 1));
      }
      case 10: return take(8, () => v.getBigUint64(this.at, true));
      case 11: return take(8, () => v.getBigInt64(this.at, true));
      case 12: return take(8, () => v.getFloat64(this.at, true));
      default: throw new TensorzipError('CORRUPT', `gguf.read: unknown metadata value type ${type}`, { offset: this.at - 4 });
    }
  }
}

export function readGguf(kernels: Kernels, bytes: Uint8Array, options: GgufReadOptions = {}): GgufCodes {
  if (!(bytes instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', 'gguf.read: expected a Uint8Array');
  const r = new Reader(bytes);
  if (r.bytes.length < 24) throw new TensorzipError('TRUNCATED', `gguf.read: a GGUF file has at least 24 bytes, found ${bytes.length}`);
  if (r.u32() !== 0x46554747) throw new TensorzipError('CORRUPT', 'gguf.read: expected the magic "GGUF"', { offset: 0 });
  const version = r.u32();
  if (version !== 2 && version !== 3) throw new TensorzipError('UNSUPPORTED', `gguf.read: GGUF version ${version} (2 and 3 are read)`, { offset: 4 });
  const tensorCount = r.count('the tensor count', 24);
  const kvCount = r.count('the metadata count', 12);
  const metadata = nullObject<unknown>();
  const metadataTypes = nullObject<string>();
  for (let i = 0; i < kvCount; i++) {
    const key = r.string('a metadata key');
    if (Object.hasOwn(metadata, key)) throw new TensorzipError('CORRUPT', `gguf.read: the metadata key ${describeValue(key)} appears twice`);
    const type = r.u32();
    metadataTypes[key] = typeName(bytes, type, r.at);
    metadata[key] = r.value(type, 0);
  }
  const infos: { name: string; quoted: string; dims: number[]; type: number; offset: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string('a tensor name');
    const quoted = describeValue(name);
    if (names.has(name)) throw new TensorzipError('CORRUPT', `gguf.read: two tensors are named ${quoted}`);
    names.add(name);
    const nDims = r.u32();
    if (nDims > 8) throw new TensorzipError('CORRUPT', `gguf.read: tensor ${quoted} has ${nDims} dimensions`);
    const dims = Array.from({ length: nDims }, () => r.count(`a dimension of ${quoted}`, 0));
    const type = r.u32();
    const offset = r.count(`the offset of ${quoted}`);
    infos.push({ name, quoted, dims, type, offset });
  }
  const alignment = Object.hasOwn(metadata, 'general.alignment') ? metadata['general.alignment'] : 32;
  // llama.cpp's rule: a power of two (as a u32; any other number would misplace every tensor).
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || alignment > 2 ** 31 || (alignment & (alignment - 1)) !== 0) {
    throw new TensorzipError('CORRUPT', `gguf.read: general.alignment ${describeValue(alignment)} is not a power of two`);
  }
  const dataStart = Math.ceil(r.at / alignment) * alignment;
  const tensors = nullObject<TensorInput | QuantizedTensorInput>();
  for (const info of infos) {
    const type = TYPES[info.type];
    if (type === undefined) throw new TensorzipError('UNSUPPORTED', `gguf.read: tensor ${info.quoted} has ggml type ${info.type} (read: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, I8–I64, F64)`);
    const shape = [...info.dims].reverse();
    if (!shape.every(Number.isSafeInteger)) throw new TensorzipError('LIMIT', `gguf.read: tensor ${info.quoted} has a dimension over 2^53`);
    const count = elementCount(shape, `gguf.read: tensor ${info.quoted}`);
    if ((info.dims[0] ?? 1) % type.values !== 0) throw new TensorzipError('CORRUPT', `gguf.read: tensor ${info.quoted} (${type.name}) has rows of ${info.dims[0]}, not whole blocks of ${type.values}`);
    const size = (count / type.values) * type.bytes;
    const start = dataStart + info.offset;
    if (info.offset % alignment !== 0) throw new TensorzipError('CORRUPT', `gguf.read: tensor ${info.quoted} is at offset ${info.offset}, not a multiple of ${alignment}`);
    if (start + size > bytes.length) throw new TensorzipError('TRUNCATED', `gguf.read: tensor ${info.quoted} needs bytes ${start}–${start + size}, the file has ${bytes.length}`);
    const raw = new Uint8Array(bytes.subarray(start, start + size));
    if (type.plain) {
      tensors[info.name] = { dtype: type.plain, shape, data: new ARRAY_TYPES[type.plain](raw.buffer, 0, count) };
    } else {
      const data = type.quant === 'float16' || type.quant === 'bfloat16' ? new Uint16Array(raw.buffer, 0, count) : raw;
      const codes = { dtype: type.quant!, shape, data, scale: null, zeroPoint: null, axis: null, blockSize: null };
      tensors[info.name] = options.codes ? { quantized: codes } : { dtype: 'float32', shape, data: dequantize(kernels, codes) };
    }
  }
  return { version, metadata, metadataTypes, tensors };
}
