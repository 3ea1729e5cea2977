// An encrypted archive over HTTP: open(url, { decrypt }) reads the prefix, seal header, index and footer, and then
// only the chunks of the tensor asked for — each decrypted alone — and a damaged chunk of another tensor does not touch
// it (reading that tensor is SIGNATURE). With a signature too, both checks hold.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { generateKeyPair, generateSecretKey, isTensorzipError, open, pack, sign } from '../src/index';
import { random } from './helpers/data';
import { requestedRange } from './helpers/byte-range';

it('fetches and decrypts only what one tensor needs', async () => {
  const tensors = Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`t${k}`, { dtype: 'float32' as const, shape: [100_000], data: Float32Array.from({ length: 100_000 }, random(k + 1)) }]));
  const key = generateSecretKey();
  const file = await pack(tensors, { quantize: 'lossless', encrypt: { key } });
  const { publicKey, privateKey } = await generateKeyPair();
  const signature = await sign(file, privateKey);
  const served = file.slice();
  let bytes = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const data = req.url === '/m.tzip.sig' ? signature : req.url === '/m.tzip' ? served : null;
    if (!data) return void res.writeHead(404).end();
    const range = requestedRange(req.headers.range, data.length);
    const { from, to } = range ?? { from: 0, to: data.length - 1 };
    if (data === served && req.method === 'GET') {
      bytes += to - from + 1;
      requests++;
    }
    res.writeHead(range ? 206 : 200, { 'content-length': to - from + 1, ...(range && { 'content-range': `bytes ${from}-${to}/${data.length}` }) });
    res.end(data.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.tzip`;
    const archive = await open(url, { decrypt: { key } });
    const opened = { bytes, requests };
    const t2 = archive.tensors.find((t) => t.name === 't2')!;
    expect((await archive.get('t2', { dtype: 'float32' })).data).toEqual(tensors.t2.data);
    // One request for t2's chunks, of about its stored bytes (the reader coalesces, and may read a little around).
    expect(requests - opened.requests).toBe(1);
    expect(bytes - opened.bytes).toBeGreaterThanOrEqual(t2.encodedBytes);
    expect(bytes - opened.bytes).toBeLessThan(t2.encodedBytes + 65536);
    expect(bytes).toBeLessThan(file.length / 2);

    // Damage t5 on the server (outside the footer's signed block): t3 still reads, t5 is refused, with or without
    // the signature.
    const damaged = Math.floor((file.length - 1) / 65536) * 65536 - 5000;
    served[damaged] ^= 1;
    const again = await open(url, { decrypt: { key } });
    expect((await again.get('t3', { dtype: 'float32' })).data).toEqual(tensors.t3.data);
    expect(isTensorzipError(await again.get('t5').catch((e) => e), 'SIGNATURE')).toBe(true);
    const signed = await open(url, { decrypt: { key }, publicKey });
    expect((await signed.get('t1', { dtype: 'float32' })).data).toEqual(tensors.t1.data);
    expect(isTensorzipError(await signed.get('t5').catch((e) => e), 'SIGNATURE')).toBe(true);
    // stream() decrypts as chunks arrive, and stops at the damage.
    served[damaged] ^= 1;
    const names = [];
    for await (const { name, tensor } of (await open(url, { decrypt: { key } })).stream()) {
      expect(tensor.data).toEqual(tensors[name].data);
      names.push(name);
    }
    expect(names.sort()).toEqual(Object.keys(tensors));
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
