// A file of format version 1.6 whose tensors go through the predict stage, frozen in test/golden/v1.6/ (made once by
// scripts/make-golden-tzip-1.6-predict.mjs): both builds must decode every tensor to the values frozen beside it as
// predict-<name>.npy, and the reference reader (test/reference/index-1.3.ts, stages-1.1.ts, predict.ts) must too.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceReadIndex } from './reference/index-1.3';
import { referencePredictStage } from './reference/predict';
import { referenceHuffmanStage } from './reference/stages-1.1';
import { referenceXxh32 } from './reference/xxh32';

const DIR = 'test/golden/v1.6/';
/** Each tensor's name says its predict stage: the weight, then the lag. */
const NAMES = ['w1-lag5', 'w2-lag40', 'w3-lag7', 'w4-lag96'];
const stageOf = (name: string) => {
  const [, weight, lag] = /^w(\d)-lag(\d+)$/.exec(name)!.map(Number);
  return { codec: 'predict', lag, weight };
};
const file = await readRepoFile(`${DIR}predict.tzip`);
const values = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}predict-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.6 predict (%s build)', (_, { open }) => {
  it('decodes every tensor to the values frozen beside it', async () => {
    expect([file[4], file[5]]).toEqual([1, 6]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.6 predict' });
    expect(archive.tensors.map((t) => t.pipeline)).toEqual(NAMES.map((name) => [stageOf(name), { codec: 'huffman', planes: 1 }]));
    for (const name of NAMES) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from predict-${name}.npy`);
    }
  });
});

describe('golden .tzip v1.6 predict, the reference reader', () => {
  it('decodes every chunk, huffman then predict, to the frozen values', () => {
    const tensors = referenceReadIndex(file).index.tensors as { name: string; chunks: number[][] }[];
    expect(tensors.map((t) => t.name)).toEqual(NAMES);
    for (const t of tensors) {
      const { lag, weight } = stageOf(t.name);
      const parts = t.chunks.map(([offset, length, checksum]) => {
        const chunk = file.subarray(offset, offset + length);
        expect(referenceXxh32(chunk)).toBe(checksum);
        return referencePredictStage(referenceHuffmanStage(chunk, 1), lag, weight);
      });
      expect(parts.length, t.name).toBeGreaterThan(1);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      if (!equalBytes(all, bytesOf(values[t.name].data))) expect.fail(`the reference decodes "${t.name}" differently`);
    }
  });
});
