// open(stream, { retain: false }) holds only what the reads to come need: streaming a 20 MiB file tensor by tensor, the
// ArrayBuffer memory still alive at each tensor (after a full collection) stays a few MiB — the tensor just given, the
// blocks read ahead, WebAssembly's heap — where keeping the stream's bytes holds the file.
import { expect, it } from 'vitest';
import { open, pack } from '../src/index';
import { random } from './helpers/data';
import { collectGarbage } from './helpers/memory-bound';

/** `count` tensors of 1 MiB of random floats (~0.85 MiB each stored). */
async function randomFile(count: number, seed: number): Promise<Uint8Array> {
  const next = random(seed);
  return pack(Object.fromEntries(Array.from({ length: count }, (_, k) => [`t${k}`, {
    dtype: 'float32' as const, shape: [512, 512], data: Float32Array.from({ length: 1 << 18 }, () => next() * 2 - 1),
  }])), { quantize: 'lossless' });
}
const file = await randomFile(24, 21);

/** The most ArrayBuffer memory alive above where it started, at each tensor stream() gives (64 KiB pieces). */
async function mostAlive(file: Uint8Array, retain: boolean, workers = 0): Promise<number> {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= file.length) return controller.close();
      controller.enqueue(file.slice(at, at + 65536));
      at += 65536;
    },
  }, { highWaterMark: 0 });
  await collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  let most = 0;
  const archive = await open(stream, { retain, workers });
  for await (const { tensor } of archive.stream()) {
    expect(tensor.data.length).toBe(1 << 18);
    await collectGarbage();
    most = Math.max(most, process.memoryUsage().arrayBuffers - before);
  }
  archive.close();
  return most;
}

it('retain: false keeps a few MiB of a 20 MiB stream alive (5 MiB measured) at any tensor; kept, the stream holds the file', async () => {
  await open(file).then((a) => a.get('t0')); // WebAssembly memory grown for a chunk before the measurements
  const dropping = await mostAlive(file, false);
  const keeping = await mostAlive(file, true);
  expect(dropping / 2 ** 20, 'MiB alive with retain: false').toBeLessThan(10);
  expect(keeping / 2 ** 20, 'MiB alive with the bytes kept').toBeGreaterThan(file.length / 2 ** 20);
}, 60_000);

it('on workers, the tensors the caller dropped are not held by the workers: streaming 80 MiB keeps under 40 MiB alive', async () => {
  // The workers receive each tensor's shared buffer in a message; V8 collected them only once the archive closed,
  // which held every tensor streamed (26.6 MiB of the 24 above, 152 MiB of 150).
  const long = await randomFile(80, 22);
  const alive = await mostAlive(long, false, 2);
  expect(alive / 2 ** 20, 'MiB alive with retain: false, on workers').toBeLessThan(40);
}, 120_000);
