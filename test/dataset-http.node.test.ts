// Datasets over HTTP: a manifest and its shards behind a local server with Range support. A sample costs its shard's
// index once and its group's chunks; an epoch fetches each group about once; resuming late in an epoch fetches
// nothing before the position; a shard the server lost is NOT_FOUND.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatasetWriter, isTensorzipError, openDataset, type DatasetManifest } from '../src/index';
import { random } from './helpers/data';

const next = random(31);
const COUNT = 3000;
const files = new Map<string, Uint8Array>();
let manifest: DatasetManifest;
let base = '';
let server: Server;
const log = { requests: 0, bytes: 0 };

beforeAll(async () => {
  const writer = createDatasetWriter((n) => {
    const path = `train-${n}.tzip`;
    const parts: Uint8Array[] = [];
    return {
      path, sink: {
        write: (b: Uint8Array) => void parts.push(b.slice()),
        close: () => void files.set(path, Uint8Array.from(parts.flatMap((p) => [...p]))),
      },
    };
  }, { schema: [{ name: 'image', dtype: 'uint8', shape: [28, 28] }, { name: 'label', dtype: 'int32', shape: [] }], groupSamples: 100, shardBytes: 400_000 });
  for (let i = 0; i < COUNT; i++) {
    // Noisy images, so that each group's chunk is large next to the index.
    await writer.add({ image: Uint8Array.from({ length: 784 }, () => Math.floor(next() * 256)), label: i });
  }
  manifest = await writer.finish();
  files.set('train.json', new TextEncoder().encode(JSON.stringify(manifest)));
  server = createServer((req, res) => {
    log.requests++;
    const data = files.get(req.url!.slice(1));
    if (!data) return void res.writeHead(404).end();
    const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.range ?? '');
    if (range) {
      const from = range[1] === '' ? Math.max(0, data.length - Number(range[2])) : Number(range[1]);
      const to = range[1] === '' ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
      log.bytes += to - from + 1;
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1 });
      res.end(data.subarray(from, to + 1));
    } else {
      log.bytes += data.length;
      res.writeHead(200, { 'content-length': data.length }).end(data);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => {
  server.close();
  server.closeAllConnections();
});

const reset = () => ((log.requests = 0), (log.bytes = 0));
const total = () => [...files.values()].reduce((n, f) => n + f.length, 0);

describe('datasets over HTTP', () => {
  it('the manifest plans everything; one sample costs its shard index and its group', async () => {
    expect(manifest.shards.length).toBeGreaterThanOrEqual(5);
    reset();
    const ds = await openDataset(`${base}train.json`);
    expect(ds.length).toBe(COUNT);
    expect(log.requests).toBeLessThanOrEqual(2); // the manifest only (size, then body): no shard is touched before a sample is asked for
    reset();
    const sample = await ds.get(2345);
    expect(sample.label.data[0]).toBe(2345);
    expect(log.requests).toBeLessThanOrEqual(6);
    expect(log.bytes).toBeLessThan(total() / 4);
  });

  it('a shuffled epoch fetches each group about once, and a late resume fetches nothing before it', async () => {
    const ds = await openDataset(`${base}train.json`);
    reset();
    const seen = new Set<number>();
    for await (const b of ds.batches({ batchSize: 64, shuffle: true, seed: 4, window: 4 })) for (const id of b.label.data as Int32Array) seen.add(id);
    expect(seen.size).toBe(COUNT);
    // Each group's chunks once, plus what open() reads of each shard to find its index (its first and last 64 KiB).
    expect(log.bytes).toBeLessThan(total() * 1.1 + manifest.shards.length * 131072);
    const epochBytes = log.bytes;
    reset();
    let after = 0;
    for await (const b of ds.batches({ batchSize: 64, shuffle: true, seed: 4, window: 4, from: COUNT - 200 })) after += b.label.data.length;
    expect(after).toBe(200);
    expect(log.bytes).toBeLessThan(epochBytes / 4);
  });

  it('a missing shard is NOT_FOUND when it is first needed', async () => {
    const ds = await openDataset(`${base}train.json`);
    const lost = files.get('train-1.tzip')!;
    files.delete('train-1.tzip');
    try {
      const error = await ds.get(manifest.shards[0].samples).catch((e) => e);
      expect(isTensorzipError(error, 'NOT_FOUND')).toBe(true);
    } finally {
      files.set('train-1.tzip', lost);
    }
  });
});
