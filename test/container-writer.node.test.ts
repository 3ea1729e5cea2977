// ContainerWriter into a Node file stream: finish() resolves once the file is complete on disk.
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createWriter, open } from '../src/index';

it('writes a .tzip file through fs.createWriteStream', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tensorzip-writer-')), 'model.tzip');
  const weights = Float32Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 0.01);
  const writer = createWriter(createWriteStream(path), { quantize: 'lossless' });
  await writer.add('w', { dtype: 'float32', shape: [100, 1000], data: weights });
  await writer.add('b', { dtype: 'int32', shape: [4], data: Int32Array.of(1, 2, 3, 4) });
  await writer.finish();
  const archive = await open(new Uint8Array(readFileSync(path)));
  expect((await archive.get('w')).data).toEqual(weights);
  expect([...(await archive.get('b')).data]).toEqual([1, 2, 3, 4]);
});

it('waits for a slow stream to drain: never more than one piece past its high-water mark is queued', async () => {
  const received: Uint8Array[] = [];
  let queuedMost = 0;
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(new Uint8Array(chunk));
      setTimeout(done, 1);
    },
  });
  const write = slow.write.bind(slow);
  slow.write = ((chunk: Uint8Array) => {
    const flushed = write(chunk);
    queuedMost = Math.max(queuedMost, slow.writableLength);
    return flushed;
  }) as typeof slow.write;
  const weights = Float32Array.from({ length: 1 << 20 }, (_, i) => Math.sin(i * 0.1));
  const writer = createWriter(slow, { quantize: 'lossless', chunkBytes: 64 * 1024 });
  await writer.add('w', { dtype: 'float32', shape: [1024, 1024], data: weights });
  await writer.finish();
  expect(received.length).toBeGreaterThan(64);
  // Each piece is at most one 64 KiB chunk (plus padding); without waiting, all 4 MiB would be queued at once.
  expect(queuedMost).toBeLessThan(16 * 1024 + 2 * 64 * 1024);
  const file = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
  received.reduce((at, c) => (file.set(c, at), at + c.length), 0);
  expect((await (await open(file)).get('w')).data).toEqual(weights);
});

it("passes a stream's error to add() and finish()", async () => {
  const failing = new Writable({ write(_chunk, _encoding, done) { done(new Error('disk full')); } });
  const writer = createWriter(failing, { quantize: 'lossless' });
  const weights = new Float32Array(1 << 18).fill(1);
  const outcome = (async () => {
    for (let i = 0; i < 50; i++) await writer.add(`w${i}`, { dtype: 'float32', shape: [weights.length], data: weights });
    await writer.finish();
  })();
  await expect(outcome).rejects.toThrow('disk full');
});
