// What `tensorzip unpack` writes, chosen by the output's name:
//   x.safetensors  one file, the archive's metadata as its __metadata__
//   x.npy          one file, for an archive of one tensor
//   x.onnx         an ONNX model (onnx.unpack); past protobuf's 2 GiB, its initializers in x.onnx.data beside it
//   x.json         a TF.js model (tfjs.unpack): x.json and its .bin shards beside it; TF.js codes (tfjs_uint8 /
//                  tfjs_uint16) and float16 halves are written back as uint8 / uint16 / float16 weights
//   anything else  a directory of <name>.npy files, each name made safe and reversible: bytes outside
//                  [A-Za-z0-9_.-] and a leading "." become %XX (UTF-8), so decodeURIComponent gives the name back
// Every name and the whole layout are checked before the first byte is written.
import { extname, join, dirname, basename } from 'node:path';
import { npy, onnx, safetensors, TensorzipError, type Archive, type TensorInput, type TfjsModel } from '../index';
import { makeDirectory, writeFileAtomic } from './files';

/** Longest file name most file systems take, in bytes. */
const MAX_FILE_NAME_BYTES = 255;

/**
 * @example
 * fileName('a/b'); // 'a%2Fb.npy'
 */
export function fileName(tensor: string): string {
  const escaped = [...new TextEncoder().encode(tensor)]
    .map((b, i) => (/[A-Za-z0-9_.-]/.test(String.fromCharCode(b)) && b < 0x80 && !(i === 0 && b === 0x2e) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `${escaped}.npy`;
}

function writeDirectory(path: string, tensors: Map<string, TensorInput>): void {
  const files = [...tensors].map(([name, t]) => ({ name, file: fileName(name), t }));
  const tooLong = files.find((f) => new TextEncoder().encode(f.file).length > MAX_FILE_NAME_BYTES);
  if (tooLong) {
    throw new TensorzipError('UNSUPPORTED', `tensor "${tooLong.name.slice(0, 80)}…" needs a file name of more than ${MAX_FILE_NAME_BYTES} bytes; unpack to a .safetensors file instead`);
  }
  const encoded = files.map((f) => ({ ...f, bytes: npy.write(f.t) }));
  makeDirectory(path);
  for (const f of encoded) writeFileAtomic(join(path, f.file), f.bytes);
}

export const isOnnxOutput = (path: string): boolean => extname(path) === '.onnx';

/** Protobuf's limit on one message: past it, the initializers go to an external data file. */
const MAX_INLINE_ONNX_BYTES = 2 ** 31 - 1;

/** The archive's ONNX model at `path`: one file, or with `<name>.data` beside it when it is too large for one. */
export async function writeOnnxModel(path: string, archive: Archive): Promise<void> {
  const tensorBytes = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0);
  const external = tensorBytes >= MAX_INLINE_ONNX_BYTES ? { externalData: `${basename(path)}.data` } : {};
  const files = await onnx.unpack(archive, external);
  if (files.externalData) writeFileAtomic(join(dirname(path), files.externalData.path), files.externalData.data);
  writeFileAtomic(path, files.model);
}

/** Whether unpacking to `path` writes a TF.js model (tfjs.unpack, then writeTfjsModel). */
export const isTfjsOutput = (path: string): boolean => extname(path) === '.json';

/** model.json at `path`, its shards beside it named after it, so two models unpacked into one folder do not
 *  overwrite each other's weights. */
export function writeTfjsModel(path: string, { modelJson, shards }: TfjsModel): void {
  const prefix = basename(path, '.json');
  const renamed = new Map(Object.keys(shards).map((p) => [p, `${prefix}.${p}`]));
  for (const group of modelJson.weightsManifest) group.paths = group.paths.map((p) => renamed.get(p)!);
  for (const [from, to] of renamed) writeFileAtomic(join(dirname(path), to), shards[from]);
  writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(modelJson)));
}

export function writeOutput(path: string, values: Map<string, TensorInput>, metadata: Record<string, string>): void {
  switch (extname(path)) {
    case '.safetensors':
      writeFileAtomic(path, safetensors.write(Object.fromEntries(values), metadata));
      return;
    case '.npy':
      if (values.size !== 1) throw new TensorzipError('ARGUMENT', `the archive holds ${values.size} tensors; a .npy file holds one (give a directory)`);
      writeFileAtomic(path, npy.write([...values.values()][0]));
      return;
  }
  writeDirectory(path, values);
}
