// A dataset over HTTP in Deno: a local Deno.serve with Range support stands in for a CDN; openDataset(url) reads a
// shuffled epoch with Range requests, every sample once, each group about once.
import { deepEqual, equal, ok } from 'node:assert/strict';
import { createDatasetWriter, openDataset } from '../../src/index';

Deno.test('openDataset(url) reads a shuffled epoch with Range requests', async () => {
  const parts: Uint8Array[] = [];
  const writer = createDatasetWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, {
    schema: [{ name: 'id', dtype: 'int32', shape: [] }, { name: 'x', dtype: 'uint8', shape: [32] }], groupSamples: 50,
  });
  for (let i = 0; i < 1000; i++) await writer.add({ id: i, x: Uint8Array.from({ length: 32 }, (_, k) => (i + k * 7) & 255) });
  await writer.finish();
  const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  let requests = 0;
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, (req) => {
    requests++;
    const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.get('range') ?? '');
    if (!range) return new Response(file, { headers: { 'content-length': String(file.length) } });
    const from = range[1] === '' ? Math.max(0, file.length - Number(range[2])) : Number(range[1]);
    const to = range[1] === '' ? file.length - 1 : Math.min(Number(range[2]), file.length - 1);
    return new Response(file.slice(from, to + 1), { status: 206, headers: { 'content-range': `bytes ${from}-${to}/${file.length}` } });
  });
  try {
    const ds = await openDataset(`http://127.0.0.1:${server.addr.port}/data.tzip`);
    equal(ds.length, 1000);
    const ids: number[] = [];
    for await (const b of ds.batches({ batchSize: 64, shuffle: true, seed: 8 })) ids.push(...(b.id.data as Int32Array));
    deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    ok(ids.some((id, i) => id !== i));
    ok(requests <= 2 + 20 + 2, `${requests} requests for 20 groups`);
  } finally {
    await server.shutdown();
  }
});
