// A dataset over HTTP in real headless Chromium: the page imports dist/index.mjs, opens a manifest by URL and reads
// shuffled epochs with Range requests — the same sample order Node computes for the same seed, every sample once,
// and each shard's groups fetched about once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import send from 'send';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatasetWriter, openDataset } from '../src/index';
import { localPages, type LocalPages } from './helpers/local-page';

const dir = mkdtempSync(join(tmpdir(), 'tzip-dataset-web-'));
const COUNT = 2000;
let pages: LocalPages;
const requests = new Map<string, number>();

beforeAll(async () => {
  const writer = createDatasetWriter((n) => {
    const path = `part-${n}.tzip`;
    const parts: Uint8Array[] = [];
    return { path, sink: { write: (b: Uint8Array) => void parts.push(b.slice()), close: () => writeFileSync(join(dir, path), Buffer.concat(parts)) } };
  }, { schema: [{ name: 'id', dtype: 'int32', shape: [] }, { name: 'x', dtype: 'uint8', shape: [64] }], groupSamples: 100, shardBytes: 40_000 });
  // Bytes with no pattern a stage could find (an integer hash), so the shards fill at about the rate they are written.
  const hash = (n: number) => {
    const h = Math.imul(n ^ (n >>> 16), 0x45d9f3b);
    return Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 24;
  };
  for (let i = 0; i < COUNT; i++) await writer.add({ id: i, x: Uint8Array.from({ length: 64 }, (_, k) => hash(i * 64 + k)) });
  writeFileSync(join(dir, 'train.json'), JSON.stringify(await writer.finish()));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>dataset</title>');
  pages = await localPages((req, res) => {
    const path = req.url!.split('?')[0];
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const root = path.startsWith('/dist/') ? resolve('.') : dir;
    send(req, path, { root }).pipe(res);
  });
}, 120_000);

afterAll(() => pages?.close());

it('reads shuffled epochs in Chromium by Range requests, in the order Node computes', async () => {
  const page = await pages.browser.newPage();
  await page.goto(`${pages.origin}/index.html`);
  requests.clear();
  // A string, so that vitest leaves its import() alone: the page loads the bundle as a user's page would.
  const epochs = await page.evaluate(`(async () => {
    const { openDataset } = await import('/dist/index.mjs');
    const ds = await openDataset('${pages.origin}/train.json');
    const out = [];
    for (const epoch of [0, 1]) {
      const ids = [];
      for await (const b of ds.batches({ batchSize: 128, shuffle: true, seed: 3, epoch, window: 4 })) ids.push(...b.id.data);
      out.push(ids);
    }
    return out;
  })()`) as number[][];
  const node = await openDataset(join(dir, 'train.json'));
  for (const [epoch, ids] of epochs.entries()) {
    const expected: number[] = [];
    for await (const b of node.batches({ batchSize: 128, shuffle: true, seed: 3, epoch, window: 4 })) expected.push(...(b.id.data as Int32Array));
    expect(ids).toEqual(expected);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  }
  expect(epochs[0]).not.toEqual(epochs[1]);
  const shards = [...requests.keys()].filter((p) => p.startsWith('/part-'));
  expect(shards.length).toBeGreaterThanOrEqual(3);
  // Per shard, two epochs: its two end requests at open, then its groups, each fetched about once per epoch.
  for (const shard of shards) expect(requests.get(shard)!).toBeLessThanOrEqual(2 + 2 * 6);
}, 180_000);
