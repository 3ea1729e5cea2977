// A whole ONNX model in a .tzip (model kind `onnx`, docs/FORMAT.md): onnx.pack stores the model without its tensor
// data as the entry "model.onnx" and the tensors beside it; onnx.unpack writes the .onnx file back.
import { TensorzipError } from '../errors';
import { tensorBytesDecoder, type Archive } from '../format/archive';
import type { DecodedTwins } from '../format/decoded-twins';
import { pack, type PackInput, type PackOptions } from '../format/pack';
import type { Kernels } from '../wasm/kernels';
import { describeValue } from '../codecs/describe-value';
import { readOnnx, type OnnxModel, type OnnxReadOptions } from './onnx-read';
import { writeOnnx, type OnnxFiles, type OnnxWriteOptions } from './onnx-write';
import { onnxChannelAxes } from './onnx-channel-axes';
import { placeModel } from './onnx-place';

export const ONNX_MODEL_ENTRY = 'model.onnx';
export const ONNX_MEDIA_TYPE = 'application/x-onnx';

/** The model's tensors, per-channel scales on the axes its operators give, and the model without tensor data as
 *  the entry "model.onnx" of kind `onnx`: what pack() takes. `options` go over these defaults. */
export function onnxPackInput(bytes: Uint8Array, options: PackOptions & OnnxReadOptions = {}): PackInput {
  const { externalData, ...packOptions } = options;
  return onnxModelPackInput(readOnnx(bytes, { externalData }), packOptions, ONNX_MODEL_ENTRY);
}

/** A model onnx.read has read, as onnxPackInput gives it, with its stripped model as the entry `modelEntry`. */
function onnxModelPackInput({ model, tensors }: OnnxModel, options: PackOptions, modelEntry: string): PackInput {
  if (options.entries !== undefined && Object.hasOwn(options.entries, modelEntry)) {
    throw new TensorzipError('ARGUMENT', `onnx.pack entries: "${modelEntry}" is the model's own entry`);
  }
  return {
    tensors,
    options: {
      channelAxes: onnxChannelAxes(model), ...options,
      entries: { [modelEntry]: { data: model, mediaType: ONNX_MEDIA_TYPE }, ...options.entries },
      model: { kind: 'onnx', entry: modelEntry },
    },
  };
}

/** A model onnx.read has read, packed as onnx.pack does, with its stripped model as the entry `modelEntry`. */
export function packOnnxModel(kernels: Kernels, read: OnnxModel, options: PackOptions, modelEntry: string): Promise<Uint8Array> {
  const input = onnxModelPackInput(read, options, modelEntry);
  return pack(kernels, input.tensors, input.options);
}

/** The stripped model of an archive of kind `onnx` (its model entry), every tensor announced to be read next. */
export async function readOnnxEntry(archive: Archive, what: string): Promise<Uint8Array> {
  const declared = archive?.model;
  if (declared === undefined) throw new TensorzipError('ARGUMENT', `${what}: expected an archive (from open())`);
  if (declared?.kind !== 'onnx') {
    throw new TensorzipError('UNSUPPORTED', `${what}: the archive holds ${declared === null ? 'no model' : `a model of kind ${describeValue(declared.kind)}`}, not an ONNX model`);
  }
  // Over HTTP: the entry and every tensor in a few requests, rather than the entry's first.
  archive.prefetchAll();
  return archive.getEntry(declared.entry);
}

/** The stripped model and the tensors of an archive of kind `onnx`. */
export async function readOnnxArchive(archive: Archive, what: string): Promise<OnnxModel> {
  const model = await readOnnxEntry(archive, what);
  return { model, tensors: await archive.getAll() };
}

/** The .onnx bytes of an archive of kind `onnx` (its stripped model `entry`), every tensor decoded in place (see
 *  onnx-place.ts): writeModel's bytes with every tensor inline. Null when writeModel is to write the model. */
export async function placeOnnxTensors(archive: Archive, entry: Uint8Array): Promise<Uint8Array | null> {
  const placed = placeModel(entry, new Map(archive.tensors.map((t) => [t.name, t])));
  if (placed === null) return null;
  const places = new Map(placed.places.map((p) => [p.name, p]));
  const decodeInto = tensorBytesDecoder(archive) ?? (async (name: string, dst: Uint8Array) => {
    const { data } = await archive.get(name);
    dst.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
  // In the archive's order: over HTTP, each tensor as its bytes arrive; from memory, without a promise per tensor.
  // A tensor stored as an earlier one (pack's shared ranges) is copied from where that one went.
  const twins: DecodedTwins = new Map();
  for (const t of archive.tensors) {
    const { offset, length } = places.get(t.name)!;
    const decoding = decodeInto(t.name, placed.bytes.subarray(offset, offset + length), twins);
    if (decoding !== undefined) await decoding;
  }
  return placed.bytes;
}

export async function unpackOnnx(archive: Archive, options: OnnxWriteOptions = {}): Promise<OnnxFiles> {
  return writeOnnx(await readOnnxArchive(archive, 'onnx.unpack'), options, 'CORRUPT');
}
