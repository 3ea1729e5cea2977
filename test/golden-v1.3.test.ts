// Files of format version 1.3 frozen in test/golden/v1.3/ (made once by scripts/make-golden-tzip-1.3.mjs): the same
// tensors index first (pack) and index last (ContainerWriter), each with a compressed index and packed chunks. Both
// builds must decode every tensor to the values frozen beside it as <name>.npy, and the reference reader
// (test/reference/index-1.3.ts, the reference stage decoders) must read the index and the lossless tensors too.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceReadIndex } from './reference/index-1.3';
import { referenceDecodeBlock } from './reference/lz4-block';
import { referenceStages } from './reference/stages-1.1';
import { referenceXxh32 } from './reference/xxh32';

const DIR = 'test/golden/v1.3/';
const BIASES = Array.from({ length: 12 }, (_, k) => `block${k}.bias`);
const NAMES = ['conv.weight', ...BIASES, 'labels', 'ids', 'fc.weight'];
const LAYOUTS = ['index-first', 'index-last'];
const files = Object.fromEntries(await Promise.all(LAYOUTS.map(async (l) => [l, await readRepoFile(`${DIR}${l}.tzip`)])));
const values = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.3 (%s build)', (_, { open }) => {
  it.each(LAYOUTS)('%s: decodes every tensor to the values frozen beside it', async (layout) => {
    const file = files[layout];
    expect([file[4], file[5], file[6], file[7]]).toEqual([1, 3, 3, 0]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.3 compressed index, packed chunks' });
    expect(archive.tensors.map((t) => t.name)).toEqual(NAMES);
    for (const name of NAMES) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from ${name}.npy`);
    }
  });
});

describe('golden .tzip v1.3, the reference reader', () => {
  it.each(LAYOUTS)('%s: a compressed index, packed chunks, and the lossless tensors decoded by the reference stages', (layout) => {
    const file = files[layout];
    const { index, storedLength, json } = referenceReadIndex(file);
    expect(storedLength).toBeLessThan(json.length / 2);
    const tensors = index.tensors as { name: string; stored: { dtype: string }; pipeline: Record<string, unknown>[]; chunks: number[][] }[];
    expect(tensors.map((t) => t.name)).toEqual(NAMES);
    expect(tensors.flatMap((t) => t.chunks).some(([offset]) => offset % 64 !== 0)).toBe(true);
    for (const t of tensors.filter((e) => e.name !== 'fc.weight')) {
      const decoded = t.chunks.map(([offset, length, checksum]) => {
        const chunk = file.subarray(offset, offset + length);
        expect(referenceXxh32(chunk), `${t.name} at ${offset}`).toBe(checksum);
        const last = t.pipeline[t.pipeline.length - 1];
        return last?.codec === 'lz4' ? referenceStages(referenceDecodeBlock(chunk), t.pipeline.slice(0, -1)) : referenceStages(chunk, t.pipeline);
      });
      const all = new Uint8Array(decoded.reduce((n, d) => n + d.length, 0));
      decoded.reduce((at, d) => (all.set(d, at), at + d.length), 0);
      if (!equalBytes(all, bytesOf(values[t.name].data))) expect.fail(`the reference decodes "${t.name}" differently from ${t.name}.npy`);
    }
  });
});
