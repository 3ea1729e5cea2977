// A file of format version 1.2 using the regroup stage (each followed by a huffman stage with a code per group),
// frozen in test/golden/v1.2/ (made once by scripts/make-golden-tzip-1.2-regroup.mjs): every reader from now on must
// decode each tensor to exactly the values frozen beside it as regroup-<name>.npy, as the reference decoder does.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceRegroupHuffman } from './reference/regroup';

const DIR = 'test/golden/v1.2/';
const EXPECTED: [string, string, Record<string, unknown>[]][] = [
  ['conv.kernel', 'uint8', [{ codec: 'regroup', groups: 4, channels: 48, run: 1 }, { codec: 'huffman', planes: 4 }]],
  ['depthwise.kernel', 'uint8', [{ codec: 'regroup', groups: 4, channels: 64, run: 1 }, { codec: 'huffman', planes: 4 }]],
];
const file = await readRepoFile(DIR + 'regroup.tzip');
const values = Object.fromEntries(await Promise.all(EXPECTED.map(async ([name]) => [name, npy.read(await readRepoFile(`${DIR}regroup-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.2 regroup file (%s build)', (_, { open }) => {
  it('the same tensors, pipelines and values as when it was frozen', async () => {
    expect([file[4], file[5]]).toEqual([1, 2]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.2 regroup' });
    expect(archive.tensors.map((t) => [t.name, t.dtype, t.pipeline])).toEqual(EXPECTED);
    for (const [name] of EXPECTED) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from regroup-${name}.npy`);
    }
  });
});

describe('golden .tzip v1.2 regroup file, by the reference decoder', () => {
  it('each chunk decodes to the frozen values', () => {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const at = Number(view.getBigUint64(8, true));
    const index = JSON.parse(new TextDecoder().decode(file.subarray(at, at + Number(view.getBigUint64(16, true)))));
    for (const t of index.tensors) {
      const [regroup, huffman] = t.pipeline;
      const decoded = (t.chunks as number[][]).map(([offset, length]) => referenceRegroupHuffman(file.subarray(offset, offset + length), regroup.groups, regroup.channels, regroup.run, huffman.planes));
      const all = new Uint8Array(decoded.reduce((n, d) => n + d.length, 0));
      decoded.reduce((offset, d) => (all.set(d, offset), offset + d.length), 0);
      expect(equalBytes(all, bytesOf(values[t.name].data)), t.name).toBe(true);
    }
  });
});
