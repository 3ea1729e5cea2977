// Datasets (docs/FORMAT.md, Datasets): every field kind round-trips through createDatasetWriter and openDataset;
// shuffled epochs follow the order the spec fixes (a reference written here from the spec's words), cover every
// sample once, differ between epochs and resume from a position; sharded datasets read through their manifest; and
// damaged descriptors, manifests and shards give typed errors.
import { describe, expect, it } from 'vitest';
import { createDatasetWriter, createWriter, generateSecretKey, openDataset, type DatasetFieldInput, type DatasetManifest, type DatasetTensor } from '../src/index';
import { random } from './helpers/data';
import { codeOf } from './helpers/errors';

/** A sink that keeps what is written. */
function memorySink() {
  const parts: Uint8Array[] = [];
  return {
    sink: { write: (b: Uint8Array) => void parts.push(b.slice()), close: () => {} },
    bytes: () => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) (out.set(p, at), (at += p.length));
      return out;
    },
  };
}


const next = random(23);
const COUNT = 700;
const schema: DatasetFieldInput[] = [
  { name: 'id', dtype: 'int32', shape: [] },
  { name: 'image', dtype: 'uint8', shape: [12, 12] },
  { name: 'features', dtype: 'float32', shape: [5] },
  { name: 'tokens', dtype: 'int32', shape: [null] },
  { name: 'boxes', dtype: 'float32', shape: [null, 4] },
  { name: 'mask', dtype: 'bool', shape: [3] },
  { name: 'big', dtype: 'int64', shape: [2] },
  { name: 'sparse', dtype: 'float32', shape: [40] },
];
const samples = Array.from({ length: COUNT }, (_, i) => ({
  id: i,
  image: Uint8Array.from({ length: 144 }, (_, k) => (k * 7 + i) & 0xff),
  features: Float32Array.from({ length: 5 }, () => next() * 2 - 1),
  tokens: Int32Array.from({ length: Math.floor(next() * 9) }, () => Math.floor(next() * 30000)),
  boxes: { shape: [i % 4, 4], data: Float32Array.from({ length: (i % 4) * 4 }, () => next()) },
  mask: [i % 2 === 0, true, false],
  big: [BigInt(i) * 10n ** 15n, -BigInt(i)],
  sparse: Float32Array.from({ length: 40 }, (_, k) => (k === i % 40 ? 1.5 : 0)),
}));

/** What sample i's field is, as the reader should give it. */
function expected(i: number, field: string): { shape: number[]; values: unknown[] } {
  const s = samples[i];
  switch (field) {
    case 'id': return { shape: [], values: [s.id] };
    case 'image': return { shape: [12, 12], values: [...s.image] };
    case 'features': return { shape: [5], values: [...s.features] };
    case 'tokens': return { shape: [s.tokens.length], values: [...s.tokens] };
    case 'boxes': return { shape: s.boxes.shape, values: [...s.boxes.data] };
    case 'mask': return { shape: [3], values: s.mask.map(Number) };
    case 'big': return { shape: [2], values: s.big };
    case 'sparse': return { shape: [40], values: [...s.sparse] };
  }
  throw new Error(field);
}

async function writeDataset(options: { groupSamples?: number } = {}) {
  const { sink, bytes } = memorySink();
  const writer = createDatasetWriter(sink, { schema, groupSamples: options.groupSamples ?? 64, metadata: { source: 'test' } });
  for (const s of samples) await writer.add(s);
  const manifest = await writer.finish();
  return { bytes: bytes(), manifest };
}

const single = await writeDataset();

/** The sample order of docs/FORMAT.md (Sample order), written from its words. */
function referenceOrder(groupSizes: number[], seed: number, epoch: number, window: number): number[] {
  let s = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  const draw = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t = t ^ (t + Math.imul(t ^ (t >>> 7), t | 61));
    return (t ^ (t >>> 14)) >>> 0;
  };
  const fisherYates = <T>(items: T[]) => {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = Math.floor((draw() * (i + 1)) / 2 ** 32);
      [items[i], items[j]] = [items[j], items[i]];
    }
  };
  const firsts = groupSizes.map((_, g) => groupSizes.slice(0, g).reduce((a, b) => a + b, 0));
  const groups = groupSizes.map((_, g) => g);
  fisherYates(groups);
  const order: number[] = [];
  for (let w = 0; w < groups.length; w += window) {
    const samplesOfWindow = groups.slice(w, w + window).flatMap((g) => Array.from({ length: groupSizes[g] }, (_, k) => firsts[g] + k));
    fisherYates(samplesOfWindow);
    order.push(...samplesOfWindow);
  }
  return order;
}

async function idsOf(batches: AsyncIterable<Record<string, DatasetTensor>>): Promise<number[]> {
  const ids: number[] = [];
  for await (const b of batches) ids.push(...(b.id.data as Int32Array));
  return ids;
}

describe('datasets: every field kind round-trips', () => {
  it('get(i) gives back each sample of each field, with its shape', async () => {
    const ds = await openDataset(single.bytes);
    expect(ds.length).toBe(COUNT);
    expect(ds.fields.map((f) => f.name)).toEqual(schema.map((f) => f.name));
    expect(ds.metadata.source).toBe('test');
    for (const i of [0, 1, 63, 64, 65, 350, COUNT - 1]) {
      const sample = await ds.get(i);
      for (const f of schema) {
        const want = expected(i, f.name);
        expect(sample[f.name].shape).toEqual(want.shape);
        expect(sample[f.name].dtype).toBe(f.dtype);
        expect(Array.from(sample[f.name].data as ArrayLike<unknown>)).toEqual(want.values);
      }
    }
  });

  it('batches in stored order stack every sample, the batch dimension first; variable fields carry offsets and shapes', async () => {
    const ds = await openDataset(single.bytes);
    let at = 0;
    for await (const batch of ds.batches({ batchSize: 50 })) {
      const n = batch.id.shape[0] as number;
      expect(batch.image.shape).toEqual([n, 12, 12]);
      expect(batch.image.data).toBeInstanceOf(Uint8Array);
      expect(batch.boxes.shape).toEqual([n, null, 4]);
      for (let k = 0; k < n; k++) {
        const i = at + k;
        expect(batch.id.data[k]).toBe(i);
        expect([...batch.image.data.subarray(k * 144, (k + 1) * 144)]).toEqual(expected(i, 'image').values);
        expect([...batch.big.data.subarray(k * 2, k * 2 + 2)]).toEqual(expected(i, 'big').values);
        const { offsets, shapes } = batch.tokens;
        expect(shapes![k]).toEqual(expected(i, 'tokens').shape);
        expect([...batch.tokens.data.subarray(offsets![k], offsets![k + 1])]).toEqual(expected(i, 'tokens').values);
        expect([...batch.boxes.data.subarray(batch.boxes.offsets![k], batch.boxes.offsets![k + 1])]).toEqual(expected(i, 'boxes').values);
      }
      at += n;
    }
    expect(at).toBe(COUNT);
  });

  it('quantized float fields decode within their stored error; empty datasets and empty variable values work', async () => {
    const { sink, bytes } = memorySink();
    const writer = createDatasetWriter(sink, { schema: [{ name: 'x', dtype: 'float32', shape: [64, 32], quantize: 'int8' }, { name: 'v', dtype: 'uint8', shape: [null] }], groupSamples: 4 });
    const xs = Array.from({ length: 9 }, () => Float32Array.from({ length: 2048 }, () => next() * 4 - 2));
    for (const x of xs) await writer.add({ x, v: new Uint8Array(0) });
    await writer.finish();
    const ds = await openDataset(bytes());
    for (let i = 0; i < xs.length; i++) {
      const got = (await ds.get(i)).x.data as Float32Array;
      const worst = got.reduce((m, v, k) => Math.max(m, Math.abs(v - xs[i][k])), 0);
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThan(4 / 254 + 1e-6);
    }
    expect((await ds.get(8)).v.shape).toEqual([0]);

    const empty = memorySink();
    const w = createDatasetWriter(empty.sink, { schema: [{ name: 'y', dtype: 'int32', shape: [] }] });
    expect((await w.finish()).samples).toBe(0);
    const none = await openDataset(empty.bytes());
    expect(none.length).toBe(0);
    expect(await idsOf(none.batches({ batchSize: 4, shuffle: true }))).toEqual([]);
  });

  it('a dataset file is an ordinary .tzip: each group is a tensor any reader decodes', async () => {
    const { open } = await import('../src/index');
    const archive = await open(single.bytes);
    const image = await archive.get('fields/image/1');
    expect(image.shape).toEqual([64, 12, 12]);
    expect([...image.data.subarray(0, 144)]).toEqual(expected(64, 'image').values);
    expect(archive.entries.map((e) => e.name)).toContain('dataset.json');
  });
});

describe('datasets: shuffled epochs', () => {
  const groupSizes = Array.from({ length: Math.ceil(COUNT / 64) }, (_, g) => Math.min(64, COUNT - g * 64));

  it('follow the order the format fixes, cover every sample once, and differ between epochs', async () => {
    const ds = await openDataset(single.bytes);
    const epoch0 = await idsOf(ds.batches({ batchSize: 32, shuffle: true, seed: 7, epoch: 0, window: 3, fields: ['id'] }));
    const epoch1 = await idsOf(ds.batches({ batchSize: 32, shuffle: true, seed: 7, epoch: 1, window: 3, fields: ['id'] }));
    expect(epoch0).toEqual(referenceOrder(groupSizes, 7, 0, 3));
    expect(epoch1).toEqual(referenceOrder(groupSizes, 7, 1, 3));
    expect([...epoch0].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(epoch0).not.toEqual(epoch1);
    expect(await idsOf(ds.batches({ batchSize: 32, shuffle: true, seed: 7, epoch: 0, window: 3, fields: ['id'] }))).toEqual(epoch0);
    // Samples move across groups: the first window mixes samples of several groups.
    expect(new Set(epoch0.slice(0, 20).map((i) => Math.floor(i / 64))).size).toBeGreaterThan(1);
  });

  it('every field of a shuffled batch belongs to the same sample', async () => {
    const ds = await openDataset(single.bytes);
    for await (const batch of ds.batches({ batchSize: 100, shuffle: true, seed: 3 })) {
      const ids = batch.id.data as Int32Array;
      ids.forEach((i, k) => {
        expect([...batch.features.data.subarray(k * 5, k * 5 + 5)]).toEqual(expected(i, 'features').values);
        expect(batch.tokens.shapes![k]).toEqual(expected(i, 'tokens').shape);
      });
    }
  });

  it('resume from a saved position gives the rest of the epoch; dropLast leaves out the short batch', async () => {
    const ds = await openDataset(single.bytes);
    const options = { batchSize: 30, shuffle: true, seed: 11, epoch: 2, fields: ['id'] } as const;
    const full = await idsOf(ds.batches(options));
    const it = ds.batches(options);
    const first: number[] = [];
    for (let k = 0; k < 9; k++) first.push(...((await it.next()).value.id.data as Int32Array));
    expect(it.position).toBe(270);
    const rest = await idsOf(ds.batches({ ...options, from: it.position }));
    expect([...first, ...rest]).toEqual(full);
    const dropped = await idsOf(ds.batches({ ...options, dropLast: true }));
    expect(dropped).toEqual(full.slice(0, Math.floor(COUNT / 30) * 30));
  });
});

describe('datasets: shards and a manifest', () => {
  it('a writer cuts shards at shardBytes; the manifest reads them back in order', async () => {
    const sinks = new Map<string, ReturnType<typeof memorySink>>();
    const writer = createDatasetWriter((n) => {
      const path = `part-${String(n).padStart(3, '0')}.tzip`;
      const s = memorySink();
      sinks.set(path, s);
      return { path, sink: s.sink };
    }, { schema, groupSamples: 50, shardBytes: 10_000 });
    for (const s of samples) await writer.add(s);
    const manifest: DatasetManifest = await writer.finish();
    expect(manifest.shards.length).toBeGreaterThan(2);
    expect(manifest.samples).toBe(COUNT);
    for (const shard of manifest.shards) expect(shard.bytes).toBe(sinks.get(shard.path)!.bytes().length);
    const ds = await openDataset(manifest, { shardSource: (path) => sinks.get(path)!.bytes() });
    expect(ds.length).toBe(COUNT);
    expect(await idsOf(ds.batches({ batchSize: 64, fields: ['id'] }))).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    const sizes = manifest.shards.flatMap((s) => Array.from({ length: Math.ceil(s.samples / 50) }, (_, g) => Math.min(50, s.samples - g * 50)));
    expect(await idsOf(ds.batches({ batchSize: 64, fields: ['id'], shuffle: true, seed: 5 }))).toEqual(referenceOrder(sizes, 5, 0, 8));
    const last = await ds.get(COUNT - 1);
    expect([...last.boxes.data]).toEqual(expected(COUNT - 1, 'boxes').values);
    // The manifest as JSON bytes reads the same.
    const fromBytes = await openDataset(new TextEncoder().encode(JSON.stringify(manifest)), { shardSource: (path) => sinks.get(path)!.bytes() });
    expect(fromBytes.length).toBe(COUNT);
  });
});

describe('datasets: encrypted', () => {
  it('shards sealed with a key read back with it (every field of every sample); no key is ARGUMENT, another key SIGNATURE', async () => {
    const key = generateSecretKey();
    const sinks = new Map<string, ReturnType<typeof memorySink>>();
    const writer = createDatasetWriter((n) => {
      const path = `part-${n}.tzip`;
      const s = memorySink();
      sinks.set(path, s);
      return { path, sink: s.sink };
    }, { schema, groupSamples: 50, shardBytes: 40_000, encrypt: { key } });
    for (const s of samples) await writer.add(s);
    const manifest = await writer.finish();
    expect(manifest.shards.length).toBeGreaterThan(1);
    const shardSource = (path: string) => sinks.get(path)!.bytes();
    for (const shard of manifest.shards) {
      const bytes = shardSource(shard.path);
      expect(bytes[6] & 4).toBe(4); // flag bit 2 (format 1.4): encrypted
      expect(new TextDecoder('latin1').decode(bytes)).not.toContain('tokens');
    }
    const ds = await openDataset(manifest, { shardSource, decrypt: { key } });
    for (const i of [0, 49, 50, 351, COUNT - 1]) {
      const sample = await ds.get(i);
      for (const field of schema.map((f) => f.name)) {
        expect(sample[field].shape, `${field} of ${i}`).toEqual(expected(i, field).shape);
        expect(Array.from(sample[field].data as ArrayLike<unknown>), `${field} of ${i}`).toEqual(expected(i, field).values);
      }
    }
    expect(await idsOf(ds.batches({ batchSize: 64, fields: ['id'], shuffle: true, seed: 2 }))).toEqual(await idsOf((await openDataset(manifest, { shardSource, decrypt: { key } })).batches({ batchSize: 64, fields: ['id'], shuffle: true, seed: 2 })));
    expect(await codeOf((await openDataset(manifest, { shardSource })).get(0))).toBe('ARGUMENT');
    expect(await codeOf((await openDataset(manifest, { shardSource, decrypt: { key: generateSecretKey() } })).get(0))).toBe('SIGNATURE');
  });
});

describe('datasets: damaged and hostile input', () => {
  async function shardWith(descriptor: unknown, tensors: Record<string, { dtype: 'int32'; shape: number[]; data: Int32Array }> = {}) {
    const { sink, bytes } = memorySink();
    const writer = createWriter(sink);
    for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
    await writer.addEntry('dataset.json', new TextEncoder().encode(typeof descriptor === 'string' ? descriptor : JSON.stringify(descriptor)));
    await writer.finish();
    return bytes();
  }
  const ok = { dataset: 1, samples: 2, groupSamples: 2, fields: [{ name: 'y', dtype: 'int32', shape: [] }] };
  const good = { 'fields/y/0': { dtype: 'int32' as const, shape: [2], data: Int32Array.of(4, 5) } };

  it('descriptors', async () => {
    expect([...(await (await openDataset(await shardWith(ok, good))).get(1)).y.data]).toEqual([5]);
    const codes = await Promise.all([
      shardWith('{ not json', good),
      shardWith({ ...ok, dataset: 2 }, good),
      shardWith({ ...ok, dataset: '1' }, good),
      shardWith({ ...ok, samples: -1 }, good),
      shardWith({ ...ok, groupSamples: 0 }, good),
      shardWith({ ...ok, fields: [] }, good),
      shardWith({ ...ok, fields: [{ name: 'a/b', dtype: 'int32', shape: [] }] }, good),
      shardWith({ ...ok, fields: [{ name: 'y', dtype: 'int33', shape: [] }] }, good),
      shardWith({ ...ok, fields: [{ name: 'y', dtype: 'int32', shape: [-1] }] }, good),
      shardWith({ ...ok, fields: [{ name: 'y', dtype: 'int32', shape: [] }, { name: 'y', dtype: 'int32', shape: [] }] }, good),
      shardWith(ok, {}),
      shardWith({ ...ok, samples: 3 }, good),
      shardWith(ok, { 'fields/y/0': { dtype: 'int32', shape: [3], data: Int32Array.of(1, 2, 3) } }),
      shardWith({ ...ok, samples: 2 ** 52, groupSamples: 1 }, good), // a claim of 2^52 groups: refused before any loop over them
    ].map(async (p) => codeOf(openDataset(await p).then((ds) => ds.get(0)))));
    expect(codes).toEqual(['CORRUPT', 'UNSUPPORTED', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'LIMIT']);
    const { sink, bytes } = memorySink();
    const plain = createWriter(sink);
    await plain.add('w', { dtype: 'int32', shape: [1], data: Int32Array.of(1) });
    await plain.finish();
    expect(await codeOf(openDataset(bytes()))).toBe('CORRUPT');
  });

  it('variable fields whose shapes do not add up to their values', async () => {
    const descriptor = { dataset: 1, samples: 2, groupSamples: 2, fields: [{ name: 't', dtype: 'int32', shape: [null] }] };
    const shard = (shapes: number[]) => shardWith(descriptor, {
      'fields/t/0': { dtype: 'int32', shape: [5], data: Int32Array.of(1, 2, 3, 4, 5) },
      'shapes/t/0': { dtype: 'int32', shape: [2, 1], data: Int32Array.from(shapes) },
    });
    expect([...(await (await openDataset(await shard([2, 3]))).get(1)).t.data]).toEqual([3, 4, 5]);
    for (const bad of [[2, 2], [2, 4], [-1, 6]]) expect(await codeOf((await openDataset(await shard(bad))).get(0))).toBe('CORRUPT');
  });

  it('manifests and the shards they list', async () => {
    const sinks = new Map<string, Uint8Array>();
    const writer = createDatasetWriter((n) => {
      const s = memorySink();
      const path = `s${n}.tzip`;
      return { path, sink: { write: s.sink.write, close: () => void sinks.set(path, s.bytes()) } };
    }, { schema: [{ name: 'y', dtype: 'int32', shape: [] }], groupSamples: 2, shardBytes: 1 });
    for (let i = 0; i < 5; i++) await writer.add({ y: i });
    const manifest = await writer.finish();
    const read = (m: unknown) => openDataset(new TextEncoder().encode(JSON.stringify(m)), { shardSource: (p) => sinks.get(p) ?? new Uint8Array(0) }).then(async (ds) => (await ds.get(0), ds.get(4)));
    expect([...(await read(manifest)).y.data]).toEqual([4]);
    const with0 = (patch: object) => ({ ...manifest, shards: [{ ...manifest.shards[0], ...patch }, ...manifest.shards.slice(1)] });
    const codes = await Promise.all([
      read({ ...manifest, samples: 6 }),
      read(with0({ path: '../s0.tzip' })),
      read(with0({ path: '/etc/passwd' })),
      read(with0({ bytes: manifest.shards[0].bytes + 1 })),
      read(with0({ groupSamples: 1 })),
      read({ ...manifest, fields: [{ name: 'y', dtype: 'int64', shape: [] }] }),
      read({ ...manifest, dataset: 9 }),
      read({ ...manifest, shards: 'all' }),
      read({ ...manifest, samples: 2 ** 40 + 3, shards: [{ ...manifest.shards[0], samples: 2 ** 40, groupSamples: 1 }, ...manifest.shards.slice(1)] }),
    ].map((p) => codeOf(p)));
    expect(codes).toEqual(['CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'UNSUPPORTED', 'CORRUPT', 'LIMIT']);
  });

  it('bad writer arguments and samples are ARGUMENT', async () => {
    const { sink } = memorySink();
    const make = (options: object) => codeOf((async () => createDatasetWriter(sink, options as never))());
    expect(await make({})).toBe('ARGUMENT');
    expect(await make({ schema: [{ name: 'x', dtype: 'int32', shape: [] }], shardBytes: 100 })).toBe('ARGUMENT');
    expect(await make({ schema: [{ name: 'x', dtype: 'float32', shape: [], quantize: 'int9' }] })).toBe('ARGUMENT');
    const writer = createDatasetWriter(sink, { schema: [{ name: 'x', dtype: 'int32', shape: [2] }, { name: 'v', dtype: 'uint8', shape: [null, null] }] });
    expect(await codeOf(writer.add({ x: [1, 2] }))).toBe('ARGUMENT');
    expect(await codeOf(writer.add({ x: [1, 2, 3], v: { shape: [1, 1], data: [1] } }))).toBe('ARGUMENT');
    expect(await codeOf(writer.add({ x: ['a', 2], v: { shape: [1, 1], data: [1] } }))).toBe('ARGUMENT');
    expect(await codeOf(writer.add({ x: [1, 2], v: [1, 2] }))).toBe('ARGUMENT');
    expect(await codeOf(writer.add({ x: [1, 2], v: { shape: [1, 2], data: [1] } }))).toBe('ARGUMENT');
    await writer.add({ x: [1, 2], v: { shape: [1, 2], data: [1, 2] } });
    const ds = await openDataset(single.bytes);
    expect(await codeOf(ds.get(COUNT))).toBe('ARGUMENT');
    expect(await codeOf(ds.get(0, { fields: ['nope'] }))).toBe('ARGUMENT');
    expect(await codeOf((async () => ds.batches({ batchSize: 0 }))())).toBe('ARGUMENT');
    expect(await codeOf((async () => ds.batches({ batchSize: 4, from: COUNT + 1 }))())).toBe('ARGUMENT');
  });
});
