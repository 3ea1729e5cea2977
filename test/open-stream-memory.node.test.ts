// open(stream, { retain: false }) holds only what the reads to come need: streaming a 20 MiB file tensor by tensor, the
// ArrayBuffer memory still alive at each tensor (after a full collection) stays a few MiB — the tensor just given, the
// blocks read ahead, WebAssembly's heap — where keeping the stream's bytes holds the file.
import { expect, it } from 'vitest';
import { open, pack } from '../src/index';
import { random } from './helpers/data';
import { collectGarbage } from './helpers/memory-bound';

const next = random(21);
/** 24 tensors of 1 MiB of random floats: ~20 MiB stored. */
const file = await pack(Object.fromEntries(Array.from({ length: 24 }, (_, k) => [`t${k}`, {
  dtype: 'float32' as const, shape: [512, 512], data: Float32Array.from({ length: 1 << 18 }, () => next() * 2 - 1),
}])), { quantize: 'lossless' });

/** The most ArrayBuffer memory alive above where it started, at each tensor stream() gives (64 KiB pieces). */
async function mostAlive(retain: boolean): Promise<number> {
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
  const archive = await open(stream, { retain });
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
  const dropping = await mostAlive(false);
  const keeping = await mostAlive(true);
  expect(dropping / 2 ** 20, 'MiB alive with retain: false').toBeLessThan(10);
  expect(keeping / 2 ** 20, 'MiB alive with the bytes kept').toBeGreaterThan(file.length / 2 ** 20);
}, 60_000);
