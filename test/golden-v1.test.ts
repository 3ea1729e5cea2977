// Files of format version 1.0, frozen in test/golden/v1/ (made once by scripts/make-golden-tzip.mjs): every reader
// from now on must open both layouts and decode every tensor to exactly the values frozen beside them as .npy.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';

const DIR = 'test/golden/v1/';
const EXPECTED = [
  ['conv.weight', 'float32', 'float32', 'shuffle+lz4'], ['fc.weight', 'float32', 'int8', 'lz4'],
  ['pruned.weight', 'float32', 'int8', 'sparse+lz4'], ['emb.weight', 'float32', 'float16', 'shuffle+lz4'],
  ['proj.weight', 'float32', 'int4', 'lz4'], ['fc.bias', 'float32', 'float32', 'shuffle+lz4'],
  ['position_ids', 'int64', 'int64', 'shuffle+lz4'], ['mask', 'bool', 'bool', 'sparse+lz4'],
];
const files = { 'index-first.tzip': await readRepoFile(DIR + 'index-first.tzip'), 'index-last.tzip': await readRepoFile(DIR + 'index-last.tzip') };
const values = Object.fromEntries(await Promise.all(EXPECTED.map(async ([name]) => [name, npy.read(await readRepoFile(`${DIR}${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1 files (%s build)', (_, { open }) => {
  it.each(Object.keys(files))('%s: the same tensors, pipelines and values as when it was frozen', async (file) => {
    const archive = await open(files[file as keyof typeof files]);
    expect(archive.metadata).toEqual({ golden: 'v1' });
    expect(archive.tensors.map((t) => [t.name, t.dtype, t.storedDtype, t.pipeline.map((s) => s.codec).join('+')])).toEqual(EXPECTED);
    for (const [name] of EXPECTED) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`${file}: "${name}" decodes differently from ${name}.npy`);
    }
  });
});
