// onnx.read: the tensors of an ONNX model (initializers, subgraph initializers, Constant values; see onnx-walk.ts
// for their names) and the model without their data.
import { TensorzipError } from '../errors';
import type { TensorInput } from '../format/pack';
import { describeValue } from '../codecs/describe-value';
import { nullObject } from './untrusted';
import { readTensorData, stripTensorProto } from './onnx-tensor';
import { walkModel } from './onnx-walk';

export interface OnnxModel {
  /** The ModelProto without the data of `tensors`: each of their TensorProtos keeps its name, dims and data_type.
   *  This is what a .tzip's `onnx` model entry holds. */
  model: Uint8Array;
  tensors: Record<string, TensorInput>;
}

export interface OnnxReadOptions {
  /** The files that hold external data, by the `location` the model gives them (e.g. `model.onnx.data`). */
  externalData?: Readonly<Record<string, Uint8Array>>;
}

export function readOnnx(bytes: Uint8Array, options: OnnxReadOptions = {}): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', 'onnx.read: expected a Uint8Array');
  const externalData = options.externalData ?? {};
  if (typeof externalData !== 'object' || externalData === null || Object.values(externalData).some((v) => !(v instanceof Uint8Array))) {
    throw new TensorzipError('ARGUMENT', 'onnx.read externalData: expected an object of Uint8Arrays by file name');
  }
  const tensors = nullObject<TensorInput>();
  const model = walkModel(bytes, {
    tensor({ name, tensor }) {
      const t = readTensorData(tensor, { externalData }, `onnx.read: tensor ${describeValue(name)}`);
      if (t === null) return undefined;
      tensors[name] = t;
      return stripTensorProto(tensor);
    },
  }, 'onnx.read').finish();
  return { model, tensors };
}
