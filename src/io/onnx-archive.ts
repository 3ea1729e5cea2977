// An ONNX model out of a .tzip of model kind `onnx` (docs/FORMAT.md): the stripped model entry and the tensors.
import { TensorzipError } from '../errors';
import type { Archive } from '../format';
import { describeValue } from '../codecs/describe-value';
import type { OnnxModel } from './onnx-read';

export const ONNX_MEDIA_TYPE = 'application/x-onnx';

export async function readOnnxArchive(archive: Archive, what: string): Promise<OnnxModel> {
  const declared = archive?.model;
  if (declared === undefined) throw new TensorzipError('ARGUMENT', `${what}: expected an archive (from open())`);
  if (declared === null) throw new TensorzipError('ARGUMENT', `${what}: the archive declares no model (pack it from a .onnx file, or with model: { kind: 'onnx', entry })`);
  if (declared.kind !== 'onnx') throw new TensorzipError('UNSUPPORTED', `${what}: the archive holds a model of kind ${describeValue(declared.kind)}, not onnx`);
  const model = await archive.getEntry(declared.entry);
  return { model, tensors: await archive.getAll() };
}
