// open(stream, { retain: false }) holds only what the reads to come need: streaming a 20 MiB file tensor by tensor, the
// ArrayBuffer memory still alive at each tensor (after a full collection) stays a few MiB — the tensor just given, the
// blocks read ahead, WebAssembly's heap — where keeping the stream's bytes holds the file.
import { describe, expect, it } from 'vitest';
import { createWriter, open, pack } from '../src/index';
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

/** `file` as a stream of 64 KiB pieces, each read when asked for. */
function piecesOf(file: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= file.length) return controller.close();
      controller.enqueue(file.slice(at, at + 65536));
      at += 65536;
    },
  }, { highWaterMark: 0 });
}

/** The most ArrayBuffer memory alive above where it started, at each tensor stream() gives (64 KiB pieces). */
async function mostAlive(file: Uint8Array, retain: boolean, workers = 0): Promise<number> {
  const stream = piecesOf(file);
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

/** `tensors` written by the streaming writer: its index comes last, so open() of its stream waits for the end. */
async function indexLast(tensors: Parameters<typeof pack>[0]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const writer = createWriter({ write: (part: Uint8Array) => void parts.push(part.slice()) }, { quantize: 'lossless' });
  for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
  await writer.finish();
  return new Uint8Array(parts.flatMap((p) => [...p]));
}

describe('an index-last stream opened with retain: false, on workers', () => {
  // The workers read a file in memory from one copy of it in shared memory; a stream with retain: false is not kept
  // whole, so its chunks go to them as any others' (a copy of the whole file made at the first large tensor held a
  // second file, and once a block had been dropped, failed outside any promise).
  const next = random(23);
  const floats = (n: number) => Float32Array.from({ length: n }, () => next() * 2 - 1);
  const tensors: Record<string, { dtype: 'float32'; shape: number[]; data: Float32Array }> = Object.fromEntries([
    ...Array.from({ length: 24 }, (_, k) => [`small${k}`, { dtype: 'float32' as const, shape: [120, 120], data: floats(14_400) }]),
    ...Array.from({ length: 24 }, (_, k) => [`large${k}`, { dtype: 'float32' as const, shape: [512, 512], data: floats(1 << 18) }]),
  ]);

  it('decodes the large tensors after the small ones dropped the first blocks, as one thread does', async () => {
    const file = await indexLast(tensors);
    const archive = await open(piecesOf(file), { retain: false, workers: 2 });
    try {
      for (const [name, t] of Object.entries(tensors)) {
        const got = await archive.get(name);
        expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(t.data.buffer)), name).toBe(true);
      }
    } finally {
      archive.close();
    }
  }, 60_000);

  it('holds no second copy of the file (the stream holds it once until its tensors are read)', async () => {
    const file = await indexLast(Object.fromEntries(Object.entries(tensors).filter(([name]) => name.startsWith('large'))));
    const alive = await mostAlive(file, false, 2);
    // Measured for a 20 MiB file: 28.2 MiB alive at most (the bytes not yet read, the tensors the workers have not
    // collected yet); 43.9 MiB with the copy.
    expect(alive / file.length, 'alive memory per byte of the file').toBeLessThan(1.75);
  }, 60_000);
});
