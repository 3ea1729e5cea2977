// Workers in a cross-origin isolated page of real headless Chromium, as a page that decodes on several threads is
// served (COOP + COEP): there the workers decode into shared memory — whole tensors read from the file's shared copy
// (src/format/decode-on-workers.ts) — which vitest's own Chromium pages, not isolated, never reach. Every tensor must
// decode as on the page's one thread, and a damaged chunk must fail the same way.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pack, quant } from '../src/index';
import { spikyWeights } from './helpers/data';
import { localPages, type LocalPages } from './helpers/local-page';
import { referenceReadIndex } from './reference/index-1.3';

let pages: LocalPages;
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  const tensors: Record<string, unknown> = {
    conv: { dtype: 'float32', shape: [64, 3, 3, 64], data: spikyWeights(64 * 9 * 64, 1) },
    dense: { dtype: 'float32', shape: [512, 256], data: spikyWeights(512 * 256, 2) },
    ggml: { quantized: quant.quantize(spikyWeights(256 * 128, 3), { dtype: 'q4_0', shape: [256, 128] }) },
    ids: { dtype: 'int32', shape: [70_000], data: Int32Array.from({ length: 70_000 }, (_, i) => i * 7) },
  };
  for (let i = 0; i < 30; i++) tensors[`bias${i}`] = { dtype: 'float32', shape: [1 + i * 37], data: spikyWeights(1 + i * 37, 10 + i) };
  const int8 = await pack(tensors as never, { quantize: 'int8', chunkBytes: 1 << 16 });
  const lossless = await pack(tensors as never, { quantize: 'lossless', chunkBytes: 1 << 16 });
  const damaged = lossless.slice();
  const dense = (referenceReadIndex(damaged).index.tensors as { name: string; chunks: [number, number, number][] }[]).find((t) => t.name === 'dense')!;
  damaged.fill(0x55, dense.chunks[1]![0], dense.chunks[1]![0] + dense.chunks[1]![1]);
  served.set('/int8.tzip', int8).set('/lossless.tzip', lossless).set('/damaged.tzip', damaged).set('/dist/index.mjs', readFileSync('dist/index.mjs'));
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  pages = await localPages((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html', ...isolation }).end('<!doctype html><title>workers</title>');
    res.writeHead(200, { 'content-type': req.url!.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream', ...isolation }).end(body);
  });
}, 120_000);

afterAll(() => pages?.close());

it('2 workers decode every tensor as one thread does, the large ones into shared memory; a damaged chunk fails the same way', async () => {
  const page = await pages.browser.newPage();
  await page.goto(`${pages.origin}/`);
  // A string, so that vitest leaves its import() alone: the page loads the bundle as a user's page would.
  const result = await page.evaluate(`(async () => {
    const { open } = await import('/dist/index.mjs');
    const fetched = async (name) => new Uint8Array(await (await fetch('/' + name)).arrayBuffer());
    const bytes = (t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    const failure = (work) => work.then(() => null, (err) => ({ code: err.code, message: err.message }));
    const out = { isolated: crossOriginIsolated, files: {} };
    for (const name of ['int8.tzip', 'lossless.tzip']) {
      const file = await fetched(name);
      const one = await (await open(file)).getAll();
      const pooled = await open(file, { workers: 2 });
      const rounds = [];
      for (let round = 0; round < 2; round++) {
        const all = await pooled.getAll();
        rounds.push({
          differ: Object.keys(one).filter((k) => !same(bytes(all[k]), bytes(one[k]))),
          shared: Object.keys(all).filter((k) => all[k].data.buffer instanceof SharedArrayBuffer).sort(),
          large: Object.keys(all).filter((k) => all[k].data.byteLength >= 65536).sort(),
        });
      }
      pooled.close();
      out.files[name] = { count: Object.keys(one).length, rounds };
    }
    const damaged = await fetched('damaged.tzip');
    const pooled = await open(damaged, { workers: 2 });
    out.damaged = { one: await failure((await open(damaged)).getAll()), pooled: await failure(pooled.getAll()) };
    pooled.close();
    return out;
  })()`) as { isolated: boolean; files: Record<string, { count: number; rounds: { differ: string[]; shared: string[]; large: string[] }[] }>; damaged: { one: unknown; pooled: unknown } };
  expect(result.isolated).toBe(true);
  for (const [name, { count, rounds }] of Object.entries(result.files)) {
    expect(count, name).toBe(34);
    for (const { differ, shared, large } of rounds) {
      expect(differ, name).toEqual([]);
      expect(large.length, name).toBe(4);
      expect(shared, name).toEqual(large);
    }
  }
  expect(result.damaged.one).toMatchObject({ code: 'CHECKSUM' });
  expect(result.damaged.pooled).toEqual(result.damaged.one);
}, 120_000);
