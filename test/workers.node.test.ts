// Workers in Node: they are real threads, and a process that opened an archive with workers (and never closed it)
// exits on its own once its work is done — idle workers hold no reference to the event loop; archives open at the
// same time share one pool.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createDatasetWriter, open, openDataset, pack, type TensorInput } from '../src/index';
import { spikyWeights } from './helpers/data';
import { equalBytes } from './helpers/engines';
import { WorkerPool } from '../src/parallel';

const GOLDEN = 'test/golden/v1.2/shared-ranges.tzip';
const threads = () => readdirSync('/proc/self/task').length;
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
// Chunks of 1 MiB (they go to the workers; the golden file's are all small enough to stay on the calling thread).
const LARGE = await pack({ w: { dtype: 'float32', shape: [1024, 1500], data: Float32Array.from({ length: 1024 * 1500 }, (_, i) => Math.sin(i) * Math.cos(i / 7)) } });

describe.skipIf(process.platform !== 'linux')('workers in Node', () => {
  it('open(…, { workers: 2 }) starts two threads, which decode the chunks', async () => {
    const before = threads();
    const archive = await open(LARGE, { workers: 2 });
    try {
      expect(threads()).toBeGreaterThanOrEqual(before + 2);
      const one = await (await open(LARGE)).getAll();
      const two = await archive.getAll();
      for (const [name, t] of Object.entries(one)) expect(Buffer.from(two[name]!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
    } finally {
      archive.close();
    }
  });

  it.each([['its chunks decoded on the workers', 'large'], ['the workers never used', GOLDEN]])('a process that opens with workers and never calls close() exits on its own after its decode: %s', (_, file) => {
    // dist/, as users run it: decode every tensor on 2 workers, print a digest, and let the process end by itself.
    const script = `
      import { readFileSync } from 'node:fs';
      const { open, pack } = await import(${JSON.stringify(new URL('../dist/index.mjs', import.meta.url).href)});
      const bytes = ${JSON.stringify(file)} === 'large'
        ? await pack({ w: { dtype: 'float32', shape: [1024, 1500], data: Float32Array.from({ length: 1024 * 1500 }, (_, i) => Math.sin(i)) } })
        : readFileSync(${JSON.stringify(file)});
      const archive = await open(bytes, { workers: 2 });
      const all = await archive.getAll();
      let sum = 0;
      for (const t of Object.values(all)) for (const b of new Uint8Array(t.data.buffer)) sum = (sum + b) % 65521;
      console.log(Object.keys(all).length + ' ' + sum);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(/^\d+ \d+$/);
  });

  it("archives open at the same time share one pool, a dataset's shards too; the last close() stops its workers", async () => {
    const created = vi.spyOn(WorkerPool, 'create');
    try {
      const file = LARGE;
      const expected = await (await open(file)).getAll();
      const before = threads();
      const [a, b] = [await open(file, { workers: 2 }), await open(file, { workers: 2 })];
      expect(created).toHaveBeenCalledTimes(1);
      expect(threads() - before).toBeLessThan(4);
      (await open(file, { workers: 1 })).close(); // another size: a pool of its own
      expect(created).toHaveBeenCalledTimes(2);
      a.close();
      const fromB = await b.getAll(); // the pool a gave back still works for b
      for (const [name, t] of Object.entries(expected)) expect(fromB[name]!.data, name).toEqual(t.data);
      b.close();
      (await open(file, { workers: 2 })).close(); // the last close() stopped it: a new one starts
      expect(created).toHaveBeenCalledTimes(3);

      created.mockClear();
      const shards = new Map<string, Uint8Array[]>();
      const writer = createDatasetWriter((n) => {
        const parts: Uint8Array[] = [];
        shards.set(`part-${n}.tzip`, parts);
        return { path: `part-${n}.tzip`, sink: { write: (bytes: Uint8Array) => void parts.push(bytes.slice()), close: () => {} } };
      }, { schema: [{ name: 'x', dtype: 'int32', shape: [64] }], groupSamples: 100, shardBytes: 20_000 });
      const value = (i: number) => Math.imul(i, 2654435761) >> 8; // incompressible: shards fill up
      for (let i = 0; i < 1000; i++) await writer.add({ x: Int32Array.from({ length: 64 }, (_, k) => value(i * 64 + k)) });
      const manifest = await writer.finish();
      expect(manifest.shards.length).toBeGreaterThan(2);
      const joined = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
      const dataset = await openDataset(manifest, { shardSource: (path) => joined(shards.get(path)!), workers: 2 });
      let sum = 0;
      for await (const batch of dataset.batches({ batchSize: 128 })) sum += (batch.x.data as Int32Array).reduce((n, v) => n + v, 0);
      expect(sum).toBe(Array.from({ length: 64000 }, (_, i) => value(i)).reduce((n, v) => n + v, 0));
      expect(created).toHaveBeenCalledTimes(1);
      dataset.close();
    } finally {
      created.mockRestore();
    }
  });

  it('getAll() hands each 16 MiB buffer\'s tensors to the workers before it allocates the next', async () => {
    // 40 MiB of large tensors: three buffers, each one batch (its own outputs only), then the small tensors here.
    const MiB = 1 << 20;
    const tensors: Record<string, TensorInput> = { small: { dtype: 'float32', shape: [100], data: spikyWeights(100, 3) } };
    for (let i = 0; i < 5; i++) tensors[`t${i}`] = { dtype: 'float32', shape: [2 * MiB], data: spikyWeights(2 * MiB, 30 + i) };
    const file = await pack(tensors, { quantize: 'lossless' });
    const archive = await open(file, { workers: 2 });
    const shareOut = vi.spyOn(WorkerPool.prototype, 'shareOut');
    try {
      const all = await archive.getAll();
      for (const [name, t] of Object.entries(tensors)) expect(equalBytes(bytesOf(all[name]!.data), bytesOf(t.data)), name).toBe(true);
      const buffers = shareOut.mock.calls.map((call) => [...(call[3] as Iterable<ArrayBufferLike>)]);
      expect(buffers.map((b) => b.length)).toEqual([1, 1, 1]);
      expect(buffers.map((b) => b[0]!.byteLength / MiB)).toEqual([16, 16, 8]);
    } finally {
      shareOut.mockRestore();
      archive.close();
    }
  });
});
