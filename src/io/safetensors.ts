// safetensors (Hugging Face): read with the reference implementation's checks, write as its writer does.
//   u64 N, then N bytes of UTF-8 JSON { "__metadata__"?: {…}, name: { dtype, shape, data_offsets: [begin, end] } },
//   then the data, tensors tiling it exactly. Reading copies each tensor into its own aligned array.
import { TensorzipError } from '../errors';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import type { TensorInput } from '../format/pack';
import { describeValue } from '../codecs/describe-value';
import { elementCount, nullObject, ownEntry } from './untrusted';

/** The reference implementation's cap on the header (MAX_HEADER_SIZE). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

const NAMES: Record<string, TensorDtype> = {
  BOOL: 'bool', U8: 'uint8', I8: 'int8', F8_E5M2: 'float8e5m2', F8_E4M3: 'float8e4m3fn', I16: 'int16', U16: 'uint16',
  F16: 'float16', BF16: 'bfloat16', I32: 'int32', U32: 'uint32', F32: 'float32', F64: 'float64', I64: 'int64', U64: 'uint64',
};
const CODES = Object.fromEntries(Object.entries(NAMES).map(([code, dtype]) => [dtype, code])) as Record<TensorDtype, string>;

export interface Safetensors {
  tensors: Record<string, TensorInput>;
  metadata: Record<string, string>;
}

const corrupt = (message: string) => new TensorzipError('CORRUPT', `safetensors.read: ${message}`);

export function readSafetensors(bytes: Uint8Array): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', 'safetensors.read: expected a Uint8Array');
  if (bytes.length < 8) throw new TensorzipError('TRUNCATED', `safetensors.read: a file starts with an 8-byte header length, found ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) throw new TensorzipError('LIMIT', `safetensors.read: a header of ${n} bytes is over the limit of ${MAX_SAFETENSORS_HEADER}`);
  const headerEnd = 8 + Number(n);
  if (headerEnd > bytes.length) throw new TensorzipError('TRUNCATED', `safetensors.read: the header needs ${headerEnd} bytes, the file has ${bytes.length}`);
  if (bytes[8] !== 0x7b) throw corrupt('the header does not start with "{"');
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd));
    header = JSON.parse(text);
  } catch (cause) {
    throw new TensorzipError('CORRUPT', 'safetensors.read: the header is not valid UTF-8 JSON', { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corrupt('the header is not a JSON object');
  const members = Object.keys(header);
  const fields = members.map((name) => (header as Record<string, unknown>)[name])
    .reduce((n: number, v) => n + (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v).length : 0), 0);
  const [topInText, fieldsInText] = countMembers(text);
  if (topInText !== members.length || fieldsInText !== fields) throw corrupt('the header gives a name twice (a tensor, a field of one, or a metadata key)');
  const entries: { name: string; dtype: TensorDtype; shape: number[]; begin: number; end: number }[] = [];
  const metadata = nullObject<string>();
  for (const name of members) {
    const value: unknown = (header as Record<string, unknown>)[name];
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) throw corrupt('__metadata__ must map strings to strings');
      Object.assign(metadata, value);
      continue;
    }
    const quoted = describeValue(name);
    const v = (typeof value === 'object' && value !== null ? value : {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = ownEntry(NAMES, v.dtype);
    if (dtype === undefined) throw new TensorzipError(typeof v.dtype === 'string' ? 'UNSUPPORTED' : 'CORRUPT', `safetensors.read: tensor ${quoted} has dtype ${describeValue(v.dtype)}`);
    const isCount = (d: unknown) => Number.isSafeInteger(d) && (d as number) >= 0;
    if (!Array.isArray(v.shape) || !v.shape.every(isCount)) throw corrupt(`tensor ${quoted}: shape must list non-negative integers`);
    if (!Array.isArray(v.data_offsets) || v.data_offsets.length !== 2 || !v.data_offsets.every(isCount)) throw corrupt(`tensor ${quoted}: data_offsets must be [begin, end]`);
    const [begin, end] = v.data_offsets as number[];
    const size = elementCount(v.shape as number[], `safetensors.read: tensor ${quoted}`) * TENSOR_DTYPES[dtype].bytes;
    if (end < begin || end - begin !== size) throw corrupt(`tensor ${quoted}: data_offsets [${begin}, ${end}] do not hold its ${size} bytes`);
    entries.push({ name, dtype, shape: v.shape as number[], begin, end });
  }
  // The tensors must tile the data exactly: no gap, no overlap, nothing after the last.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) throw corrupt(`tensor ${describeValue(e.name)} starts at ${e.begin}, expected ${at} (gap or overlap)`);
    at = e.end;
  }
  if (headerEnd + at !== bytes.length) throw new TensorzipError(headerEnd + at > bytes.length ? 'TRUNCATED' : 'CORRUPT', `safetensors.read: the tensors end at ${headerEnd + at}, the file at ${bytes.length}`);
  const tensors = nullObject<TensorInput>();
  for (const e of entries) {
    const { array, bytes: width } = TENSOR_DTYPES[e.dtype];
    const copy = new Uint8Array(bytes.subarray(headerEnd + e.begin, headerEnd + e.end));
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: new array(copy.buffer, 0, (e.end - e.begin) / width) as TensorArray };
  }
  return { tensors, metadata };
}

/**
 * Members of the outermost JSON object and of the objects that are its values, duplicates included: JSON.parse
 * keeps only the last of a repeated name, so comparing these with the parsed keys finds the repeats.
 */
function countMembers(json: string): [outer: number, inner: number] {
  let depth = 0;
  const members = [0, 0, 0];
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) { // a string: skip to its closing quote, past escapes
      for (i++; json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && depth <= 2) members[depth]++;
  }
  return [members[1], members[2]];
}

export function writeSafetensors(tensors: Record<string, TensorInput>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (ownEntry(CODES, t?.dtype) === undefined) throw new TensorzipError('ARGUMENT', `safetensors.write: tensor ${describeValue(name)} has dtype ${describeValue(t?.dtype)}`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (!(t.data instanceof TENSOR_DTYPES[t.dtype].array) || t.data.length !== count) throw new TensorzipError('ARGUMENT', `safetensors.write: tensor ${describeValue(name)} needs a ${TENSOR_DTYPES[t.dtype].array.name} of ${count} elements`);
  }
  // As the reference writer: larger elements first (so every tensor stays aligned to its size), then by name.
  names.sort((a, b) => TENSOR_DTYPES[tensors[b].dtype].bytes - TENSOR_DTYPES[tensors[a].dtype].bytes || (a < b ? -1 : a > b ? 1 : 0));
  const header = nullObject<unknown>();
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  for (const name of names) {
    const t = tensors[name];
    header[name] = { dtype: CODES[t.dtype], shape: [...t.shape], data_offsets: [at, at + t.data.byteLength] };
    at += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}
