// A file of format version 1.5 whose tensors go through the rans_lanes stage, frozen in test/golden/v1.5/ (made once
// by scripts/make-golden-tzip-1.5-rans-lanes.mjs): both builds must decode every tensor to the values frozen beside
// it as rans-lanes-<name>.npy, and the reference reader (test/reference/index-1.3.ts, rans.ts) must too.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceReadIndex } from './reference/index-1.3';
import { referenceRansLanesStage } from './reference/rans';
import { referenceXxh32 } from './reference/xxh32';

const DIR = 'test/golden/v1.5/';
const NAMES = ['context', 'order0'];
const file = await readRepoFile(`${DIR}rans-lanes.tzip`);
const values = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}rans-lanes-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.5 rans_lanes (%s build)', (_, { open }) => {
  it('decodes every tensor to the values frozen beside it', async () => {
    expect([file[4], file[5]]).toEqual([1, 5]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.5 rans_lanes' });
    expect(archive.tensors.map((t) => t.pipeline.map((s) => s.codec))).toEqual([['rans_lanes'], ['rans_lanes']]);
    for (const name of NAMES) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from rans-lanes-${name}.npy`);
    }
  });
});

describe('golden .tzip v1.5 rans_lanes, the reference reader', () => {
  it('decodes every chunk, mode 5 blocks with one and two tables among them, to the frozen values', () => {
    const tensors = referenceReadIndex(file).index.tensors as { name: string; chunks: number[][] }[];
    const tables = new Set<number>();
    for (const t of tensors) {
      const parts = t.chunks.map(([offset, length, checksum]) => {
        const chunk = file.subarray(offset, offset + length);
        expect(referenceXxh32(chunk)).toBe(checksum);
        // One plane: the chunk is one block; mode 5, its byte 5 the number of tables.
        expect(chunk[0], t.name).toBe(5);
        tables.add(chunk[5]);
        return referenceRansLanesStage(chunk, 1);
      });
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      if (!equalBytes(all, bytesOf(values[t.name].data))) expect.fail(`the reference decodes "${t.name}" differently`);
    }
    expect([...tables].sort()).toEqual([1, 2]);
  });
});
