// Format 1.2 entries and the model (docs/FORMAT.md, "Entries and the model"): a model's non-tensor files round-trip
// through pack() and ContainerWriter, compressed and checksummed like uint8 tensors, and every rule the reader enforces
// on them gives its typed error.
import { describe, expect, it } from 'vitest';
import { TensorzipError, type Archive, type EntryInput, type TensorzipErrorCode } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { placeChunks, tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';

const text = (s: string) => new TextEncoder().encode(s);
const next = random(20);
const modelJson = text(JSON.stringify({ format: 'graph-model', modelTopology: { node: Array.from({ length: 200 }, (_, i) => ({ name: `conv${i}`, op: 'Conv2D', input: [`x${i}`] })) } }));
const noise = Uint8Array.from({ length: 5000 }, () => Math.floor(next() * 256));
const entries: Record<string, EntryInput> = {
  'model.json': { data: modelJson, mediaType: 'application/json' },
  'tokenizer/vocab.bin': { data: noise },
  'empty.txt': { data: new Uint8Array(0), mediaType: 'text/plain' },
};
const weights = Float32Array.from({ length: 3000 }, () => next() - 0.5);

async function caught(promise: Promise<unknown>): Promise<TensorzipErrorCode | string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return err instanceof TensorzipError ? err.code : `untyped ${String(err)}`;
  }
}

/** Every entry's bytes, decoded. */
const entryBytes = async (archive: Archive) => Object.fromEntries(await Promise.all(archive.entries.map(async (e) => [e.name, await archive.getEntry(e.name)])));

describe.each(BUILDS)('.tzip entries and the model (%s build)', (_, engine) => {
  it('pack() keeps every entry byte for byte, beside the tensors, with its media type and the model', async () => {
    const file = await engine.pack({ 'model.json': { dtype: 'float32', shape: [3000], data: weights } }, { entries, model: { kind: 'tfjs-graph', entry: 'model.json' } });
    expect([file[4], file[5]], 'format version 1.3').toEqual([1, 3]);
    const archive = await engine.open(file);
    expect(archive.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    expect(archive.entries.map((e) => [e.name, e.size, e.mediaType])).toEqual([
      ['model.json', modelJson.length, 'application/json'], ['tokenizer/vocab.bin', 5000, null], ['empty.txt', 0, 'text/plain'],
    ]);
    const decoded = await entryBytes(archive);
    for (const [name, { data }] of Object.entries(entries)) expect(equalBytes(decoded[name], data), name).toBe(true);
    // Tensors and entries are separate name spaces: the tensor "model.json" is the weights.
    expect((await archive.get('model.json')).data).toEqual(weights);
  });

  it('compresses an entry as the smallest pipeline a uint8 tensor would get, and stores noise as it is', async () => {
    const archive = await engine.open(await engine.pack({}, { entries }));
    const [json, vocab] = archive.entries;
    expect(json.pipeline.length).toBeGreaterThan(0);
    expect(json.encodedBytes).toBeLessThan(modelJson.length / 4);
    expect(vocab.pipeline).toEqual([]);
    expect(vocab.encodedBytes).toBe(noise.length);
  });

  it('ContainerWriter.addEntry writes the same entries and model (index last)', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, { model: { kind: 'tfjs-layers', entry: 'model.json' } });
    await writer.add('w', { dtype: 'float32', shape: [3000], data: weights });
    for (const [name, { data, mediaType }] of Object.entries(entries)) await writer.addEntry(name, data, { mediaType });
    await writer.finish();
    const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
    const archive = await engine.open(file);
    expect(archive.model).toEqual({ kind: 'tfjs-layers', entry: 'model.json' });
    expect(archive.entries.map((e) => e.mediaType)).toEqual(['application/json', null, 'text/plain']);
    const decoded = await entryBytes(archive);
    for (const [name, { data }] of Object.entries(entries)) expect(equalBytes(decoded[name], data), name).toBe(true);
  });

  it('ContainerWriter refuses a model whose entry was never added, at finish()', async () => {
    const writer = engine.createWriter({ write: () => {} }, { model: { kind: 'onnx', entry: 'model.onnx' } });
    await writer.addEntry('graph.onnx', text('x'));
    expect(await caught(writer.finish())).toBe('ARGUMENT');
  });

  it('a file without entries has none and no model; a missing entry is ARGUMENT, as a missing tensor is', async () => {
    const archive = await engine.open(await engine.pack({ w: { dtype: 'float32', shape: [3000], data: weights } }));
    expect(archive.entries).toEqual([]);
    expect(archive.model).toBe(null);
    expect(await caught(archive.getEntry('model.json'))).toBe('ARGUMENT');
    expect(await caught(archive.get('nothing'))).toBe('ARGUMENT');
  });

  it.each([
    ['an absolute path', '/etc/passwd'], ['a parent segment', 'a/../../b'], ['a "." segment', './model.json'], ['an empty segment', 'a//b'],
    ['a trailing slash', 'dir/'], ['a backslash', 'a\\b'], ['a colon', 'C:x'], ['NUL', 'a\0b'], ['an empty name', ''],
    ['1025 bytes', 'é'.repeat(512) + 'a'],
  ])('pack() refuses an entry name with %s (ARGUMENT)', async (_, name) => {
    expect(await caught(engine.pack({}, { entries: { [name]: { data: text('x') } } }))).toBe('ARGUMENT');
  });

  it.each([
    ['data that is not a Uint8Array', { entries: { 'a.json': { data: [1, 2] as unknown as Uint8Array } } }],
    ['a mediaType over 255 bytes', { entries: { 'a.json': { data: text('x'), mediaType: 'a'.repeat(256) } } }],
    ['a model entry that is not an entry', { entries: { 'a.json': { data: text('x') } }, model: { kind: 'tfjs-graph', entry: 'b.json' } }],
    ['a model without a kind', { entries: { 'a.json': { data: text('x') } }, model: { kind: '', entry: 'a.json' } }],
  ])('pack() refuses %s (ARGUMENT)', async (_, options) => {
    expect(await caught(engine.pack({}, options))).toBe('ARGUMENT');
  });
});

// Hand-built indexes: one valid entry, then each rule broken in turn.
const payload = text('{"format":"graph-model"}');
const { data } = placeChunks([payload]);
const entry = (at: number, extra: Record<string, unknown> = {}) => ({
  name: 'model.json', mediaType: 'application/json', size: payload.length, pipeline: [], chunkElements: payload.length,
  chunks: [[at, payload.length, referenceXxh32(payload)]], ...extra,
});
const fileWith = (index: (at: number) => Record<string, unknown>) => tzipFile((at: number) => ({ tensors: [], ...index(at) }), data);

describe.each(BUILDS)('.tzip entries a reader refuses (%s build)', (_, engine) => {
  const outcome = async (file: Uint8Array, options = {}) => caught((async () => {
    const archive = await engine.open(file, options);
    for (const e of archive.entries) await archive.getEntry(e.name);
  })());

  it('the valid hand-built file opens and decodes', async () => {
    const archive = await engine.open(fileWith((at) => ({ entries: [entry(at)], model: { kind: 'tfjs-graph', entry: 'model.json' } })));
    expect(equalBytes(await archive.getEntry('model.json'), payload)).toBe(true);
    expect(archive.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
  });

  it('a kind it does not know is reported, not refused', async () => {
    const archive = await engine.open(fileWith((at) => ({ entries: [entry(at)], model: { kind: 'some-future-kind', entry: 'model.json' } })));
    expect(archive.model?.kind).toBe('some-future-kind');
  });

  it.each([
    ['an absolute name', '/model.json'], ['a ".." segment', 'a/../model.json'], ['a "." segment', 'a/./model.json'], ['an empty segment', 'a//model.json'],
    ['a backslash', 'a\\model.json'], ['a colon', 'c:model.json'], ['NUL', 'model\0.json'], ['an empty name', ''], ['a name of 1025 bytes', 'm'.repeat(1025)],
    ['a name that is not a string', 7],
  ])('an entry with %s is CORRUPT', async (_, name) => {
    expect(await outcome(fileWith((at) => ({ entries: [entry(at, { name })] })))).toBe('CORRUPT');
  });

  it('a name of exactly 1024 bytes is accepted', async () => {
    expect(await outcome(fileWith((at) => ({ entries: [entry(at, { name: 'm'.repeat(1024) })] })))).toBe('OK');
  });

  it.each([
    ['two entries with one name', (at: number) => ({ entries: [entry(at), entry(at + 64, { chunks: [], size: 0 })] })],
    ['a mediaType of 256 bytes', (at: number) => ({ entries: [entry(at, { mediaType: 'x'.repeat(256) })] })],
    ['a mediaType that is not a string', (at: number) => ({ entries: [entry(at, { mediaType: 3 })] })],
    ['a size that is not an integer', (at: number) => ({ entries: [entry(at, { size: 1.5 })] })],
    ['a negative size', (at: number) => ({ entries: [entry(at, { size: -1 })] })],
    ['a size larger than the chunks', (at: number) => ({ entries: [entry(at, { size: payload.length + 1, chunkElements: payload.length + 1 })] })],
    ['a size past the chunk count', (at: number) => ({ entries: [entry(at, { size: 3 * payload.length })] })],
    ['an unknown stage', (at: number) => ({ entries: [entry(at, { pipeline: [{ codec: 'zip' }] })] })],
    ['entries that are not an array', () => ({ entries: {} })],
    ['an entry that is not an object', () => ({ entries: ['model.json'] })],
    ['a model whose entry is not an entry', (at: number) => ({ entries: [entry(at)], model: { kind: 'tfjs-graph', entry: 'other.json' } })],
    ['a model without entries', () => ({ model: { kind: 'tfjs-graph', entry: 'model.json' } })],
    ['a model without a kind', (at: number) => ({ entries: [entry(at)], model: { entry: 'model.json' } })],
    ['a model that is a string', (at: number) => ({ entries: [entry(at)], model: 'tfjs-graph' })],
    // A tensor chunk listing the very same range would share it (1.2); one byte shorter overlaps.
    ['an entry chunk overlapping a tensor chunk', (at: number) => ({ tensors: [tensorEntry('t', 'uint8', [payload.length - 1], [[at, payload.length - 1, referenceXxh32(payload.subarray(0, payload.length - 1))]])], entries: [entry(at)] })],
    ['an entry chunk outside the file', (at: number) => ({ entries: [entry(at + 4096)] })],
    ['an entry chunk off the 64-byte grid', (at: number) => ({ entries: [entry(at + 8)] })],
  ])('%s', async (name, index) => {
    const expected = name === 'an unknown stage' ? 'UNSUPPORTED' : 'CORRUPT';
    expect(await outcome(fileWith(index as (at: number) => Record<string, unknown>))).toBe(expected);
  });

  it('a damaged entry chunk is CHECKSUM when read', async () => {
    const file = fileWith((at) => ({ entries: [entry(at)] }));
    file[file.length - 32 - data.length] ^= 1; // the entry's first byte
    expect(await caught((await engine.open(file)).getEntry('model.json'))).toBe('CHECKSUM');
  });

  it('an entry larger than maxBytes is LIMIT', async () => {
    expect(await outcome(fileWith((at) => ({ entries: [entry(at)] })), { maxBytes: payload.length - 1 })).toBe('LIMIT');
  });

  it('entries count with tensors against maxTensors, and their chunks against maxChunks', async () => {
    const file = fileWith((at) => ({ tensors: [tensorEntry('t', 'uint8', [0], [])], entries: [entry(at)] }));
    expect(await outcome(file, { maxTensors: 2 })).toBe('OK');
    expect(await outcome(file, { maxTensors: 1 })).toBe('LIMIT');
    expect(await outcome(file, { maxChunks: 1 })).toBe('OK');
    expect(await outcome(file, { maxChunks: 0 })).toBe('LIMIT');
  });
});
