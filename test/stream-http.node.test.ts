// archive.stream() over a slow connection: the first tensors arrive while the rest of the file still downloads.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { open, pack } from '../src/index';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

it('the first tensor decodes before the download ends', async () => {
  const next = random(6);
  const tensors = Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`t${k}`, { dtype: 'float32' as const, shape: [100_000], data: Float32Array.from({ length: 100_000 }, next) }]));
  const file = await pack(tensors, { quantize: 'lossless' });
  let lastByteAt = 0;
  const server = createServer((req, res) => {
    const range = requestedRange(req.headers.range, file.length);
    const { from, to } = range ?? { from: 0, to: file.length - 1 };
    res.writeHead(range ? 206 : 200, { 'content-length': to - from + 1, ...(range && { 'content-range': `bytes ${from}-${to}/${file.length}` }) });
    // 64 KiB every 25 ms: about 2.6 MB/s.
    let at = from;
    const pump = () => {
      if (at > to) return void res.end();
      res.write(file.subarray(at, Math.min(at + 65536, to + 1)));
      at += 65536;
      lastByteAt = performance.now();
      setTimeout(pump, 25);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const archive = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/m.tzip`);
    const arrivals: number[] = [];
    for await (const { name, tensor } of archive.stream()) {
      arrivals.push(performance.now());
      const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      expect(bytes(tensor.data).equals(bytes(tensors[name].data))).toBe(true);
    }
    expect(arrivals.length).toBe(8);
    expect(arrivals[0]).toBeLessThan(lastByteAt - 200); // well before the last byte was sent
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
