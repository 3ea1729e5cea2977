// A walk over an ONNX ModelProto that finds the tensors tensorzip holds — the initializers of the graph and of every
// subgraph (If, Loop, Scan bodies), and the `value` of Constant nodes — names each one, and rewrites the model with
// each TensorProto replaced as the visitor says; every other byte is copied as it is. The names (docs/FORMAT.md,
// model kind `onnx`):
//   - an initializer: its name; a Constant's value: the name of the node's output;
//   - inside a subgraph, prefixed by `<node>/<attribute>/` for each node that holds it, outermost first (`<node>` is
//     the node's name, or its first output's name when it has none; a `graphs` list adds `<index>/`);
//   - a name given earlier in the walk takes the first free suffix `~2`, `~3`, …
// onnx.proto: ModelProto.graph 7; GraphProto.node 1, initializer 5; NodeProto.input 1, output 2, name 3, op_type 4,
// attribute 5, domain 7; AttributeProto.name 1, i 3, t 5, g 6, graphs 11.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { expectWire, fields, int64Of, LEN, ProtoWriter, stringValue, VARINT } from './protobuf-wire';
import { parseTensorProto, type TensorProtoInfo } from './onnx-tensor';

/** Subgraphs nested deeper than this are LIMIT (real models nest a few levels). */
export const MAX_GRAPH_DEPTH = 32;

/** The values one graph defines from tensors tensorzip holds: ONNX value name → tensor name. */
export interface Scope {
  parent: Scope | null;
  values: Map<string, string>;
}

export interface TensorSite {
  /** The tensor's name in tensorzip (unique in the model). */
  name: string;
  tensor: TensorProtoInfo;
  /** An initializer of the main graph (not a Constant's value, not in a subgraph). */
  topInitializer: boolean;
}

export interface NodeSite {
  opType: string;
  domain: string;
  inputs: string[];
  /** The node's integer attributes (transB, axis, …). */
  ints: Record<string, number>;
  scope: Scope;
}

export interface ModelVisitor {
  /** The TensorProto to write in place of this one; undefined keeps it as it is. */
  tensor?(site: TensorSite): ProtoWriter | undefined;
  node?(site: NodeSite): void;
}

export const isConstant = (opType: string, domain: string) => opType === 'Constant' && (domain === '' || domain === 'ai.onnx');

/** The prefix of the tensors in a subgraph of node `key` (a `graphs` list's: with its `index`). */
export const subgraphPrefix = (prefix: string, key: string, attributeName: string, index: number | null) => `${prefix}${key}/${attributeName}/${index === null ? '' : `${index}/`}`;

/** Gives each name the walk meets once: a name given before takes the first free suffix `~2`, `~3`, … */
export function uniqueNames(): (base: string) => string {
  const taken = new Set<string>();
  const nextSuffix = new Map<string, number>();
  return (base) => {
    let name = base;
    for (let k = nextSuffix.get(base) ?? 2; taken.has(name); k++) {
      name = `${base}~${k}`;
      nextSuffix.set(base, k + 1);
    }
    taken.add(name);
    return name;
  };
}

/** The model rewritten by `visitor` (as parts: finish() makes the bytes). */
export function walkModel(model: Uint8Array, visitor: ModelVisitor, what: string): ProtoWriter {
  const unique = uniqueNames();
  const tensorSite = (tensor: TensorProtoInfo, base: string, scope: Scope, valueName: string, topInitializer: boolean): ProtoWriter | Uint8Array => {
    const name = unique(base);
    scope.values.set(valueName, name);
    return visitor.tensor?.({ name, tensor, topInitializer }) ?? tensor.bytes;
  };

  const graph = (bytes: Uint8Array, prefix: string, parent: Scope | null, depth: number): ProtoWriter => {
    if (depth > MAX_GRAPH_DEPTH) throw new TensorzipError('LIMIT', `${what}: subgraphs nested deeper than ${MAX_GRAPH_DEPTH}`);
    const scope: Scope = { parent, values: new Map() };
    const out = new ProtoWriter();
    for (const f of fields(bytes, `${what}: a graph`)) {
      if (f.number === 1) out.fieldOf(f, bytes, node(expectWire(f, LEN, what).data, prefix, scope, depth));
      else if (f.number === 5) {
        const tensor = parseTensorProto(expectWire(f, LEN, what).data, `${what}: an initializer`);
        if (tensor.name === '') throw new TensorzipError('CORRUPT', `${what}: an initializer without a name`, { offset: f.start });
        out.fieldOf(f, bytes, tensorSite(tensor, prefix + tensor.name, scope, tensor.name, depth === 0));
      } else out.raw(bytes.subarray(f.start, f.end));
    }
    return out;
  };

  const node = (bytes: Uint8Array, prefix: string, scope: Scope, depth: number): ProtoWriter | Uint8Array => {
    const where = `${what}: a node`;
    const site: NodeSite = { opType: '', domain: '', inputs: [], ints: Object.create(null), scope };
    let name = '';
    let output = '';
    let hasOutput = false;
    for (const f of fields(bytes, where)) {
      if (f.number === 1) site.inputs.push(stringValue(f, where));
      else if (f.number === 2 && !hasOutput) { output = stringValue(f, where); hasOutput = true; }
      else if (f.number === 3) name = stringValue(f, where);
      else if (f.number === 4) site.opType = stringValue(f, where);
      else if (f.number === 7) site.domain = stringValue(f, where);
    }
    const key = name || output;
    let out: ProtoWriter | null = null;
    for (const f of fields(bytes, where)) {
      if (f.number !== 5) {
        out?.raw(bytes.subarray(f.start, f.end));
        continue;
      }
      const attribute = expectWire(f, LEN, where).data;
      let attributeName = '';
      let int: number | undefined;
      let rewrites = false;
      for (const a of fields(attribute, `${where} attribute`)) {
        if (a.number === 1) attributeName = stringValue(a, `${where} attribute`);
        else if (a.number === 3) int = Number(int64Of(expectWire(a, VARINT, where).lo, a.hi));
        else if (a.number === 5 || a.number === 6 || a.number === 11) rewrites = true;
      }
      if (int !== undefined) site.ints[attributeName] = int;
      if (!rewrites) {
        out?.raw(bytes.subarray(f.start, f.end));
        continue;
      }
      if (out === null) out = new ProtoWriter().raw(bytes.subarray(0, f.start));
      out.messageField(5, subgraphs(attribute, attributeName, site, key, output, prefix, depth));
    }
    visitor.node?.(site);
    return out ?? bytes;
  };

  /** An attribute with its tensor (a Constant's value) or its subgraphs walked. */
  const subgraphs = (bytes: Uint8Array, attributeName: string, site: NodeSite, key: string, output: string, prefix: string, depth: number): ProtoWriter => {
    const out = new ProtoWriter();
    let index = 0;
    for (const a of fields(bytes, `${what}: an attribute`)) {
      const isValue = a.number === 5 && attributeName === 'value' && isConstant(site.opType, site.domain);
      if (!isValue && a.number !== 6 && a.number !== 11) {
        out.raw(bytes.subarray(a.start, a.end));
        continue;
      }
      if (isValue ? output === '' : key === '') throw new TensorzipError('CORRUPT', `${what}: a ${describeValue(site.opType)} node without ${isValue ? 'an output' : 'a name or an output'} holds a ${isValue ? 'tensor' : 'graph'}`);
      const data = expectWire(a, LEN, what).data;
      if (isValue) out.fieldOf(a, bytes, tensorSite(parseTensorProto(data, `${what}: the value of ${describeValue(output)}`), prefix + output, site.scope, output, false));
      else out.messageField(a.number, graph(data, subgraphPrefix(prefix, key, attributeName, a.number === 11 ? index++ : null), site.scope, depth + 1));
    }
    return out;
  };

  const out = new ProtoWriter();
  let graphs = 0;
  for (const f of fields(model, `${what}: the ModelProto`)) {
    if (f.number !== 7) {
      out.raw(model.subarray(f.start, f.end));
      continue;
    }
    if (++graphs > 1) throw new TensorzipError('CORRUPT', `${what}: a ModelProto with two graphs`, { offset: f.start });
    out.messageField(7, graph(expectWire(f, LEN, what).data, '', null, 0));
  }
  if (graphs === 0) throw new TensorzipError('CORRUPT', `${what}: not an ONNX model (a ModelProto without a graph)`);
  return out;
}

/** The tensor a value name refers to in a scope (its own graph, then the graphs that hold it). */
export function resolveValue(scope: Scope | null, valueName: string): string | undefined {
  for (let s = scope; s !== null; s = s.parent) {
    const name = s.values.get(valueName);
    if (name !== undefined) return name;
  }
  return undefined;
}
