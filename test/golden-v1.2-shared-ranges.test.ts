// A file of format version 1.2 whose chunks share ranges, frozen in test/golden/v1.2/ (made once by
// scripts/make-golden-tzip-1.2-shared.mjs): every reader from now on must decode each tensor to exactly the values
// frozen beside it as shared-ranges-<name>.npy. Tied lossless weights share every chunk, two int8 tensors share their
// code chunks but not their parameter blocks, and one tensor lists one range for all 4 of its chunks.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';

const DIR = 'test/golden/v1.2/';
const NAMES = ['embed.weight', 'decoder.weight', 'then.weight', 'else.weight', 'tiles'];
const file = await readRepoFile(DIR + 'shared-ranges.tzip');
const values = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}shared-ranges-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The index as JSON, read by hand. */
function index(): { tensors: { name: string; chunks: number[][]; stored: { params?: number[] } }[] } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at = Number(view.getBigUint64(8, true));
  return JSON.parse(new TextDecoder().decode(file.subarray(at, at + Number(view.getBigUint64(16, true)))));
}

describe.each(BUILDS)('golden .tzip v1.2 shared ranges (%s build)', (_, { open }) => {
  it('decodes every tensor to the values frozen beside it', async () => {
    expect([file[4], file[5]]).toEqual([1, 2]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.2 shared ranges' });
    expect(archive.tensors.map((t) => t.name)).toEqual(NAMES);
    for (const name of NAMES) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from shared-ranges-${name}.npy`);
    }
  });

  it('shares the ranges it was made to share', () => {
    const t = Object.fromEntries(index().tensors.map((e) => [e.name, e]));
    const ranges = (name: string) => t[name].chunks.map((c) => c.join());
    expect(ranges('decoder.weight')).toEqual(ranges('embed.weight'));
    expect(ranges('else.weight')).toEqual(ranges('then.weight'));
    expect(t['else.weight'].stored.params).not.toEqual(t['then.weight'].stored.params);
    expect(new Set(ranges('tiles')).size).toBe(1);
  });
});
