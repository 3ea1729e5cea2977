// A file of format version 1.4 whose tensors go through the rans stage, frozen in test/golden/v1.4/ (made once by
// scripts/make-golden-tzip-1.4-rans.mjs): both builds must decode every tensor to the values frozen beside it as
// rans-<name>.npy, and the reference reader (test/reference/index-1.3.ts, rans.ts) must too.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceReadIndex } from './reference/index-1.3';
import { referenceRansStage } from './reference/rans';
import { referenceXxh32 } from './reference/xxh32';

const DIR = 'test/golden/v1.4/';
const NAMES = ['codes', 'skewed', 'two.chunks', 'wide'];
const file = await readRepoFile(`${DIR}rans.tzip`);
const values = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}rans-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The reference's unshuffle (Blosc byte shuffle of `typesize`-byte elements). */
function unshuffle(input: Uint8Array, typesize: number): Uint8Array {
  const n = Math.floor(input.length / typesize);
  const out = Uint8Array.from(input);
  for (let i = 0; i < n; i++) for (let j = 0; j < typesize; j++) out[i * typesize + j] = input[j * n + i];
  return out;
}

describe.each(BUILDS)('golden .tzip v1.4 rans (%s build)', (_, { open }) => {
  it('decodes every tensor to the values frozen beside it', async () => {
    expect([file[4], file[5]]).toEqual([1, 4]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.4 rans' });
    expect(archive.tensors.map((t) => t.pipeline.at(-1)?.codec)).toEqual(['rans', 'rans', 'rans', 'rans']);
    for (const name of NAMES) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from rans-${name}.npy`);
    }
  });
});

describe('golden .tzip v1.4 rans, the reference reader', () => {
  it('decodes every chunk, rANS blocks with one and two tables among them, to the frozen values', () => {
    const tensors = referenceReadIndex(file).index.tensors as { name: string; pipeline: { codec: string; planes?: number; typesize?: number }[]; chunks: number[][] }[];
    const tables = new Set<number>();
    for (const t of tensors) {
      const parts = t.chunks.map(([offset, length, checksum]) => {
        const chunk = file.subarray(offset, offset + length);
        expect(referenceXxh32(chunk)).toBe(checksum);
        const planes = t.pipeline.at(-1)!.planes!;
        // Each block's first byte is its mode; 4 is a rANS block, its byte 5 the number of tables.
        const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        let at = 4 * (planes - 1);
        for (let p = 0; p < planes; p++) {
          if (chunk[at] === 4) tables.add(chunk[at + 5]);
          if (p < planes - 1) at += view.getUint32(4 * p, true);
        }
        const stage = referenceRansStage(chunk, planes);
        return t.pipeline[0].codec === 'shuffle' ? unshuffle(stage, t.pipeline[0].typesize!) : stage;
      });
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      if (!equalBytes(all, bytesOf(values[t.name].data))) expect.fail(`the reference decodes "${t.name}" differently`);
    }
    expect([...tables].sort()).toEqual([1, 2]);
  });
});
