// The inputs an ONNX model's main graph takes: each graph input that no initializer fills, with its element type and
// shape (a symbolic or missing dimension is null). onnx.proto: ModelProto.graph 7; GraphProto.initializer 5, input 11;
// ValueInfoProto.name 1, type 2; TypeProto.tensor_type 1; TypeProto.Tensor.elem_type 1, shape 2;
// TensorShapeProto.dim 1; Dimension.dim_value 1, dim_param 2.
import { TensorzipError } from '../errors';
import type { TensorDtype } from '../format/dtypes';
import { expectWire, fields, int64Of, LEN, stringValue, unsignedValue, VARINT } from './protobuf-wire';
import { ONNX_TYPES } from './onnx-tensor';

export interface ModelInput {
  name: string;
  /** null: a type tensorzip does not hold (strings, sequences, maps, 4-bit types). */
  dtype: TensorDtype | null;
  /** null for a symbolic or unknown dimension; the whole shape null when the model gives none. */
  shape: (number | null)[] | null;
}

const fieldsOf = (bytes: Uint8Array, number: number, what: string) => [...fields(bytes, what)].filter((f) => f.number === number).map((f) => expectWire(f, LEN, what).data);

function inputOf(valueInfo: Uint8Array, what: string): ModelInput {
  let name = '';
  let dtype: TensorDtype | null = null;
  let shape: (number | null)[] | null = null;
  for (const f of fields(valueInfo, what)) {
    if (f.number === 1) name = stringValue(f, what);
    if (f.number !== 2) continue;
    for (const tensorType of fieldsOf(expectWire(f, LEN, what).data, 1, what)) {
      for (const t of fields(tensorType, what)) {
        if (t.number === 1) {
          const type = ONNX_TYPES[unsignedValue(expectWire(t, VARINT, what), what)];
          dtype = type === undefined || type.nibbles ? null : type.dtype;
        } else if (t.number === 2) {
          shape = fieldsOf(expectWire(t, LEN, what).data, 1, what).map((dim) => {
            const value = [...fields(dim, what)].find((d) => d.number === 1);
            if (value === undefined) return null;
            const n = Number(int64Of(expectWire(value, VARINT, what).lo, value.hi));
            return n >= 0 ? n : null;
          });
        }
      }
    }
  }
  return { name, dtype, shape };
}

/** The inputs of `model` a caller feeds (ModelProto bytes, with or without tensor data). */
export function onnxInputs(model: Uint8Array): ModelInput[] {
  const what = 'onnx inputs';
  const graph = fieldsOf(model, 7, what)[0];
  if (graph === undefined) throw new TensorzipError('CORRUPT', `${what}: not an ONNX model (a ModelProto without a graph)`);
  const initialized = new Set<string>();
  for (const init of fieldsOf(graph, 5, what)) {
    for (const f of fields(init, what)) if (f.number === 8) initialized.add(stringValue(f, what));
  }
  return fieldsOf(graph, 11, what).map((v) => inputOf(v, what)).filter((input) => !initialized.has(input.name));
}
