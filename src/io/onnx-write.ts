// onnx.write: a model without tensor data (as onnx.read and a .tzip give it) and its tensors → a .onnx file, the
// values in raw_data or in one external data file.
import { TensorzipError, type TensorzipErrorCode } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { elementCount } from './untrusted';
import { ONNX_TYPES, writeTensorProto } from './onnx-tensor';
import { walkModel } from './onnx-walk';
import { ProtoWriter } from './protobuf-wire';
import type { OnnxModel } from './onnx-read';

export interface OnnxWriteOptions {
  /** Put the values of the main graph's initializers of 1 KiB and more in one external data file of this name
   *  (relative to the model's folder), each at an offset that is a multiple of 64; the rest stays inline, as ONNX
   *  Runtime reads subgraph tensors and the small int64 shapes it infers from only inline. Needed past protobuf's
   *  2 GiB. */
  externalData?: string;
}

export interface OnnxFiles {
  /** The .onnx file. */
  model: Uint8Array;
  /** The external data file, with `options.externalData`: ONNX Runtime's `sessionOptions.externalData` takes
   *  `[files.externalData]` as it is. */
  externalData?: { path: string; data: Uint8Array };
}

/** Protobuf messages are at most 2 GiB − 1. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;
const EXTERNAL_ALIGNMENT = 64;
/** As the onnx package's convert_model_to_external_data (size_threshold). */
const EXTERNAL_MIN_BYTES = 1024;

/** Where an external tensor's bytes go: a file and an offset in it. */
export type ExternalPlacer = (name: string, data: Uint8Array) => { location: string; offset: number };

/** `blame` is the code for tensors that do not fit the model: ARGUMENT when they are the caller's, CORRUPT when a
 *  .tzip gave them. */
export function writeOnnx(input: OnnxModel, options: OnnxWriteOptions = {}, blame: TensorzipErrorCode = 'ARGUMENT'): OnnxFiles {
  const location = options.externalData;
  if (location !== undefined && (typeof location !== 'string' || location === '')) throw new TensorzipError('ARGUMENT', `onnx.write externalData: expected a file name, found ${describeValue(location)}`);
  if (location === undefined) return { model: writeModel(input, undefined, blame) };
  const file = new ProtoWriter();
  const model = writeModel(input, (_, data) => {
    const offset = Math.ceil(file.size / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
    file.raw(new Uint8Array(offset - file.size)).raw(data);
    return { location, offset };
  }, blame);
  return { model, externalData: { path: location, data: file.finish() } };
}

/** The .onnx bytes, with the main graph's initializers of 1 KiB and more placed by `placeExternal` when given. */
export function writeModel(input: OnnxModel, placeExternal: ExternalPlacer | undefined, blame: TensorzipErrorCode): Uint8Array {
  const { model, tensors } = input ?? {};
  if (!(model instanceof Uint8Array) || typeof tensors !== 'object' || tensors === null) throw new TensorzipError('ARGUMENT', 'onnx.write: expected { model: Uint8Array, tensors }');
  const used = new Set<string>();
  const written = walkModel(model, {
    tensor({ name, tensor, topInitializer }) {
      const what = `onnx.write: tensor ${describeValue(name)}`;
      if (!Object.hasOwn(tensors, name)) {
        if (!tensor.hasData && ONNX_TYPES[tensor.dataType] !== undefined && elementCount(tensor.dims, what) > 0) {
          throw new TensorzipError(blame, `${what}: the model holds no data for it, and the tensors do not give it`);
        }
        return undefined;
      }
      used.add(name);
      const inline = writeTensorProto(tensor, tensors[name], { inline: true }, blame, what);
      if (placeExternal === undefined || !topInitializer || inline.data.length < EXTERNAL_MIN_BYTES) return inline.proto;
      return writeTensorProto(tensor, tensors[name], { inline: false, ...placeExternal(name, inline.data) }, blame, what).proto;
    },
  }, 'onnx.write');
  const unused = Object.keys(tensors).find((name) => !used.has(name));
  if (unused !== undefined) throw new TensorzipError(blame, `onnx.write: tensor ${describeValue(unused)} is not in the model`);
  if (written.size > MAX_MESSAGE_BYTES) throw new TensorzipError('LIMIT', `onnx.write: a model of ${written.size} bytes is past protobuf's 2 GiB; write its tensors to an external data file (options.externalData)`);
  return written.finish();
}
