// Small ONNX models built field by field from onnx.proto's field numbers, for tests: written apart from src/io's
// protobuf code, so that a model built here checks that code rather than repeating it.
type Bytes = number[];

function varint(value: bigint | number): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
export const intField = (field: number, value: bigint | number): Bytes => [...key(field, 0), ...varint(value)];
export const bytesField = (field: number, payload: ArrayLike<number>): Bytes => [...key(field, 2), ...varint(payload.length), ...Array.from(payload)];
export const stringField = (field: number, s: string): Bytes => bytesField(field, new TextEncoder().encode(s));

export interface TensorSpec {
  name: string;
  dataType: number;
  dims: number[];
  raw?: Uint8Array;
  /** float_data (4), as packed fixed32 — or one field per value with `unpacked`. */
  floats?: number[];
  /** int32_data (5), int64_data (7), uint64_data (11): packed varints (or one field per value with `unpacked`). */
  int32s?: number[];
  int64s?: bigint[];
  uint64s?: bigint[];
  /** double_data (10), packed fixed64. */
  doubles?: number[];
  unpacked?: boolean;
  external?: { location: string; offset?: number; length?: number };
}

export function tensorProto(t: TensorSpec): Uint8Array {
  const out: Bytes = [...bytesField(1, t.dims.flatMap((d) => varint(d))), ...intField(2, t.dataType), ...stringField(8, t.name)];
  const ints = (field: number, values: (number | bigint)[]) => {
    if (t.unpacked) for (const v of values) out.push(...intField(field, v));
    else out.push(...bytesField(field, values.flatMap((v) => varint(v))));
  };
  if (t.floats) {
    const bytes = new Uint8Array(Float32Array.from(t.floats).buffer);
    if (t.unpacked) t.floats.forEach((_, i) => out.push(...key(4, 5), ...bytes.subarray(i * 4, i * 4 + 4)));
    else out.push(...bytesField(4, bytes));
  }
  if (t.int32s) ints(5, t.int32s);
  if (t.int64s) ints(7, t.int64s);
  if (t.uint64s) ints(11, t.uint64s);
  if (t.doubles) out.push(...bytesField(10, new Uint8Array(Float64Array.from(t.doubles).buffer)));
  if (t.raw) out.push(...bytesField(9, t.raw));
  if (t.external) {
    const entry = (k: string, v: string) => bytesField(13, [...stringField(1, k), ...stringField(2, v)]);
    out.push(...entry('location', t.external.location));
    if (t.external.offset !== undefined) out.push(...entry('offset', String(t.external.offset)));
    if (t.external.length !== undefined) out.push(...entry('length', String(t.external.length)));
    out.push(...intField(14, 1));
  }
  return Uint8Array.from(out);
}

export type Attribute = Bytes;
/** AttributeProto types: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5. */
export const intAttribute = (name: string, value: number): Attribute => [...stringField(1, name), ...intField(20, 2), ...intField(3, value)];
export const tensorAttribute = (name: string, tensor: Uint8Array): Attribute => [...stringField(1, name), ...intField(20, 4), ...bytesField(5, tensor)];
export const graphAttribute = (name: string, graph: Uint8Array): Attribute => [...stringField(1, name), ...intField(20, 5), ...bytesField(6, graph)];

export function nodeProto(opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = [], name = ''): Uint8Array {
  return Uint8Array.from([
    ...inputs.flatMap((i) => stringField(1, i)), ...outputs.flatMap((o) => stringField(2, o)),
    ...(name ? stringField(3, name) : []), ...stringField(4, opType), ...attributes.flatMap((a) => bytesField(5, a)),
  ]);
}

/** A ValueInfoProto of a tensor type (elem_type, dims). */
export function valueInfo(name: string, elemType: number, dims: number[]): Uint8Array {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return Uint8Array.from([...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))]);
}

export interface GraphSpec {
  nodes: Uint8Array[];
  initializers?: Uint8Array[];
  inputs?: Uint8Array[];
  outputs: Uint8Array[];
  name?: string;
}

export function graphProto(g: GraphSpec): Uint8Array {
  return Uint8Array.from([
    ...g.nodes.flatMap((n) => bytesField(1, n)), ...stringField(2, g.name ?? 'g'),
    ...(g.initializers ?? []).flatMap((t) => bytesField(5, t)),
    ...(g.inputs ?? []).flatMap((v) => bytesField(11, v)), ...g.outputs.flatMap((v) => bytesField(12, v)),
  ]);
}

/** A ModelProto: ir_version 10, the default domain at `opset`. */
export function modelProto(graph: Uint8Array, opset = 21): Uint8Array {
  return Uint8Array.from([...intField(1, 10), ...stringField(2, 'tensorzip-test'), ...bytesField(7, graph), ...bytesField(8, [...stringField(1, ''), ...intField(2, opset)])]);
}
