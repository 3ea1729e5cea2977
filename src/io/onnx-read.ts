// onnx.read: the tensors of an ONNX model (initializers, subgraph initializers, Constant values; see onnx-walk.ts
// for their names) and the model without their data.
import { TensorzipError } from '../errors';
import type { TensorInput } from '../format/pack';
import { describeValue } from '../codecs/describe-value';
import { nullObject, ownEntry } from './untrusted';
import { readTensorData, stripTensorProto } from './onnx-tensor';
import { walkModel } from './onnx-walk';

export interface OnnxModel {
  /** The ModelProto without the data of `tensors`: each of their TensorProtos keeps its name, dims and data_type.
   *  This is what a .tzip's `onnx` model entry holds. */
  model: Uint8Array;
  tensors: Record<string, TensorInput>;
}

export interface OnnxReadOptions {
  /** The files that hold external data, by the `location` the model gives them (e.g. `model.onnx.data`), or a
   *  function that gives a file by its location (called once per location). */
  externalData?: Readonly<Record<string, Uint8Array>> | ((location: string) => Uint8Array | undefined);
}

export function readOnnx(bytes: Uint8Array, options: OnnxReadOptions = {}): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', 'onnx.read: expected a Uint8Array');
  const externalFile = externalFiles(options.externalData ?? {});
  const tensors = nullObject<TensorInput>();
  const context = { externalFile, externalBytesRead: new Map<string, number>() };
  const model = walkModel(bytes, {
    tensor({ name, tensor }) {
      const t = readTensorData(tensor, context, `onnx.read: tensor ${describeValue(name)}`);
      if (t === null) return undefined;
      tensors[name] = t;
      return stripTensorProto(tensor);
    },
  }, 'onnx.read').finish();
  return { model, tensors };
}

/** The caller's external files as one lookup, each file checked (and, from a function, asked for) once. */
function externalFiles(given: NonNullable<OnnxReadOptions['externalData']>): (location: string) => Uint8Array | undefined {
  const expectFile = (file: unknown, location: string): Uint8Array | undefined => {
    if (file !== undefined && !(file instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', `onnx.read externalData: ${describeValue(location)} is not a Uint8Array`);
    return file;
  };
  if (typeof given === 'function') {
    const cache = new Map<string, Uint8Array | undefined>();
    return (location) => {
      if (!cache.has(location)) cache.set(location, expectFile(given(location), location));
      return cache.get(location);
    };
  }
  if (typeof given !== 'object' || given === null) throw new TensorzipError('ARGUMENT', 'onnx.read externalData: expected an object of Uint8Arrays by file name, or a function');
  return (location) => expectFile(ownEntry(given, location), location);
}
