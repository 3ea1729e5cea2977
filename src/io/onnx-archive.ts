// A whole ONNX model in a .tzip (model kind `onnx`, docs/FORMAT.md): onnx.pack stores the model without its tensor
// data as the entry "model.onnx" and the tensors beside it; onnx.unpack writes the .onnx file back.
import { TensorzipError } from '../errors';
import type { Archive } from '../format/archive';
import { pack, type PackOptions } from '../format/pack';
import type { Kernels } from '../wasm/kernels';
import { describeValue } from '../codecs/describe-value';
import { readOnnx, type OnnxModel, type OnnxReadOptions } from './onnx-read';
import { writeOnnx, type OnnxFiles, type OnnxWriteOptions } from './onnx-write';
import { onnxChannelAxes } from './onnx-channel-axes';

export const ONNX_MODEL_ENTRY = 'model.onnx';
export const ONNX_MEDIA_TYPE = 'application/x-onnx';

/** The model's tensors, per-channel scales on the axes its operators give, and the model without tensor data as
 *  the entry "model.onnx" of kind `onnx`. `options` go over these defaults. */
export function packOnnx(kernels: Kernels, bytes: Uint8Array, options: PackOptions & OnnxReadOptions = {}): Promise<Uint8Array> {
  const { externalData, ...packOptions } = options;
  return packOnnxModel(kernels, readOnnx(bytes, { externalData }), packOptions, ONNX_MODEL_ENTRY);
}

/** A model onnx.read has read, packed as packOnnx does, with its stripped model as the entry `modelEntry`. */
export function packOnnxModel(kernels: Kernels, { model, tensors }: OnnxModel, options: PackOptions, modelEntry: string): Promise<Uint8Array> {
  if (options.entries !== undefined && Object.hasOwn(options.entries, modelEntry)) {
    throw new TensorzipError('ARGUMENT', `onnx.pack entries: "${modelEntry}" is the model's own entry`);
  }
  return pack(kernels, tensors, {
    channelAxes: onnxChannelAxes(model), ...options,
    entries: { [modelEntry]: { data: model, mediaType: ONNX_MEDIA_TYPE }, ...options.entries },
    model: { kind: 'onnx', entry: modelEntry },
  });
}

/** The stripped model and the tensors of an archive of kind `onnx`. */
export async function readOnnxArchive(archive: Archive, what: string): Promise<OnnxModel> {
  const declared = archive?.model;
  if (declared === undefined) throw new TensorzipError('ARGUMENT', `${what}: expected an archive (from open())`);
  if (declared?.kind !== 'onnx') {
    throw new TensorzipError('UNSUPPORTED', `${what}: the archive holds ${declared === null ? 'no model' : `a model of kind ${describeValue(declared.kind)}`}, not an ONNX model`);
  }
  // Over HTTP: the entry and every tensor in a few requests, rather than the entry's first.
  archive.prefetchAll();
  const model = await archive.getEntry(declared.entry);
  return { model, tensors: await archive.getAll() };
}

export async function unpackOnnx(archive: Archive, options: OnnxWriteOptions = {}): Promise<OnnxFiles> {
  return writeOnnx(await readOnnxArchive(archive, 'onnx.unpack'), options, 'CORRUPT');
}
