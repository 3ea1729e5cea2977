// open(url, { cache }) against a local server with ETags and Range: the first open downloads, a later one costs a
// HEAD request and no body; an interrupted download resumes with the blocks it lacks; a damaged block on disk, a
// changed file and a server that gives no ETag are handled; offline, the cache serves alone; clearCache empties it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheStore, clearCache, isTensorzipError, open, pack, type CacheStore } from '../src/index';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

/** Bitwise equality of two float32 arrays (vitest's deep equality is slow on a million elements). */
const same = (a: Float32Array, b: Float32Array) => Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;

const next = random(41);
const weights = Float32Array.from({ length: 900_000 }, () => next() - 0.5); // 3.6 MB, little to compress
let fileA: Uint8Array;
let fileB: Uint8Array;
let current: { bytes: Uint8Array; etag: string | null };
const log = { requests: 0, heads: 0, bytes: 0 };
let server: Server;
let url = '';

beforeAll(async () => {
  fileA = await pack({ w: { dtype: 'float32', shape: [900, 1000], data: weights } }, { quantize: 'lossless' });
  fileB = await pack({ w: { dtype: 'float32', shape: [900, 1000], data: weights.map((x) => x * 2) } }, { quantize: 'lossless' });
  current = { bytes: fileA, etag: '"a"' };
});

async function serve(): Promise<void> {
  server = createServer((req, res) => {
    log.requests++;
    const { bytes, etag } = current;
    const headers: Record<string, string | number> = etag ? { etag } : {};
    if (req.method === 'HEAD') {
      log.heads++;
      return void res.writeHead(200, { ...headers, 'content-length': bytes.length }).end();
    }
    const range = requestedRange(req.headers.range, bytes.length);
    const { from, to } = range ?? { from: 0, to: bytes.length - 1 };
    log.bytes += to - from + 1;
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': to - from + 1, ...(range && { 'content-range': `bytes ${from}-${to}/${bytes.length}` }) });
    res.end(bytes.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`;
}

afterEach(() => {
  server?.close();
  server?.closeAllConnections();
  current = { bytes: fileA, etag: '"a"' };
});

const reset = () => Object.assign(log, { requests: 0, heads: 0, bytes: 0 });

async function readAll(store: CacheStore | undefined, options: { signal?: AbortSignal } = {}) {
  const archive = await open(url, { cache: store, ...options });
  return (await archive.get('w', { dtype: 'float32' })).data;
}

describe('open(url, { cache })', () => {
  it('downloads once: a later open costs one HEAD request and no body', async () => {
    await serve();
    const store = cacheStore.memory();
    reset();
    expect(same(await readAll(store), weights)).toBe(true);
    expect(log.bytes).toBeGreaterThanOrEqual(fileA.length);
    reset();
    expect(same(await readAll(store), weights)).toBe(true);
    expect(log).toEqual({ requests: 1, heads: 1, bytes: 0 });
  });

  it('a folder store survives the process; a damaged block is fetched again, alone', async () => {
    await serve();
    const dir = mkdtempSync(join(tmpdir(), 'tzip-cache-'));
    await readAll(cacheStore.directory(dir));
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile());
    const blocks = files.filter((f) => statSync(join(dir, f)).size > 1000);
    expect(blocks.length).toBe(Math.ceil(fileA.length / (1 << 20)));
    const victim = join(dir, blocks[1]);
    const damaged = readFileSync(victim);
    damaged[12345] ^= 1;
    writeFileSync(victim, damaged);
    reset();
    expect(same(await readAll(cacheStore.directory(dir)), weights)).toBe(true); // a new store object: as a new process would
    expect(log.bytes).toBeGreaterThan(0);
    expect(log.bytes).toBeLessThanOrEqual((1 << 20) + 2 * 65536); // the block, and the two ends open() reads first
    reset();
    await readAll(cacheStore.directory(dir));
    expect(log.bytes).toBe(0);
  });

  it('an interrupted download resumes: the next open fetches only the blocks it lacks', async () => {
    // Two tensors of 2.6 MB: the first is read whole (with the last block, where the footer is), the second's
    // download is aborted as it starts, when its middle block is still missing.
    const half = weights.subarray(0, 650_000);
    const other = Float32Array.from(weights.subarray(250_000), (x) => -x);
    current = { bytes: await pack({ a: { dtype: 'float32', shape: [650_000], data: half }, b: { dtype: 'float32', shape: [650_000], data: other } }, { quantize: 'lossless' }), etag: '"two"' };
    await serve();
    const store = cacheStore.memory();
    const controller = new AbortController();
    const archive = await open(url, { cache: store, signal: controller.signal });
    expect(same((await archive.get('a', { dtype: 'float32' })).data, half)).toBe(true);
    const reading = archive.get('b');
    controller.abort();
    expect(await reading.then(() => 'read', (e) => isTensorzipError(e, 'ABORTED'))).toBe(true);
    reset();
    const again = await open(url, { cache: store });
    expect(same((await again.get('b', { dtype: 'float32' })).data, other)).toBe(true);
    expect(same((await again.get('a', { dtype: 'float32' })).data, half)).toBe(true);
    // Only the block b alone needed travels, with the ends open() reads first.
    expect(log.bytes).toBeGreaterThan(0);
    expect(log.bytes).toBeLessThanOrEqual((1 << 20) + 2 * 65536);
  });

  it('a changed file (another ETag) is downloaded again, and its old blocks dropped', async () => {
    await serve();
    const store = cacheStore.memory();
    await readAll(store);
    current = { bytes: fileB, etag: '"b"' };
    reset();
    expect(same(await readAll(store), weights.map((x) => x * 2))).toBe(true);
    expect(log.bytes).toBeGreaterThanOrEqual(fileB.length);
    reset();
    await readAll(store);
    expect(log.bytes).toBe(0);
  });

  it('a file without ETag or Last-Modified is not cached', async () => {
    current = { bytes: fileA, etag: null };
    await serve();
    const store = cacheStore.memory();
    await readAll(store);
    reset();
    await readAll(store);
    expect(log.bytes).toBeGreaterThanOrEqual(fileA.length);
  });

  it('offline, the cache serves alone; a server that says 404 is NOT_FOUND; clearCache empties the store', async () => {
    await serve();
    const store = cacheStore.memory();
    await readAll(store);
    server.close();
    server.closeAllConnections();
    expect(same(await readAll(store), weights)).toBe(true);
    await serve();
    const kept = current;
    current = { ...kept, bytes: new Uint8Array(0) };
    server.removeAllListeners('request');
    server.on('request', (_req, res) => res.writeHead(404).end());
    expect(await open(url, { cache: store }).then(() => 'opened', (e) => isTensorzipError(e, 'NOT_FOUND'))).toBe(true);
  });

  it('clearCache(store) and clearCache(store, url) empty it; bad caches are ARGUMENT', async () => {
    await serve();
    const store = cacheStore.memory();
    await readAll(store);
    await clearCache(store, url);
    reset();
    await readAll(store);
    expect(log.bytes).toBeGreaterThanOrEqual(fileA.length);
    await clearCache(store);
    reset();
    await readAll(store);
    expect(log.bytes).toBeGreaterThanOrEqual(fileA.length);
    expect(await open(url, { cache: {} as CacheStore }).then(() => 'opened', (e) => isTensorzipError(e, 'ARGUMENT'))).toBe(true);
    expect(await clearCache(5 as never).then(() => 'cleared', (e) => isTensorzipError(e, 'ARGUMENT'))).toBe(true);
  });
});
