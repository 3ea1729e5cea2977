// Sharded archives from files and over HTTP: open() of `<name>.tzip.json` by path or URL finds the shards beside it;
// over HTTP each shard costs its two end requests at open, and one tensor's read touches only its own shard.
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createShardedWriter, open } from '../src/index';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

const next = random(78);
const tensors = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`w${i}`, { dtype: 'float32' as const, shape: [128, 256], data: Float32Array.from({ length: 128 * 256 }, () => next() - 0.5) }]));

it('writes shards to files, opens them by path and by URL; one tensor reads only its shard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tzip-shards-'));
  const writer = createShardedWriter((path) => createWriteStream(join(dir, path)), { shardBytes: 250_000, name: 'big', quantize: 'lossless' });
  for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
  writeFileSync(join(dir, 'big.tzip.json'), await writer.finish());
  const index = JSON.parse(readFileSync(join(dir, 'big.tzip.json'), 'utf8')) as { shards: { path: string; bytes: number }[] };
  expect(index.shards.length).toBeGreaterThanOrEqual(3);

  const local = await open(join(dir, 'big.tzip.json'));
  for (const [name, t] of Object.entries(tensors)) expect((await local.get(name, { dtype: 'float32' })).data).toEqual(t.data);

  const served: string[] = [];
  let bytes = 0;
  const server = createServer((req, res) => {
    served.push(req.url!);
    const data = readFileSync(join(dir, req.url!.slice(1)));
    const range = requestedRange(req.headers.range, data.length);
    const { from, to } = range ?? { from: 0, to: data.length - 1 };
    bytes += to - from + 1;
    res.writeHead(range ? 206 : 200, { etag: '"1"', 'content-length': to - from + 1, ...(range && { 'content-range': `bytes ${from}-${to}/${data.length}` }) });
    res.end(data.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const remote = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/big.tzip.json`);
    expect(remote.tensors.length).toBe(8);
    expect(served.filter((u) => u === '/big.tzip.json').length).toBeLessThanOrEqual(2);
    for (const shard of index.shards) expect(served.filter((u) => u === `/${shard.path}`).length).toBe(2);
    served.length = 0;
    bytes = 0;
    expect((await remote.get('w7', { dtype: 'float32' })).data).toEqual(tensors.w7.data);
    expect(new Set(served)).toEqual(new Set([`/${index.shards[index.shards.length - 1].path}`]));
    expect(bytes).toBeLessThan(index.shards[index.shards.length - 1].bytes);
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

it('tensorzip pack --shard-bytes writes shards beside a shard index that open() reads', async () => {
  const { cli } = await import('./helpers/cli');
  const { safetensors } = await import('../src/index');
  const dir = mkdtempSync(join(tmpdir(), 'tzip-shards-cli-'));
  writeFileSync(join(dir, 'm.safetensors'), safetensors.write(tensors));
  const packed = await cli('pack', join(dir, 'm.safetensors'), '-o', join(dir, 'm.tzip.json'), '--shard-bytes', '300000', '--quantize', 'lossless', '--json');
  expect(packed.code, packed.stderr).toBe(0);
  expect(JSON.parse(packed.stdout).shards).toBeGreaterThanOrEqual(3);
  const archive = await open(join(dir, 'm.tzip.json'));
  for (const [name, t] of Object.entries(tensors)) expect((await archive.get(name, { dtype: 'float32' })).data).toEqual(t.data);
  expect((await cli('pack', join(dir, 'm.safetensors'), '-o', join(dir, 'm.tzip'), '--shard-bytes', '300000')).code).toBe(2);
});
