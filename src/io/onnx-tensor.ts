// One ONNX TensorProto: its header (name, dims, data_type), its data read from raw_data, the typed fields or an
// external file, and the same TensorProto written back with raw_data or an external_data reference.
// onnx.proto: dims 1, data_type 2, segment 3, float_data 4, int32_data 5, string_data 6, int64_data 7, name 8,
// raw_data 9, double_data 10, uint64_data 11, external_data 13, data_location 14.
import { TensorzipError, type TensorzipErrorCode } from '../errors';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import type { TensorInput } from '../format/pack';
import { describeValue } from '../codecs/describe-value';
import { elementCount } from './untrusted';
import { expectWire, fields, I32, I64, int64Of, LEN, ProtoWriter, readVarint, stringValue, unsignedValue, VARINT, type Field } from './protobuf-wire';

const DIMS = 1, DATA_TYPE = 2, SEGMENT = 3, FLOAT_DATA = 4, INT32_DATA = 5, STRING_DATA = 6, INT64_DATA = 7, NAME = 8, RAW_DATA = 9,
  DOUBLE_DATA = 10, UINT64_DATA = 11, EXTERNAL_DATA = 13, DATA_LOCATION = 14;
/** The fields that hold a tensor's values (string_data 6 included): what a stripped TensorProto lacks. */
export const DATA_FIELDS = new Set([FLOAT_DATA, INT32_DATA, STRING_DATA, INT64_DATA, RAW_DATA, DOUBLE_DATA, UINT64_DATA, EXTERNAL_DATA, DATA_LOCATION]);

interface OnnxType {
  name: string;
  dtype: TensorDtype;
  /** The typed field that holds the values when raw_data does not. */
  field: number;
  /** The range of a value in int32_data / uint64_data. */
  min?: number;
  max?: number;
  /** 4-bit types: two values a byte (first in the low nibble), read as one int8 / uint8 element each. */
  nibbles?: boolean;
}

/** ONNX TensorProto.DataType → how tensorzip holds it. Other types (string, complex, float8 *FNUZ, float4) stay in
 *  the model as they are. */
export const ONNX_TYPES: Readonly<Record<number, OnnxType>> = {
  1: { name: 'FLOAT', dtype: 'float32', field: FLOAT_DATA },
  2: { name: 'UINT8', dtype: 'uint8', field: INT32_DATA, min: 0, max: 255 },
  3: { name: 'INT8', dtype: 'int8', field: INT32_DATA, min: -128, max: 127 },
  4: { name: 'UINT16', dtype: 'uint16', field: INT32_DATA, min: 0, max: 65535 },
  5: { name: 'INT16', dtype: 'int16', field: INT32_DATA, min: -32768, max: 32767 },
  6: { name: 'INT32', dtype: 'int32', field: INT32_DATA, min: -(2 ** 31), max: 2 ** 31 - 1 },
  7: { name: 'INT64', dtype: 'int64', field: INT64_DATA },
  9: { name: 'BOOL', dtype: 'bool', field: INT32_DATA, min: 0, max: 1 },
  10: { name: 'FLOAT16', dtype: 'float16', field: INT32_DATA, min: 0, max: 65535 },
  11: { name: 'DOUBLE', dtype: 'float64', field: DOUBLE_DATA },
  12: { name: 'UINT32', dtype: 'uint32', field: UINT64_DATA, min: 0, max: 2 ** 32 - 1 },
  13: { name: 'UINT64', dtype: 'uint64', field: UINT64_DATA },
  16: { name: 'BFLOAT16', dtype: 'bfloat16', field: INT32_DATA, min: 0, max: 65535 },
  17: { name: 'FLOAT8E4M3FN', dtype: 'float8e4m3fn', field: INT32_DATA, min: 0, max: 255 },
  19: { name: 'FLOAT8E5M2', dtype: 'float8e5m2', field: INT32_DATA, min: 0, max: 255 },
  21: { name: 'UINT4', dtype: 'uint8', field: INT32_DATA, min: 0, max: 255, nibbles: true },
  22: { name: 'INT4', dtype: 'int8', field: INT32_DATA, min: -128, max: 255, nibbles: true },
};

export interface TensorProtoInfo {
  bytes: Uint8Array;
  name: string;
  dims: number[];
  dataType: number;
  /** Whether any field holds values (or points to them): a stripped TensorProto has none. */
  hasData: boolean;
  /** Whether it holds strings (string_data), which stay in the model. */
  hasStrings: boolean;
}

export function parseTensorProto(bytes: Uint8Array, what: string): TensorProtoInfo {
  const info: TensorProtoInfo = { bytes, name: '', dims: [], dataType: 0, hasData: false, hasStrings: false };
  const dim = (lo: number, hi: number, offset: number) => {
    const d = int64Of(lo, hi);
    if (d < 0n) throw new TensorzipError('CORRUPT', `${what}: a dimension of ${d}`, { offset });
    if (d > BigInt(Number.MAX_SAFE_INTEGER)) throw new TensorzipError('LIMIT', `${what}: a dimension of ${d}`, { offset });
    info.dims.push(Number(d));
  };
  for (const f of fields(bytes, what)) {
    if (f.number === DIMS) {
      if (f.wire === LEN) forEachVarint(f, what, (lo, hi) => dim(lo, hi, f.start));
      else dim(expectWire(f, VARINT, what).lo, f.hi, f.start);
    } else if (f.number === DATA_TYPE) info.dataType = unsignedValue(expectWire(f, VARINT, what), `${what} data_type`);
    else if (f.number === NAME) info.name = stringValue(f, `${what} name`);
    else if (f.number === SEGMENT) throw new TensorzipError('UNSUPPORTED', `${what}: a tensor in segments`, { offset: f.start });
    else if (DATA_FIELDS.has(f.number)) {
      info.hasData = true;
      if (f.number === STRING_DATA) info.hasStrings = true;
    }
  }
  return info;
}

/** Calls `put` with each varint of a packed field. */
function forEachVarint(f: Field, what: string, put: (lo: number, hi: number) => void): void {
  for (let at = 0; at < f.data.length;) {
    const [lo, hi, next] = readVarint(f.data, at, f.data.length, what);
    put(lo, hi);
    at = next;
  }
}

/** How many values a field holds (packed or not), without reading them. */
function valueCount(f: Field, width: number, what: string): number {
  if (f.wire !== LEN) return 1;
  if (width > 0) {
    if (f.data.length % width !== 0) throw new TensorzipError('CORRUPT', `${what}: a packed field of ${f.data.length} bytes, not whole values of ${width}`, { offset: f.start });
    return f.data.length / width;
  }
  let n = 0;
  for (const b of f.data) if (b < 0x80) n++;
  if (f.data.length > 0 && f.data[f.data.length - 1] >= 0x80) throw new TensorzipError('TRUNCATED', `${what}: a packed field ends inside a varint`, { offset: f.start });
  return n;
}

export interface ReadContext {
  /** An external data file by its `location`; undefined when there is none. */
  externalFile(location: string): Uint8Array | undefined;
  /** Bytes read from each external file so far: more than the file holds is CORRUPT, so that a small model cannot
   *  copy a file many times over by pointing many tensors at it. */
  externalBytesRead: Map<string, number>;
}

/** The tensor a TensorProto holds, or null for a type that stays in the model (see ONNX_TYPES). */
export function readTensorData(info: TensorProtoInfo, context: ReadContext, what: string): TensorInput | null {
  const type = ONNX_TYPES[info.dataType];
  if (type === undefined || info.hasStrings) return null;
  const count = elementCount(info.dims, what);
  const storedBytes = type.nibbles ? Math.ceil(count / 2) : count * TENSOR_DTYPES[type.dtype].bytes;
  const raw = rawBytes(info, context, storedBytes, what);
  if (raw !== null) {
    if (raw.length !== storedBytes) throw new TensorzipError('CORRUPT', `${what}: ${type.name} [${info.dims}] takes ${storedBytes} bytes, raw_data has ${raw.length}`);
    return { dtype: type.dtype, shape: info.dims, data: type.nibbles ? unpackNibbles(raw, count, type.dtype === 'int8') : arrayOf(type.dtype, raw) };
  }
  return { dtype: type.dtype, shape: info.dims, data: typedValues(info, type, count, what) };
}

/** raw_data, or the external file's range; null when the values are in a typed field. */
function rawBytes(info: TensorProtoInfo, context: ReadContext, storedBytes: number, what: string): Uint8Array | null {
  let raw: Uint8Array | null = null;
  let external = false;
  const entries: Record<string, string> = Object.create(null);
  for (const f of fields(info.bytes, what)) {
    if (f.number === RAW_DATA) raw = expectWire(f, LEN, what).data;
    else if (f.number === DATA_LOCATION) external = unsignedValue(expectWire(f, VARINT, what), `${what} data_location`) === 1;
    else if (f.number === EXTERNAL_DATA) {
      let key = '';
      let value = '';
      for (const e of fields(expectWire(f, LEN, what).data, `${what} external_data`)) {
        if (e.number === 1) key = stringValue(e, `${what} external_data key`);
        else if (e.number === 2) value = stringValue(e, `${what} external_data value`);
      }
      entries[key] = value;
    }
  }
  if (!external) return raw;
  const location = entries.location;
  if (location === undefined) throw new TensorzipError('CORRUPT', `${what}: external data without a location`);
  const file = context.externalFile(location);
  if (file === undefined) throw new TensorzipError('TRUNCATED', `${what}: its data is in ${describeValue(location)}, which externalData does not give`);
  const number = (key: string, fallback: number): number => {
    const text = entries[key];
    if (text === undefined) return fallback;
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw new TensorzipError('CORRUPT', `${what}: external data ${key} ${describeValue(text)}`);
    return Number(text);
  };
  const offset = number('offset', 0);
  const length = number('length', storedBytes);
  if (offset + length > file.length) throw new TensorzipError('TRUNCATED', `${what}: external data ${describeValue(location)} has ${file.length} bytes, the tensor needs ${offset}–${offset + length}`);
  const read = (context.externalBytesRead.get(location) ?? 0) + length;
  if (read > file.length) throw new TensorzipError('CORRUPT', `${what}: the tensors read ${read} bytes from ${describeValue(location)}, which has ${file.length}`);
  context.externalBytesRead.set(location, read);
  return file.subarray(offset, offset + length);
}

/** A copy of `bytes` in an aligned buffer, as the dtype's array. */
function arrayOf(dtype: TensorDtype, bytes: Uint8Array): TensorArray {
  const { array } = TENSOR_DTYPES[dtype];
  const copy = new Uint8Array(bytes);
  return new array(copy.buffer, 0, bytes.length / array.BYTES_PER_ELEMENT);
}

function unpackNibbles(packed: Uint8Array, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const nibble = (packed[i >> 1] >> ((i & 1) * 4)) & 0x0f;
    out[i] = signed && nibble >= 8 ? nibble - 16 : nibble;
  }
  return out;
}

/** The values of the type's typed field (float_data, int32_data, int64_data, double_data, uint64_data). */
function typedValues(info: TensorProtoInfo, type: OnnxType, count: number, what: string): TensorArray {
  const width = type.field === FLOAT_DATA ? 4 : type.field === DOUBLE_DATA ? 8 : 0;
  const expected = type.nibbles ? Math.ceil(count / 2) : count;
  let found = 0;
  for (const f of fields(info.bytes, what)) if (f.number === type.field) found += valueCount(f, width, what);
  if (found !== expected) throw new TensorzipError('CORRUPT', `${what}: ${type.name} [${info.dims}] has ${expected} values, its typed field ${found}`);
  if (width > 0) {
    const out = new Uint8Array(count * width);
    let at = 0;
    for (const f of fields(info.bytes, what)) {
      if (f.number !== type.field) continue;
      if (f.wire !== LEN) expectWire(f, width === 4 ? I32 : I64, what);
      out.set(f.data, at);
      at += f.data.length;
    }
    return arrayOf(type.dtype, out);
  }
  const out = type.nibbles ? new Uint8Array(expected) : new TENSOR_DTYPES[type.dtype].array(count);
  let i = 0;
  const put = (lo: number, hi: number, offset: number) => {
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      out[i++] = int64Of(lo, hi);
      return;
    }
    // int32_data holds int32 values as sign-extended varints; uint64_data (uint32 here) unsigned ones.
    const value = type.field === UINT64_DATA ? hi * 2 ** 32 + lo : hi === 0 ? lo : hi === 0xffffffff && lo >= 2 ** 31 ? lo - 2 ** 32 : NaN;
    if (!(value >= type.min! && value <= type.max!)) throw new TensorzipError('CORRUPT', `${what}: a ${type.name} value of ${hi * 2 ** 32 + lo} (${type.min}–${type.max})`, { offset });
    out[i++] = type.nibbles ? value & 0xff : value;
  };
  for (const f of fields(info.bytes, what)) {
    if (f.number !== type.field) continue;
    if (f.wire === LEN) forEachVarint(f, what, (lo, hi) => put(lo, hi, f.start));
    else put(expectWire(f, VARINT, what).lo, f.hi, f.start);
  }
  return type.nibbles ? unpackNibbles(out as Uint8Array, count, type.dtype === 'int8') : out;
}

export type Placement = { inline: true } | { inline: false; location: string; offset: number };

/**
 * The TensorProto with `tensor`'s values in raw_data (or in an external file at `offset`), its other fields kept.
 * `blame` is the code for a tensor that does not fit the TensorProto's type and dims.
 */
export function writeTensorProto(info: TensorProtoInfo, tensor: TensorInput, placement: Placement, blame: TensorzipErrorCode, what: string): { proto: ProtoWriter; data: Uint8Array } {
  const data = tensorBytes(info, tensor, blame, what);
  const proto = new ProtoWriter();
  for (const f of fields(info.bytes, 'a TensorProto')) if (!DATA_FIELDS.has(f.number)) proto.raw(info.bytes.subarray(f.start, f.end));
  if (placement.inline) {
    proto.bytesField(RAW_DATA, data);
  } else {
    const entry = (key: string, value: string) => new ProtoWriter().stringField(1, key).stringField(2, value);
    proto.messageField(EXTERNAL_DATA, entry('location', placement.location));
    proto.messageField(EXTERNAL_DATA, entry('offset', String(placement.offset)));
    proto.messageField(EXTERNAL_DATA, entry('length', String(data.length)));
    proto.varintField(DATA_LOCATION, 1);
  }
  return { proto, data };
}

/** The TensorProto without its values (a stripped TensorProto: what a .tzip's model entry holds). */
export function stripTensorProto(info: TensorProtoInfo): ProtoWriter {
  const proto = new ProtoWriter();
  for (const f of fields(info.bytes, 'a TensorProto')) if (!DATA_FIELDS.has(f.number)) proto.raw(info.bytes.subarray(f.start, f.end));
  return proto;
}

/** raw_data bytes of a tensor, checked against the TensorProto's type and dims. */
function tensorBytes(info: TensorProtoInfo, tensor: TensorInput, blame: TensorzipErrorCode, what: string): Uint8Array {
  const type = ONNX_TYPES[info.dataType];
  const count = elementCount(info.dims, what);
  const data = tensor?.data as TensorArray | undefined;
  const shape: unknown = tensor?.shape;
  if (type === undefined || tensor?.dtype !== type.dtype || !(data instanceof TENSOR_DTYPES[type.dtype].array) || data.length !== count
    || !Array.isArray(shape) || shape.length !== info.dims.length || shape.some((d, i) => d !== info.dims[i])) {
    throw new TensorzipError(blame, `${what}: the model's ${type?.name ?? `type ${info.dataType}`} [${info.dims}] does not take a ${describeValue(tensor?.dtype)} tensor of shape [${tensor?.shape}]`);
  }
  if (!type.nibbles) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const signed = type.dtype === 'int8';
  const packed = new Uint8Array(Math.ceil(count / 2));
  for (let i = 0; i < count; i++) {
    const v = data[i] as number;
    if (signed ? v < -8 || v > 7 : v > 15) throw new TensorzipError(blame, `${what}: ${type.name} holds ${signed ? '-8–7' : '0–15'}, found ${v}`);
    packed[i >> 1] |= (v & 0x0f) << ((i & 1) * 4);
  }
  return packed;
}
