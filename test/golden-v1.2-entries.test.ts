// A file of format version 1.2 with entries and a tfjs-graph model, frozen in test/golden/v1.2/ (made once by
// scripts/make-golden-tzip-1.2-entries.mjs): every reader from now on must list the same entries and model and decode
// each entry to the bytes frozen under entries/, each tensor to entries-<name>.npy. A plain reference reader written
// from the spec (test/reference/entries-1.2.ts) reads the same bytes from the file.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { referenceReadEntries } from './reference/entries-1.2';

const DIR = 'test/golden/v1.2/';
const ENTRIES = [
  ['model.json', 3133, 'application/json', 'lz4'],
  ['assets/labels.txt', 6000, 'text/plain', 'huffman1'],
  ['assets/noise.bin', 3000, null, ''],
];
const TENSORS = ['dense/kernel', 'dense/bias'];
const file = await readRepoFile(DIR + 'entries.tzip');
const frozen = Object.fromEntries(await Promise.all(ENTRIES.map(async ([name]) => [name, await readRepoFile(`${DIR}entries/${name}`)])));
const values = Object.fromEntries(await Promise.all(TENSORS.map(async (name) => [name, npy.read(await readRepoFile(`${DIR}entries-${name.replace('/', '.')}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const shown = (stages: readonly object[]) => (stages as Record<string, unknown>[]).map((s) => `${s.codec}${s.planes ?? s.width ?? s.typesize ?? ''}`).join('+');

describe.each(BUILDS)('golden .tzip v1.2 entries file (%s build)', (_, { open }) => {
  it('the same entries, model, tensors and bytes as when it was frozen', async () => {
    expect([file[4], file[5]]).toEqual([1, 2]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.2 entries' });
    expect(archive.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    expect(archive.entries.map((e) => [e.name, e.size, e.mediaType, shown(e.pipeline)])).toEqual(ENTRIES);
    for (const [name] of ENTRIES) {
      if (!equalBytes(await archive.getEntry(name as string), frozen[name as string])) expect.fail(`entry "${name}" decodes differently from entries/${name}`);
    }
    expect(archive.tensors.map((t) => t.name)).toEqual(TENSORS);
    for (const name of TENSORS) {
      const got = await archive.get(name);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from its .npy`);
    }
  });
});

describe('golden .tzip v1.2 entries file, read by the reference reader', () => {
  it('gives the frozen bytes of every entry, and the model names one of them', () => {
    const { index, entries } = referenceReadEntries(file);
    expect(Object.keys(entries)).toEqual(ENTRIES.map(([name]) => name));
    for (const [name] of ENTRIES) expect(equalBytes(entries[name as string], frozen[name as string]), name as string).toBe(true);
    expect(Object.keys(entries)).toContain(index.model?.entry);
  });
});
