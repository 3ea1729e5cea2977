// With workers and the file in shared memory, open() hands whole tensors to the workers (src/format/decode-on-workers.ts):
// the get()s made together go as one batch of (tensor, chunk) items, the small tensors then decode on the calling
// thread, and a tensor the workers did not decode decodes there too, which raises its error. Every result must be the
// one thread's.
import { describe, expect, it } from 'vitest';
import { open, pack, pipeline, quant, type PipelineStage, type TensorInput } from '../src/index';
import { TensorzipError } from '../src/errors';
import { DECODE_TENSORS_TASK, decodeTensorsTask, TensorsOnWorkers } from '../src/format/decode-on-workers';
import type { TensorEntry } from '../src/format/index-document';
import type { WorkerPool } from '../src/parallel';
import { sharedArrays } from '../src/parallel/shared';
import { loadKernels } from '../src/wasm/load';
import { spikyWeights } from './helpers/data';
import { equalBytes } from './helpers/engines';
import { failureOf } from './helpers/errors';
import { referenceReadIndex } from './reference/index-1.3';
import { referenceXxh32 } from './reference/xxh32';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A model's mix: two large tensors and many small ones of every kind, at odd lengths. */
async function smallAndLarge(): Promise<Uint8Array> {
  const tensors: Record<string, TensorInput | { quantized: ReturnType<typeof quant.quantize> }> = {
    large: { dtype: 'float32', shape: [512, 512], data: spikyWeights(512 * 512, 1) },
    wide: { dtype: 'float32', shape: [300, 1000], data: spikyWeights(300_000, 2) },
  };
  for (let i = 0; i < 40; i++) {
    const n = 1 + ((i * 97) % 3000);
    tensors[`bias${i}`] = { dtype: 'float32', shape: [n], data: spikyWeights(n, 10 + i) };
  }
  tensors.ids = { dtype: 'int32', shape: [3], data: Int32Array.of(7, -1, 1 << 30) };
  tensors.mask = { dtype: 'bool', shape: [13], data: Uint8Array.from({ length: 13 }, (_, i) => i % 3 & 1) };
  tensors.half = { dtype: 'float16', shape: [501], data: Uint16Array.from({ length: 501 }, (_, i) => 0x3c00 + i) };
  tensors.q4 = { quantized: quant.quantize(spikyWeights(77 * 32, 4), { dtype: 'q4_0', shape: [77, 32] }) };
  return pack(tensors as never, { quantize: 'int8', chunkBytes: 1 << 18 });
}

describe.skipIf(typeof SharedArrayBuffer !== 'function')('open with workers, the file in shared memory: whole tensors to the workers', () => {
  it('getAll(), and get()s together into its arrays: every tensor as on one thread, the small ones in ordinary arrays', async () => {
    const file = await smallAndLarge();
    const expected = await (await open(file)).getAll();
    const archive = await open(file, { workers: 2 });
    try {
      const all = await archive.getAll();
      expect(Object.keys(all).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, t] of Object.entries(expected)) {
        expect(all[name]!.data.constructor, name).toBe(t.data.constructor);
        expect(equalBytes(bytesOf(all[name]!.data), bytesOf(t.data)), name).toBe(true);
        expect(all[name]!.data.buffer instanceof SharedArrayBuffer, name).toBe(t.data.byteLength >= 65536);
      }
      // Again into the same arrays, side by side, small ones first: the same bytes.
      for (const t of Object.values(all)) t.data.fill(0 as never);
      const names = Object.keys(all).sort((a, b) => all[a]!.data.byteLength - all[b]!.data.byteLength);
      await Promise.all(names.map((name) => archive.get(name, { out: all[name]!.data as never })));
      for (const [name, t] of Object.entries(expected)) expect(equalBytes(bytesOf(all[name]!.data), bytesOf(t.data)), name).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('two archives on one pool at once: each worker keeps each archive\'s entries apart', async () => {
    const files = [await smallAndLarge(), await pack({ other: { dtype: 'float32', shape: [1 << 17], data: spikyWeights(1 << 17, 9) } }, { quantize: 'lossless' })];
    const expected = await Promise.all(files.map(async (f) => (await open(f)).getAll()));
    const archives = await Promise.all(files.map((f) => open(f, { workers: 2 })));
    try {
      for (let round = 0; round < 2; round++) {
        const got = await Promise.all(archives.map((a) => a.getAll()));
        got.forEach((all, i) => {
          for (const [name, t] of Object.entries(expected[i]!)) expect(equalBytes(bytesOf(all[name]!.data), bytesOf(t.data)), name).toBe(true);
        });
      }
    } finally {
      for (const a of archives) a.close();
    }
  });

  it('a damaged parameter block: the same TensorzipError as on one thread, verified or not', async () => {
    const file = (await smallAndLarge()).slice();
    const { index } = referenceReadIndex(file);
    const large = index.tensors.find((t) => t.name === 'large') as { stored: { params: [number, number, number] } };
    const [offset, length] = large.stored.params;
    file.fill(0xff, offset, offset + length); // NaN scales
    for (const verify of [true, false]) {
      const one = await failureOf((await open(file, { verify })).get('large'));
      expect(one.code).toBe(verify ? 'CHECKSUM' : 'CORRUPT');
      const pooled = await open(file, { verify, workers: 2 });
      try {
        expect(await failureOf(pooled.getAll())).toEqual(one);
        const out = sharedArrays([{ type: Float32Array, length: 512 * 512 }])[0]!;
        expect(await failureOf(pooled.get('large', { out }))).toEqual(one);
        // The others of its batch decode.
        const wide = await pooled.get('wide');
        expect(equalBytes(bytesOf(wide.data), bytesOf((await (await open(file, { verify })).get('wide')).data))).toBe(true);
      } finally {
        pooled.close();
      }
    }
  });

  it('counts the bytes it reads for onProgress as one thread does', async () => {
    const file = await smallAndLarge();
    const seen: number[][] = [[], []];
    for (const [i, workers] of [0, 2].entries()) {
      const archive = await open(file, { workers, onProgress: (done) => seen[i]!.push(done) });
      await archive.getAll();
      archive.close();
    }
    expect(seen[1]!.at(-1)).toBe(seen[0]!.at(-1));
  });
});

describe.skipIf(typeof SharedArrayBuffer !== 'function')('TensorsOnWorkers, with the workers played by this thread', async () => {
  const kernels = await loadKernels(true);
  const stages: PipelineStage[] = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }];
  // Tensors of 1–3 chunks of 40,000 float32 values each (the last shorter), in one file, as open() would index them.
  const chunkElements = 40_000;
  const lengths = { a: 100_000, b: 40_000, c: 7, d: 65_000 };
  const values = Object.fromEntries(Object.entries(lengths).map(([name, n], i) => [name, spikyWeights(n, 20 + i)]));
  const pieces: Uint8Array[] = [];
  let at = 0;
  const tensors: TensorEntry[] = Object.entries(values).map(([name, data]) => {
    const chunks = [];
    for (let start = 0; start < data.length; start += chunkElements) {
      const piece = pipeline.encodeChunk(bytesOf(data.subarray(start, start + chunkElements)), stages);
      chunks.push({ offset: at, length: piece.length, checksum: referenceXxh32(piece) });
      pieces.push(piece);
      at += piece.length;
    }
    return { name, dtype: 'float32', shape: [data.length], stored: { dtype: 'float32', axis: null, blockSize: null, params: null }, pipeline: stages, chunkElements, chunks, stats: null, metadata: {} };
  });
  const file = sharedArrays([{ type: Uint8Array, length: at }])[0]!;
  pieces.reduce((offset, p) => (file.set(p, offset), offset + p.length), 0);

  /** A pool that does each item here (decodeTensorsTask, as a worker would), but answers `forced` for the items of
   *  the tensors it names. */
  function playedPool(forced: Record<string, 'undone' | Error> = {}) {
    const batches: number[] = [];
    const pool = {
      shareOut: async (task: string, input: unknown, count: number) => {
        expect(task).toBe(DECODE_TENSORS_TASK);
        batches.push(count);
        const item = decodeTensorsTask(kernels, input);
        const { tensors: list, items } = input as { tensors: Int32Array; items: Int32Array };
        return Array.from({ length: count }, (_, i) => {
          const name = tensors[list[3 * items[2 * i]!]!]!.name;
          if (name in forced) return forced[name]!;
          try {
            item(i);
            return 'done' as const;
          } catch (err) {
            return err as Error;
          }
        });
      },
    } as unknown as WorkerPool;
    return { pool, batches };
  }

  const outputs = () => {
    const [a, b, d] = sharedArrays([{ type: Float32Array, length: lengths.a }, { type: Float32Array, length: lengths.b }, { type: Float32Array, length: lengths.d }]);
    return { a: a!, b: b!, c: new Float32Array(lengths.c), d: d! };
  };
  const entry = (name: string) => tensors.find((t) => t.name === name)!;
  /** A `here` that records each tensor it is given and decodes it from `values`, or throws for the one named `failing`. */
  const recording = (here: string[], failing?: string) => (e: TensorEntry, out: Uint8Array) => {
    here.push(e.name);
    if (e.name === failing) throw new Error(`this thread failed on ${failing}`);
    out.set(bytesOf(values[e.name]!));
  };
  /** Every output of `outs` decoded together, settled. */
  const decodeAll = (onWorkers: TensorsOnWorkers, outs: ReturnType<typeof outputs>) =>
    Promise.allSettled(Object.entries(outs).map(([name, out]) => onWorkers.decode(entry(name), bytesOf(out))));

  it('one batch for the large tensors asked for together, each item one chunk; then the small ones here', async () => {
    const { pool, batches } = playedPool();
    const here: string[] = [];
    const onWorkers = new TensorsOnWorkers(pool, tensors, () => file, true, (e, out) => {
      here.push(`${e.name} after ${batches.length} batches`);
      out.set(bytesOf(values[e.name]!));
    });
    const outs = outputs();
    expect((await decodeAll(onWorkers, outs)).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(batches).toEqual([3 + 1 + 2]);
    expect(here).toEqual(['c after 1 batches']);
    for (const [name, out] of Object.entries(outs)) expect(equalBytes(bytesOf(out), bytesOf(values[name]!)), name).toBe(true);
  });

  it('two archives: a worker keeps the entries of each apart', async () => {
    const { pool, batches } = playedPool();
    const here: string[] = [];
    // The same tensors listed in another order: the same index means another tensor there.
    const lists = [tensors, [...tensors].reverse()];
    const archives = lists.map((list) => new TensorsOnWorkers(pool, list, () => file, true, recording(here)));
    for (let round = 0; round < 2; round++) {
      for (const onWorkers of archives) {
        const outs = outputs();
        await Promise.all(['a', 'd'].map((name) => onWorkers.decode(entry(name), bytesOf(outs[name as 'a']))));
        for (const name of ['a', 'd']) expect(equalBytes(bytesOf(outs[name as 'a']), bytesOf(values[name]!)), name).toBe(true);
      }
    }
    expect(batches).toEqual([5, 5, 5, 5]);
    expect(here).toEqual([]);
  });

  it('a tensor a worker left undone or failed on decodes on this thread (which raises its error); ABORTED rejects', async () => {
    const aborted = new TensorzipError('ABORTED', 'the pool was terminated');
    const { pool } = playedPool({ a: 'undone', b: new Error('a worker error'), d: aborted });
    const here: string[] = [];
    const onWorkers = new TensorsOnWorkers(pool, tensors, () => file, true, recording(here, 'b'));
    const outs = outputs();
    const results = await decodeAll(onWorkers, outs);
    expect(here.sort()).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('this thread failed on b');
    expect((results[3] as PromiseRejectedResult).reason).toBe(aborted);
    for (const name of ['a', 'c']) expect(equalBytes(bytesOf(outs[name as 'a']), bytesOf(values[name]!)), name).toBe(true);
  });

  it('when the file\'s shared copy cannot be made, every tensor decodes on this thread (no error escapes)', async () => {
    const { pool, batches } = playedPool();
    const here: string[] = [];
    const onWorkers = new TensorsOnWorkers(pool, tensors, () => {
      throw new RangeError('Array buffer allocation failed');
    }, true, recording(here));
    const outs = outputs();
    expect((await decodeAll(onWorkers, outs)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(batches).toEqual([]);
    expect(here.sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const [name, out] of Object.entries(outs)) expect(equalBytes(bytesOf(out), bytesOf(values[name]!)), name).toBe(true);
  });

  it('tensors under 64 KiB alone decode on this thread, without the workers', async () => {
    const { pool, batches } = playedPool();
    const here: string[] = [];
    const onWorkers = new TensorsOnWorkers(pool, tensors, () => file, true, recording(here));
    const outs = outputs();
    await onWorkers.decode(entry('c'), bytesOf(outs.c));
    expect(batches).toEqual([]);
    expect(here).toEqual(['c']);
    expect(equalBytes(bytesOf(outs.c), bytesOf(values.c!))).toBe(true);
  });

  it('a damaged chunk fails in the worker with the decoder\'s error (the calling thread then locates it)', async () => {
    const damaged = sharedArrays([{ type: Uint8Array, length: file.length }])[0]!;
    damaged.set(file);
    const { offset, length } = entry('d').chunks[1]!;
    damaged.fill(0, offset, offset + length);
    const { pool } = playedPool();
    const here: string[] = [];
    const onWorkers = new TensorsOnWorkers(pool, tensors, () => damaged, true, recording(here, 'd'));
    const results = await decodeAll(onWorkers, outputs());
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(here).toEqual(['c', 'd']);
  });
});
