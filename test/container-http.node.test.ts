// open(url) against local HTTP servers: only the bytes it needs travel, in few requests; a server that ignores Range,
// fails, stalls, sends too much or changes the file mid-read gives a typed error, never a hang or buffering.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTensorzipError, open, pack, tfjs, type Archive, type Tensor, type TensorzipErrorCode } from '../src/index';
import { random } from './helpers/data';
import { readRepoFile } from './helpers/files';
import { freedWhile } from './helpers/freed-buffers';

const next = random(12);
const big = Float32Array.from({ length: 1 << 20 }, () => next() - 0.5); // 4 MiB, incompressible-ish
const small = Float32Array.from({ length: 1000 }, (_, i) => i);
let file: Uint8Array;
let other: Uint8Array; // another file of the same layout: a replacement served mid-read

type Handler = (req: IncomingMessage, res: ServerResponse, log: Log) => void;
interface Log { requests: number; bytes: number; ranges: string[] }
interface Served { url: string; log: Log; server: Server }

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close(), s.closeAllConnections();
});

async function serve(handler: Handler): Promise<Served> {
  const log: Log = { requests: 0, bytes: 0, ranges: [] };
  const server = createServer((req, res) => {
    log.requests++;
    log.ranges.push(req.headers.range ?? '');
    handler(req, res, log);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`, log, server };
}

/** Serves `bytes()` as a file server does: 206 for a Range, 200 without one (or always, when Range is ignored). */
function fileServer(bytes: () => Uint8Array, options: { ignoreRange?: (n: number) => boolean; headers?: () => Record<string, string> } = {}): Handler {
  return (req, res, log) => {
    const data = bytes();
    const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.range ?? ''); // bytes=a-b, or the suffix bytes=-n
    if (range && !options.ignoreRange?.(log.requests)) {
      const from = range[1] === '' ? Math.max(0, data.length - Number(range[2])) : Number(range[1]);
      const to = range[1] === '' ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
      log.bytes += to - from + 1;
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1, ...options.headers?.() });
      res.end(data.subarray(from, to + 1));
    } else {
      log.bytes += data.length;
      res.writeHead(200, { 'content-length': data.length, ...options.headers?.() });
      res.end(data);
    }
  };
}

/** Writes 64 KiB pieces for as long as the client reads; `sent` counts them, `closed` holds one promise per answer. */
function endless(status: number, headers: Record<string, string>) {
  const state = { sent: 0, closed: [] as Promise<void>[] };
  const piece = new Uint8Array(65536).fill(7);
  const handler: Handler = (_req, res) => {
    state.closed.push(new Promise((resolve) => res.on('close', () => resolve())));
    res.writeHead(status, headers);
    const pump = () => {
      while (!res.destroyed && state.sent < 1 << 30) {
        state.sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
    };
    pump();
  };
  return { state, handler };
}

async function codeOf(promise: Promise<unknown>): Promise<TensorzipErrorCode | string> {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    return isTensorzipError(err) ? err.code : `untyped ${String(err)}`;
  }
}

const sameArrays = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function expectSameTensors(got: Record<string, Tensor>, want: Record<string, Tensor>) {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const name of Object.keys(want)) {
    expect(got[name].shape, name).toEqual(want[name].shape);
    expect(sameArrays(got[name].data, want[name].data), name).toBe(true);
  }
}

beforeAll(async () => {
  const tensors = (data: Float32Array) => ({ big: { dtype: 'float32' as const, shape: [1024, 1024], data }, small: { dtype: 'float32' as const, shape: [1000], data: small } });
  file = await pack(tensors(big), { quantize: 'lossless' });
  other = await pack(tensors(big.map((v) => -v)), { quantize: 'lossless' });
});

describe('open(url): requests', () => {
  it('reads the head, the footer and only the chunks of the tensor asked for', async () => {
    const { url, log } = await serve(fileServer(() => file));
    const archive = await open(url);
    expect(log.requests).toBe(2); // the first 64 KiB (prefix and index) and the last 64 KiB (footer), side by side
    expect(log.ranges.sort()).toEqual(['bytes=-65536', 'bytes=0-65535']);
    expect(archive.tensors.map((t) => t.name)).toEqual(['big', 'small']);
    expect(log.bytes).toBe(2 * 65536);
    expect((await archive.get('small')).data).toEqual(small); // in the last 64 KiB: no request
    expect(log.requests).toBe(2);
    expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
    expect(log.requests).toBe(3);
    expect(log.bytes - 2 * 65536).toBeLessThanOrEqual(archive.tensors[0].encodedBytes + 4 * 64); // its 4 chunks and their alignment padding
  });

  it("face-api's face_recognition model: getAll() in a few requests, one tensor in at most 3", async () => {
    const dir = 'node_modules/@vladmandic/face-api/model';
    const manifest = JSON.parse(new TextDecoder().decode(await readRepoFile(`${dir}/face_recognition_model-weights_manifest.json`)));
    const shards: Record<string, Uint8Array> = {};
    for (const path of manifest.flatMap((g: { paths: string[] }) => g.paths)) shards[path] = await readRepoFile(`${dir}/${path}`);
    const model = await pack(tfjs.read({ modelJson: { weightsManifest: manifest }, shards }));
    const inMemory = await open(model);
    const chunks = inMemory.tensors.length;
    expect(chunks).toBeGreaterThan(100);
    const { url, log } = await serve(fileServer(() => model));

    expectSameTensors(await (await open(url)).getAll(), await inMemory.getAll());
    expect(log.requests).toBeLessThanOrEqual(3); // both ends, then the rest in one piece
    expect(log.bytes).toBeLessThan(model.length + 65536 + 32);

    // One quantized tensor past the first 64 KiB: its parameter block and its chunks in one request of their own.
    const quantized = inMemory.tensors.filter((t) => t.stats !== null).at(-1)!;
    const before = log.requests;
    const one = await open(url);
    expect(sameArrays((await one.get(quantized.name)).data, (await inMemory.get(quantized.name)).data)).toBe(true);
    expect(log.requests - before).toBeLessThanOrEqual(3);
  });

  it('an entry (format 1.2) past the first and last 64 KiB: its bytes in one more request', async () => {
    const json = new TextEncoder().encode(JSON.stringify({ format: 'graph-model', pad: 'x'.repeat(300_000) }));
    // Noise in front of the entry (stored as it is) and 4 MiB of weights behind it: the entry's chunk lies in neither.
    const noise = Uint8Array.from({ length: 200_000 }, () => Math.floor(next() * 256));
    const bytes = await pack({ big: { dtype: 'float32', shape: [1024, 1024], data: big } }, {
      quantize: 'lossless',
      entries: { 'noise.bin': { data: noise }, 'model.json': { data: json, mediaType: 'application/json' } }, model: { kind: 'tfjs-graph', entry: 'model.json' },
    });
    const { url, log } = await serve(fileServer(() => bytes));
    const archive = await open(url);
    expect(archive.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    expect(sameArrays(await archive.getEntry('model.json'), json)).toBe(true);
    expect(log.requests).toBe(3);
  });

  it('one tensor of several chunks: at most 3 requests, opening included', async () => {
    const { url, log } = await serve(fileServer(() => file));
    const archive = await open(url);
    expect(archive.tensors[0].encodedBytes).toBeGreaterThan(3 << 20); // 4 chunks of 1 MiB
    expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
    expect(log.requests).toBeLessThanOrEqual(3);
  });

  it('serves a tensor at the front of a request while the rest of its body is still on the way', async () => {
    const front = Float32Array.from({ length: 1 << 18 }, () => next()); // 1 MiB, then 4 MiB
    const model = await pack({ front: { dtype: 'float32', shape: [front.length], data: front }, back: { dtype: 'float32', shape: [big.length], data: big } }, { quantize: 'lossless' });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { url, log } = await serve((req, res, log) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range === null || range[1] === '0') return fileServer(() => model)(req, res, log);
      // The one request getAll() makes: half of its body (the whole of `front`), then the rest once `front` is read.
      const [from, to] = [Number(range[1]), Number(range[2]) + 1];
      res.writeHead(206, { 'content-range': `bytes ${from}-${to - 1}/${model.length}`, 'content-length': to - from });
      const half = from + ((to - from) >> 1);
      res.write(model.subarray(from, half));
      void released.then(() => res.end(model.subarray(half, to)));
    });
    const archive = await open(url, { timeoutMs: 2000 });
    const all = archive.getAll();
    all.catch(() => {}); // a failure is the get() below
    expect(sameArrays((await archive.get('front')).data, front)).toBe(true);
    release();
    const both = await all;
    expect(sameArrays(both.back.data, big)).toBe(true);
    expect(log.requests).toBe(3);
  });

  it('close() frees the bytes it downloaded at once; a later read downloads them again', async () => {
    const { url, log } = await serve(fileServer(() => file));
    const archive = await open(url);
    let first!: Tensor;
    const freed = await freedWhile(async () => {
      first = await archive.get('small'); // in the last 64 KiB
      archive.close();
    });
    expect(freed).toEqual([65536, 65536]); // the head and the footer, as their requests left them
    expect(first.data).toEqual(small); // a result is never a view of them
    expect(log.requests).toBe(2);
    expect((await archive.get('small')).data).toEqual(small);
    expect(log.requests).toBe(3);
  });

  it('reports progress as bytes download, up to what the server sent', async () => {
    const { url, log } = await serve(fileServer(() => file));
    const seen: [number, number][] = [];
    const archive = await open(url, { onProgress: (done, total) => seen.push([done, total]) });
    await archive.get('small');
    expect(seen.every(([, total]) => total === file.length)).toBe(true);
    expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
    expect(seen.at(-1)![0]).toBe(log.bytes);
  });

  it('reads a server that ignores Range once, and keeps the file', async () => {
    const { url, log } = await serve(fileServer(() => file, { ignoreRange: () => true }));
    const seen: number[] = [];
    const archive = await open(new URL(url), { onProgress: (done) => seen.push(done) });
    expect((await archive.get('small')).data).toEqual(small);
    expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
    expect(log.requests).toBeLessThanOrEqual(2); // the request for the tail is dropped after its headers
    expect(seen.at(-1)).toBe(file.length); // downloaded once
  });

  it('reads a server that stops honouring Range after the first request once more, not once per chunk', async () => {
    const { url, log } = await serve(fileServer(() => file, { ignoreRange: (n) => n > 2 }));
    const archive = await open(url);
    await archive.get('small');
    expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
    expect(archive.tensors.find((t) => t.name === 'big')!.encodedBytes).toBeGreaterThan(1 << 21); // several chunks
    expect(log.requests).toBeLessThanOrEqual(3);
    expect(log.bytes).toBeLessThanOrEqual(2 * file.length);
  });
});

describe('open(url): failures are typed', () => {
  it('NOT_FOUND for a 404, IO for an unreachable host and for another error status', async () => {
    const missing = await serve((_req, res) => res.writeHead(404).end('no such file'));
    expect(await codeOf(open(missing.url))).toBe('NOT_FOUND');
    expect(missing.log.requests).toBe(2); // both ends, no retry
    const forbidden = await serve((_req, res) => res.writeHead(403).end());
    expect(await codeOf(open(forbidden.url))).toBe('IO');
    expect(await codeOf(open('http://127.0.0.1:1/nothing.tzip'))).toBe('IO');
  });

  it('retries 503 with backoff, and gives up with IO after a few attempts', async () => {
    const flaky = fileServer(() => file);
    const twice = await serve((req, res, log) => (log.requests <= 2 ? res.writeHead(503, { 'retry-after': '0' }).end() : flaky(req, res, log)));
    expect((await (await open(twice.url)).get('small')).data).toEqual(small);
    expect(twice.log.requests).toBe(4); // 503 to both ends, both again; the tensor lies in the last 64 KiB
    const down = await serve((_req, res) => res.writeHead(503).end());
    expect(await codeOf(open(down.url))).toBe('IO');
    expect(down.log.ranges.filter((r) => r === 'bytes=0-65535')).toHaveLength(4); // 1 + 3 retries
    const later = await serve((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    expect(await codeOf(open(later.url))).toBe('IO'); // not worth waiting an hour, nor hammering
    expect(later.log.requests).toBe(2);
  });

  it('waits what Retry-After asks before trying again', async () => {
    const times: number[] = [];
    const served = await serve((req, res, log) => {
      if (req.headers.range === 'bytes=0-65535') times.push(performance.now());
      if (times.length === 1 && req.headers.range === 'bytes=0-65535') res.writeHead(502, { 'retry-after': '1' }).end();
      else fileServer(() => file)(req, res, log);
    });
    await open(served.url);
    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBeGreaterThan(900);
  });

  it('IO when a body is cut short, after retries (not an untyped TypeError)', async () => {
    const served = await serve((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-65535/${file.length}`, 'content-length': 65536 });
      res.write(file.subarray(0, 1000));
      setTimeout(() => res.destroy(), 20);
    });
    expect(await codeOf(open(served.url))).toBe('IO');
    expect(served.log.ranges.filter((r) => r === 'bytes=0-65535')).toHaveLength(4); // 1 + 3 retries
  });

  it('a request cut short midway is asked again, and every tensor comes out right', async () => {
    const ok = fileServer(() => file);
    let cuts = 0;
    const served = await serve((req, res, log) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range === null || range[1] === '0' || cuts++ > 0) return ok(req, res, log);
      const [from, to] = [Number(range[1]), Number(range[2]) + 1];
      res.writeHead(206, { 'content-range': `bytes ${from}-${to - 1}/${file.length}`, 'content-length': to - from });
      res.write(file.subarray(from, from + ((to - from) >> 1)), () => res.destroy());
    });
    const all = await (await open(served.url)).getAll();
    expect(sameArrays(all.big.data, big)).toBe(true);
    expect(all.small.data).toEqual(small);
    expect(served.log.requests).toBe(4); // both ends, the chunks cut short, the chunks again
  });

  it('a get() that failed asks again the next time, rather than keeping the failure', async () => {
    let failing = false;
    const ok = fileServer(() => file);
    const served = await serve((req, res, log) => (failing ? res.writeHead(503).end() : ok(req, res, log)));
    const archive = await open(served.url);
    failing = true;
    expect(await codeOf(archive.get('big'))).toBe('IO');
    failing = false;
    expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
  });

  it('TIMEOUT when a server stalls before answering or in the middle of a body', async () => {
    const silent = await serve(() => {});
    let t0 = performance.now();
    expect(await codeOf(open(silent.url, { timeoutMs: 200 }))).toBe('TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(2000);
    const stalling = await serve((_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-65535/${file.length}`, 'content-length': 65536 });
      res.write(file.subarray(0, 1000));
    });
    t0 = performance.now();
    expect(await codeOf(open(stalling.url, { timeoutMs: 200 }))).toBe('TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(2000);
  }, 10_000);

  it('timeoutMs: Infinity never times out, and sets no timer past setTimeout\'s longest delay (no overflow warning)', async () => {
    const warnings: string[] = [];
    const warn = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', warn);
    try {
      const archive = await open((await serve(fileServer(() => file))).url, { timeoutMs: Infinity });
      expect(sameArrays((await archive.get('big')).data, big)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('warning', warn);
    }
    expect(warnings).toEqual([]);
  });

  it('ABORTED when the signal aborts: before, during open, and during a later get()', async () => {
    const silent = await serve(() => {});
    expect(await codeOf(open(silent.url, { signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(silent.log.requests).toBe(0);
    const t0 = performance.now();
    expect(await codeOf(open(silent.url, { signal: AbortSignal.timeout(100) }))).toBe('ABORTED');
    expect(performance.now() - t0).toBeLessThan(2000);
    const controller = new AbortController();
    let stall = false;
    const ok = fileServer(() => file);
    const served = await serve((req, res, log) => (stall ? undefined : ok(req, res, log)));
    const archive = await open(served.url, { signal: controller.signal });
    stall = true;
    const pending = archive.get('big');
    setTimeout(() => controller.abort(new Error('user left')), 50);
    const err = await pending.catch((e) => e);
    expect(isTensorzipError(err, 'ABORTED')).toBe(true);
    expect(err.cause).toEqual(new Error('user left'));
  }, 10_000);

  it('LIMIT for an endless 200 body over maxBytes, without buffering it', async () => {
    const { state, handler } = endless(200, {});
    const served = await serve(handler);
    const heap = process.memoryUsage().arrayBuffers;
    expect(await codeOf(open(served.url, { maxBytes: 1 << 20 }))).toBe('LIMIT');
    await Promise.all(state.closed);
    expect(state.sent).toBeLessThan(64 << 20); // the client hung up: what it took is socket buffers, not the body
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(32 << 20);
  }, 10_000);

  it('LIMIT for a gzip bomb answered to a Range request, counted as it decodes', async () => {
    const bomb = gzipSync(new Uint8Array(64 << 20));
    expect(bomb.length).toBeLessThan(1 << 20);
    const served = await serve((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb));
    expect(await codeOf(open(served.url, { maxBytes: 1 << 20 }))).toBe('LIMIT');
  });

  it('IO for a 206 body longer than the range asked for, without buffering it', async () => {
    const { state, handler } = endless(206, { 'content-range': `bytes 0-65535/${1 << 30}` });
    const served = await serve(handler);
    expect(await codeOf(open(served.url))).toBe('IO');
    await Promise.all(state.closed);
    expect(state.sent).toBeLessThan(64 << 20);
  }, 10_000);

  it('CHANGED when the file is replaced between requests (another ETag), never a mix of versions', async () => {
    let current = file;
    const served = await serve(fileServer(() => current, { headers: () => ({ etag: current === file ? '"v1"' : '"v2"' }) }));
    const archive: Archive = await open(served.url);
    current = other;
    expect(await codeOf(archive.get('big'))).toBe('CHANGED');
    // Without an ETag: Last-Modified tells the versions apart.
    current = file;
    const dated = await serve(fileServer(() => current, { headers: () => ({ 'last-modified': current === file ? 'Mon, 30 Nov 2026 10:00:00 GMT' : 'Tue, 01 Dec 2026 10:00:00 GMT' }) }));
    const archive2 = await open(dated.url);
    current = other;
    expect(await codeOf(archive2.get('big'))).toBe('CHANGED');
  });
});
