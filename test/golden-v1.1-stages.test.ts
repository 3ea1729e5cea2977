// A file of format version 1.1 using the huffman and palette stages, frozen in test/golden/v1.1/ (made once by
// scripts/make-golden-tzip-1.1.mjs): every reader from now on must decode each tensor to exactly the values frozen
// beside it as stages-<name>.npy. The file holds huffman planes 1 and 4 with raw, run and huffman blocks, and
// palettes with 1- and 2-byte indices.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';

const DIR = 'test/golden/v1.1/';
const EXPECTED = [
  ['codes.weight', 'float32', 'int8', 'huffman1'],
  ['gain', 'float32', 'float32', 'shuffle4+huffman4'],
  ['levels.weight', 'float32', 'float32', 'palette4+huffman1'],
  ['ids', 'uint16', 'uint16', 'palette2+shuffle2+huffman2'],
];
const file = await readRepoFile(DIR + 'stages.tzip');
const values = Object.fromEntries(await Promise.all(EXPECTED.map(async ([name]) => [name, npy.read(await readRepoFile(`${DIR}stages-${name}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const shown = (stages: Record<string, unknown>[]) => stages.map((s) => `${s.codec}${s.planes ?? s.width ?? s.typesize ?? ''}`).join('+');

/** The mode byte of every entropy block of the file's huffman stages, read from the index and the plane tables. */
function blockModes(): Set<number> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at = Number(view.getBigUint64(8, true));
  const index = JSON.parse(new TextDecoder().decode(file.subarray(at, at + Number(view.getBigUint64(16, true)))));
  const modes = new Set<number>();
  for (const t of index.tensors) {
    const last = t.pipeline[t.pipeline.length - 1];
    if (last.codec !== 'huffman') continue;
    for (const [offset] of t.chunks as number[][]) {
      let block = offset + 4 * (last.planes - 1);
      for (let p = 0; p < last.planes; p++) {
        modes.add(file[block]);
        block += p < last.planes - 1 ? view.getUint32(offset + 4 * p, true) : 0;
      }
    }
  }
  return modes;
}

describe.each(BUILDS)('golden .tzip v1.1 stages file (%s build)', (_, { open }) => {
  it('the same tensors, pipelines and values as when it was frozen', async () => {
    expect([file[4], file[5]]).toEqual([1, 1]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.1 stages' });
    expect(archive.tensors.map((t) => [t.name, t.dtype, t.storedDtype, shown(t.pipeline as unknown as Record<string, unknown>[])])).toEqual(EXPECTED);
    for (const [name] of EXPECTED) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from stages-${name}.npy`);
    }
  });

  it('holds raw, run and huffman blocks', () => {
    expect([...blockModes()].sort()).toEqual([0, 1, 2]);
  });
});
