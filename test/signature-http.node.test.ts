// A signed archive over HTTP: open(url, { publicKey }) finds <url>.sig, and a Range reader verifies exactly the
// blocks it reads — one tensor reads a small part of the file, and damage in another tensor does not touch it
// until that tensor is read (then SIGNATURE).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { generateKeyPair, isTensorzipError, open, pack, sign } from '../src/index';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

it('verifies what it reads, block by block', async () => {
  const tensors = Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`t${k}`, { dtype: 'float32' as const, shape: [100_000], data: Float32Array.from({ length: 100_000 }, random(k + 1)) }]));
  const file = await pack(tensors, { quantize: 'lossless' });
  const { publicKey, privateKey } = await generateKeyPair();
  const signature = await sign(file, privateKey);
  const served = file.slice();
  let bytes = 0;
  const server = createServer((req, res) => {
    const data = req.url === '/m.tzip.sig' ? signature : req.url === '/m.tzip' ? served : null;
    if (!data) return void res.writeHead(404).end();
    const range = requestedRange(req.headers.range, data.length);
    const { from, to } = range ?? { from: 0, to: data.length - 1 };
    if (data === served) bytes += to - from + 1;
    res.writeHead(range ? 206 : 200, { 'content-length': to - from + 1, ...(range && { 'content-range': `bytes ${from}-${to}/${data.length}` }) });
    res.end(data.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.tzip`;
    const archive = await open(url, { publicKey });
    bytes = 0;
    expect((await archive.get('t2', { dtype: 'float32' })).data).toEqual(tensors.t2.data);
    expect(bytes).toBeLessThan(file.length / 2);
    // Damage t5's bytes on the server: t3 still reads, t5 is refused.
    const t5 = archive.tensors.find((t) => t.name === 't5')!;
    served[Math.floor((file.length - 1) / 65536) * 65536 - 5000] ^= 1; // in the last tensor, outside the footer's block
    const again = await open(url, { publicKey });
    expect((await again.get('t3', { dtype: 'float32' })).data).toEqual(tensors.t3.data);
    const error = await again.get(t5.name).catch((e) => e);
    expect(isTensorzipError(error, 'SIGNATURE')).toBe(true);
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
