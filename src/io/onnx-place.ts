// A .tzip's ONNX model laid out for its tensors to be decoded straight into it: the model entry's bytes with, at the
// end of each stripped TensorProto, a raw_data field whose payload is left for the tensor's bytes, and the lengths of
// the messages that enclose it grown. The bytes are writeModel's with every tensor inline (onnx-write.ts), made without
// rewriting the model: a lean scan of the entry (no field objects; strings decoded only for the names of tensors and of
// the nodes that hold subgraphs) finds the TensorProtos onnx-walk.ts visits and names them as it does. Anything
// writeModel would refuse or write otherwise — a TensorProto that still holds values, 4-bit types, a model past 2 GiB,
// tensors that do not match the model — makes no plan (null), and the caller takes writeModel's way, which says what is
// wrong. Fields the walk does not read (node inputs, doc strings, …) are not checked here; ONNX Runtime reads them.
// onnx.proto field numbers as in onnx-walk.ts and onnx-tensor.ts.
import { TENSOR_DTYPES, type TensorDtype } from '../format/dtypes';
import { allocateForOverwrite } from '../codecs/output-bytes';
import { MAX_TENSOR_ELEMENTS } from './untrusted';
import { DATA_FIELDS, ONNX_TYPES } from './onnx-tensor';
import { isConstant, MAX_GRAPH_DEPTH, subgraphPrefix, uniqueNames } from './onnx-walk';

/** A tensor's place in the model: its raw_data payload, `length` bytes at `offset`. */
export interface TensorPlace {
  name: string;
  offset: number;
  length: number;
}

export interface PlacedModel {
  /** The .onnx bytes; each place's payload is left for its tensor (not zero-filled). */
  bytes: Uint8Array;
  places: TensorPlace[];
}

/** Protobuf messages are at most 2 GiB − 1. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;
const RAW_DATA_TAG = 9 * 8 + 2;

/** Thrown inside the scan when the entry is not one to place: the caller falls back to writeModel. */
class NoPlan {}
const noPlan = new NoPlan();
const utf8 = new TextDecoder('utf-8', { fatal: true });

const varintBytes = (value: number) => {
  let n = 1;
  while (value >= 0x80) { value = Math.floor(value / 0x80); n++; }
  return n;
};

/** A message whose length may grow: its length varint at [at, payloadAt), `added` bytes more in it; the message that
 *  holds it. */
interface Grown { at: number; payloadAt: number; length: number; added: number; parent: Grown | null; place: null }
/** A raw_data field appended at `at` (the end of a stripped TensorProto). */
interface Inserted { at: number; place: TensorPlace }

/**
 * The model of `entry` (a .tzip's `onnx` model entry) with a place for each of `tensors` (the archive's: name → dtype
 * and shape), or null when writeModel is to write it (see above).
 */
export function placeModel(entry: Uint8Array, tensors: ReadonlyMap<string, { dtype: TensorDtype; shape: readonly number[] }>): PlacedModel | null {
  try {
    return place(entry, tensors);
  } catch (err) {
    if (err === noPlan) return null;
    throw err;
  }
}

function place(b: Uint8Array, tensors: ReadonlyMap<string, { dtype: TensorDtype; shape: readonly number[] }>): PlacedModel {
  const unique = uniqueNames();
  // Edits in the order of their positions in the entry: a message's length comes before what it holds.
  const edits: (Grown | Inserted)[] = [];
  const open: Grown[] = [];
  let used = 0;
  let pos = 0;

  /** A varint of at most 2^49 (lengths, tags, dimensions; a larger one is no plan). */
  const varint = (end: number): number => {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (pos >= end || scale > 2 ** 49) throw noPlan;
      const byte = b[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  };
  /** Steps over a varint of any value (a negative int64 takes ten bytes). */
  const skipVarint = (end: number) => {
    for (let n = 0; ; n++) {
      if (pos >= end || n === 10) throw noPlan;
      if (b[pos++]! < 0x80) return;
    }
  };
  /** Reads a tag at `pos`: its field number × 8 + wire type. */
  const tag = (end: number): number => {
    const t = varint(end);
    if (t < 8 || t >= 2 ** 32) throw noPlan;
    return t;
  };
  /** Skips the value of a field of wire type `wire`; a LEN field's payload end. */
  const skip = (wire: number, end: number): number => {
    if (wire === 0) skipVarint(end);
    else if (wire === 2) {
      const length = varint(end);
      if (length > end - pos) throw noPlan;
      pos += length;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > end) throw noPlan;
    } else throw noPlan;
    return pos;
  };
  /** The payload of a LEN field whose tag was just read: [start, end); `pos` at its end. */
  const payload = (wire: number, end: number): number => {
    if (wire !== 2) throw noPlan;
    const length = varint(end);
    if (length > end - pos) throw noPlan;
    const start = pos;
    pos += length;
    return start;
  };
  /** A string field's payload; ASCII (names nearly always are) without TextDecoder, which costs more per call. */
  const text = (start: number, end: number): string => {
    let ascii = '';
    for (let i = start; i < end; i++) {
      if (b[i]! >= 0x80) {
        try {
          return utf8.decode(b.subarray(start, end));
        } catch {
          throw noPlan;
        }
      }
      ascii += String.fromCharCode(b[i]!);
    }
    return ascii;
  };
  /** Enters the LEN field whose length varint starts at `lengthAt` (its payload at pos … end). */
  const enter = (lengthAt: number, start: number, end: number): Grown => {
    const grown: Grown = { at: lengthAt, payloadAt: start, length: end - start, added: 0, parent: open[open.length - 1] ?? null, place: null };
    edits.push(grown);
    open.push(grown);
    return grown;
  };
  const leave = () => void open.pop();

  /** A TensorProto the walk visits at [start, end): its name `base`, or its own name with `base` null. */
  const tensorSite = (start: number, end: number, prefix: string, valueName: string | null) => {
    let name = '';
    let dataType = 0;
    const dims: number[] = [];
    let stripped = true;
    for (pos = start; pos < end;) {
      const t = tag(end);
      const field = t >>> 3;
      const wire = t & 7;
      if (field === 1 && wire === 0) dims.push(varint(end));
      else if (field === 1) {
        const from = payload(wire, end);
        const to = pos;
        for (pos = from; pos < to;) dims.push(varint(to));
      } else if (field === 2) {
        if (wire !== 0) throw noPlan;
        dataType = varint(end);
      } else if (field === 8) {
        const from = payload(wire, end);
        name = text(from, pos);
      } else {
        if (field === 3) throw noPlan; // segments: the walk refuses them
        if (DATA_FIELDS.has(field)) stripped = false;
        skip(wire, end);
      }
    }
    if (valueName === null && name === '') throw noPlan;
    const tensorName = unique(prefix + (valueName ?? name));
    const tensor = tensors.get(tensorName);
    const type = ONNX_TYPES[dataType];
    // As elementCount: no elements with a zero dimension, else past MAX_TENSOR_ELEMENTS is writeModel's LIMIT (a
    // negative dimension is already no plan: ten bytes, past 2^49).
    let count = dims.includes(0) ? 0 : 1;
    for (let i = 0; i < dims.length && count > 0; i++) {
      count *= dims[i]!;
      if (count > MAX_TENSOR_ELEMENTS) throw noPlan;
    }
    if (tensor === undefined) {
      // writeModel refuses a stripped TensorProto with elements and nothing to fill it.
      if (stripped && type !== undefined && count > 0) throw noPlan;
      return;
    }
    if (!stripped || type === undefined || type.nibbles || tensor.dtype !== type.dtype
      || tensor.shape.length !== dims.length || tensor.shape.some((d, i) => d !== dims[i])) throw noPlan;
    used++;
    const length = count * TENSOR_DTYPES[type.dtype].bytes;
    const added = 1 + varintBytes(length) + length;
    open[open.length - 1]!.added += added;
    edits.push({ at: end, place: { name: tensorName, offset: 0, length } });
  };

  const graph = (start: number, end: number, prefix: string, depth: number) => {
    if (depth > MAX_GRAPH_DEPTH) throw noPlan;
    for (pos = start; pos < end;) {
      const t = tag(end);
      const field = t >>> 3;
      if (field !== 1 && field !== 5) {
        skip(t & 7, end);
        continue;
      }
      const lengthAt = pos;
      const from = payload(t & 7, end);
      const to = pos;
      if (field === 1) node(lengthAt, from, to, prefix, depth);
      else {
        enter(lengthAt, from, to);
        tensorSite(from, to, prefix, null);
        leave();
      }
      pos = to;
    }
  };

  /** A node (its length at `lengthAt`): only one that holds a subgraph or a Constant's value is more than skipped over. */
  const node = (lengthAt: number, start: number, end: number, prefix: string, depth: number) => {
    // Where the strings are: decoded only for a node that holds something (few do).
    let nameAt = -1, nameEnd = -1, outputAt = -1, outputEnd = -1, opTypeAt = -1, opTypeEnd = -1, domainAt = -1, domainEnd = -1;
    let holds = false;
    for (pos = start; pos < end;) {
      const t = tag(end);
      const field = t >>> 3;
      if (field < 2 || field > 7 || field === 6) {
        skip(t & 7, end);
        continue;
      }
      const from = payload(t & 7, end);
      const to = pos;
      if (field === 2 && outputAt < 0) { outputAt = from; outputEnd = to; }
      else if (field === 3) { nameAt = from; nameEnd = to; }
      else if (field === 4) { opTypeAt = from; opTypeEnd = to; }
      else if (field === 7) { domainAt = from; domainEnd = to; }
      else if (field === 5) {
        for (pos = from; pos < to;) {
          const a = tag(to);
          if (a >>> 3 === 5 || a >>> 3 === 6 || a >>> 3 === 11) holds = true;
          skip(a & 7, to);
        }
      }
      pos = to;
    }
    if (!holds) return;
    const output = outputAt < 0 ? '' : text(outputAt, outputEnd);
    const key = (nameAt < 0 ? '' : text(nameAt, nameEnd)) || output;
    const constant = isConstant(opTypeAt < 0 ? '' : text(opTypeAt, opTypeEnd), domainAt < 0 ? '' : text(domainAt, domainEnd));
    enter(lengthAt, start, end);
    for (pos = start; pos < end;) {
      const t = tag(end);
      if (t >>> 3 !== 5) {
        skip(t & 7, end);
        continue;
      }
      const attributeAt = pos;
      const from = payload(t & 7, end);
      const to = pos;
      enter(attributeAt, from, to);
      attribute(from, to, key, output, constant, prefix, depth);
      leave();
      pos = to;
    }
    leave();
  };

  const attribute = (start: number, end: number, key: string, output: string, constant: boolean, prefix: string, depth: number) => {
    let attributeName = '';
    for (pos = start; pos < end;) {
      const t = tag(end);
      if (t >>> 3 === 1) {
        const from = payload(t & 7, end);
        attributeName = text(from, pos);
      } else if (t >>> 3 === 3 && (t & 7) !== 0) throw noPlan;
      else skip(t & 7, end);
    }
    let index = 0;
    for (pos = start; pos < end;) {
      const t = tag(end);
      const field = t >>> 3;
      const isValue = field === 5 && constant && attributeName === 'value';
      if (!isValue && field !== 6 && field !== 11) {
        skip(t & 7, end);
        continue;
      }
      if (isValue ? output === '' : key === '') throw noPlan;
      const lengthAt = pos;
      const from = payload(t & 7, end);
      const to = pos;
      enter(lengthAt, from, to);
      if (isValue) tensorSite(from, to, prefix, output);
      else graph(from, to, subgraphPrefix(prefix, key, attributeName, field === 11 ? index++ : null), depth + 1);
      leave();
      pos = to;
    }
  };

  let graphs = 0;
  for (pos = 0; pos < b.length;) {
    const t = tag(b.length);
    if (t >>> 3 !== 7) {
      skip(t & 7, b.length);
      continue;
    }
    if (++graphs > 1) throw noPlan;
    const lengthAt = pos;
    const from = payload(t & 7, b.length);
    const to = pos;
    enter(lengthAt, from, to);
    graph(from, to, '', 0);
    leave();
    pos = to;
  }
  if (graphs === 0 || used !== tensors.size) throw noPlan;
  return write(b, edits);
}

/** The entry's bytes with each edit made: grown lengths written anew, raw_data fields appended. */
function write(b: Uint8Array, edits: readonly (Grown | Inserted)[]): PlacedModel {
  // Innermost first (the edits are in pre-order): a message grows by what its fields grow, their lengths' varints too.
  let size = b.length;
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i]!;
    if (e.place !== null || e.added === 0) continue;
    const grows = e.added + varintBytes(e.length + e.added) - (e.payloadAt - e.at);
    if (e.parent === null) size += grows;
    else e.parent.added += grows;
  }
  if (size > MAX_MESSAGE_BYTES) throw noPlan;
  const out = allocateForOverwrite(size);
  const places: TensorPlace[] = [];
  let from = 0;
  let to = 0;
  const putVarint = (value: number) => {
    while (value >= 0x80) {
      out[to++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    out[to++] = value;
  };
  for (const e of edits) {
    if (e.place === null && e.added === 0) continue;
    out.set(b.subarray(from, e.at), to);
    to += e.at - from;
    from = e.at;
    if (e.place === null) {
      putVarint(e.length + e.added);
      from = e.payloadAt;
    } else {
      out[to++] = RAW_DATA_TAG;
      putVarint(e.place.length);
      e.place.offset = to;
      to += e.place.length;
      places.push(e.place);
    }
  }
  out.set(b.subarray(from), to);
  return { bytes: out, places };
}
