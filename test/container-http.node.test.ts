// open(url) against a local HTTP server: only the bytes it needs travel, and a server that ignores Range still works.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, pack } from '../src/index';
import { random } from './helpers/data';

const next = random(12);
const big = Float32Array.from({ length: 1 << 20 }, () => next() - 0.5); // 4 MiB, incompressible-ish
const small = Float32Array.from({ length: 1000 }, (_, i) => i);
let file: Uint8Array;

interface Log { requests: number; bytes: number }

function serve(honourRange: boolean, log: Log): Promise<Server> {
  const server = createServer((req, res) => {
    log.requests++;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (honourRange && range) {
      const from = Number(range[1]);
      const to = Math.min(Number(range[2]), file.length - 1);
      const part = file.subarray(from, to + 1);
      log.bytes += part.length;
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${file.length}`, 'content-length': part.length, connection: 'close' });
      res.end(part);
    } else {
      log.bytes += file.length;
      res.writeHead(200, { 'content-length': file.length, connection: 'close' });
      res.end(file);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const url = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`;

describe('open(url)', () => {
  const ranged: Log = { requests: 0, bytes: 0 };
  const whole: Log = { requests: 0, bytes: 0 };
  let rangeServer: Server;
  let plainServer: Server;
  beforeAll(async () => {
    file = await pack({ big: { dtype: 'float32', shape: [1024, 1024], data: big }, small: { dtype: 'float32', shape: [1000], data: small } }, { quantize: 'lossless' });
    rangeServer = await serve(true, ranged);
    plainServer = await serve(false, whole);
  });
  afterAll(() => {
    rangeServer.close();
    plainServer.close();
  });

  it('reads the head, the footer and only the chunks of the tensor asked for', async () => {
    const archive = await open(url(rangeServer));
    expect(ranged.requests).toBe(2); // the first 64 KiB (prefix and index), then the footer
    expect(archive.tensors.map((t) => t.name)).toEqual(['big', 'small']);
    const before = ranged.bytes;
    expect((await archive.get('small')).data).toEqual(small);
    const smallBytes = archive.tensors[1].encodedBytes;
    expect(ranged.bytes - before).toBe(smallBytes);
    expect(ranged.bytes).toBeLessThan(65536 + 32 + smallBytes + 1);
    expect(ranged.bytes).toBeLessThan(file.length / 10);
    expect((await archive.get('big')).data).toEqual(big);
  });

  it('reports progress as bytes are read', async () => {
    const seen: [number, number][] = [];
    const archive = await open(url(rangeServer), { onProgress: (done, total) => seen.push([done, total]) });
    await archive.get('small');
    expect(seen.length).toBeGreaterThanOrEqual(4); // head, footer, index, the chunk
    expect(seen.every(([, total]) => total === file.length)).toBe(true);
    expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
  });

  it('falls back to one full download when the server ignores Range', async () => {
    const archive = await open(new URL(url(plainServer)));
    expect((await archive.get('small')).data).toEqual(small);
    expect((await archive.get('big')).data).toEqual(big);
    expect(whole.requests).toBe(1);
    expect(whole.bytes).toBe(file.length);
  });

  it('reports an unreachable URL and HTTP errors as TensorzipError', async () => {
    await expect(open('http://127.0.0.1:1/nothing.tzip')).rejects.toMatchObject({ name: 'TensorzipError' });
  });
});
