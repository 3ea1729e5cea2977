// A file of format version 1.2 of model kind `onnx`, frozen in test/golden/v1.2/ with the model it was packed from
// (made once by scripts/make-golden-tzip-1.2-onnx.mjs): every reader from now on must find the same tensors under
// the same names (subgraph Constants prefixed by node and branch, a Constant by its output), the model entry
// stripped of exactly their data, and give the frozen .onnx back byte for byte.
import { describe, expect, it } from 'vitest';
import { onnx } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';

const DIR = 'test/golden/v1.2/';
const TENSORS = [
  ['choose/then_branch/k', 'float32', [2]], ['choose/else_branch/k', 'float32', [2]], ['scale', 'float32', [1]],
  ['conv.weight', 'float32', [8, 3, 3, 3]], ['conv.bias', 'float32', [8]], ['half', 'float16', [4]], ['nibbles', 'int8', [5]], ['shape', 'int64', [2]],
];
const file = await readRepoFile(DIR + 'onnx.tzip');
const model = await readRepoFile(DIR + 'onnx.onnx');
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.2 onnx file (%s build)', (_, { open, onnx: engineOnnx }) => {
  it('the same tensors and model entry as when it was frozen, and the frozen .onnx back byte for byte', async () => {
    expect([file[4], file[5]]).toEqual([1, 2]);
    const archive = await open(file);
    expect(archive.model).toEqual({ kind: 'onnx', entry: 'model.onnx' });
    expect(archive.entries.map((e) => [e.name, e.mediaType])).toEqual([['model.onnx', 'application/x-onnx']]);
    expect(archive.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(TENSORS);
    const read = onnx.read(model);
    expect(equalBytes(await archive.getEntry('model.onnx'), read.model)).toBe(true);
    for (const [name] of TENSORS) expect(equalBytes(bytesOf((await archive.get(name as string)).data), bytesOf(read.tensors[name as string].data)), name as string).toBe(true);
    expect(equalBytes((await engineOnnx.unpack(archive)).model, model)).toBe(true);
  });
});
