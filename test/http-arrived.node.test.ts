// A URL source's bytes that have arrived are read at once (httpSource's hasArrived / readArrived), as the archive
// does for a tensor whose ranges have all arrived: the same bytes as read() gives, the same accounting (a prefetched
// request is let go once it has served every read announced for it), and the same errors from the archive.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { open, pack, TensorzipError } from '../src/index';
import { httpSource } from '../src/io/http-source';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close(), s.closeAllConnections();
});

/** Serves `bytes` with Range support; `ranges` lists the Range header of each request. */
async function serve(bytes: Uint8Array): Promise<{ url: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = createServer((req, res) => {
    ranges.push(req.headers.range ?? '');
    const range = requestedRange(req.headers.range, bytes.length);
    const { from, to } = range ?? { from: 0, to: bytes.length - 1 };
    res.writeHead(range ? 206 : 200, { 'content-range': `bytes ${from}-${to}/${bytes.length}`, 'content-length': to - from + 1 });
    res.end(bytes.subarray(from, to + 1));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.bin`, ranges };
}

const next = random(77);
const file = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(next() * 256));

describe('httpSource: bytes that have arrived', () => {
  it('are read at once, as read() reads them, and the request is let go after its last announced read', async () => {
    const { url, ranges } = await serve(file);
    const source = await httpSource(url);
    expect(ranges.length).toBe(2); // the first and the last 64 KiB
    const a = { offset: 200_000, length: 1000, checksum: 0 };
    const b = { offset: 250_000, length: 5000, checksum: 0 }; // less than 64 KiB past a: one request
    expect(source.hasArrived!(a.offset, a.length)).toBe(false);
    expect(source.readArrived!(a.offset, a.length)).toBeUndefined(); // nothing asked for these bytes yet
    source.prefetch!([a, b]);
    expect(ranges.length).toBe(2);
    const later = await source.read(b.offset, b.length); // the request has arrived through b
    expect(later).toEqual(file.subarray(b.offset, b.offset + b.length));
    expect(source.hasArrived!(a.offset, a.length)).toBe(true);
    expect(source.readArrived!(a.offset, a.length)).toEqual(file.subarray(a.offset, a.offset + a.length));
    expect(ranges.length).toBe(3); // a and b in one request
    await Promise.resolve(); // the request is let go after the task that served its last read
    expect(source.hasArrived!(a.offset, a.length)).toBe(false);
    expect(await source.read(a.offset, a.length)).toEqual(file.subarray(a.offset, a.offset + a.length));
    expect(ranges.length).toBe(4); // read again: asked for again
  });

  it('within the first and last 64 KiB: arrived from the start, for any number of reads', async () => {
    const { url, ranges } = await serve(file);
    const source = await httpSource(url);
    for (let i = 0; i < 3; i++) {
      expect(source.hasArrived!(10, 100)).toBe(true);
      expect(source.readArrived!(file.length - 100, 100)).toEqual(file.subarray(file.length - 100));
    }
    expect(ranges.length).toBe(2);
  });
});

describe('open(url): tensors whose bytes have arrived', () => {
  const values = Float32Array.from({ length: 1 << 18 }, () => next() - 0.5);
  const tensors = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`t${i}`, { dtype: 'float32' as const, shape: [4096], data: values.subarray(i * 4096, (i + 1) * 4096) }]));

  it('decode to the packed values, int8 codes too, in three requests', async () => {
    for (const quantize of ['lossless', 'int8'] as const) {
      const bytes = await pack(tensors, { quantize });
      const { url, ranges } = await serve(bytes);
      const archive = await open(url);
      const expected = await open(bytes);
      archive.prefetchAll();
      for (const t of archive.tensors) expect((await archive.get(t.name)).data).toEqual((await expected.get(t.name)).data);
      expect(ranges.length).toBe(3);
    }
  });

  it('CHECKSUM for a damaged chunk, naming the tensor', async () => {
    const bytes = await pack(tensors, { quantize: 'lossless' });
    const damaged = bytes.slice();
    damaged[bytes.length - 64 * 1024 - 100] ^= 1; // inside the data, before the last 64 KiB
    const { url } = await serve(damaged);
    const archive = await open(url);
    archive.prefetchAll();
    const errors: unknown[] = [];
    for (const t of archive.tensors) await archive.get(t.name).catch((e: unknown) => errors.push(e));
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(TensorzipError);
    expect((errors[0] as TensorzipError).code).toBe('CHECKSUM');
    expect((errors[0] as TensorzipError).message).toMatch(/"t\d+"/);
  });
});
