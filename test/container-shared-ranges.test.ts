// Shared ranges (format 1.2, docs/FORMAT.md "Shared ranges"): pack() stores a chunk equal to an earlier one once and
// lists its range twice; a reader accepts chunks listing the very same [offset, length, xxh32] and nothing else that
// overlaps, and refuses files whose chunks, summed over every use, pass 8 × the file's size.
import { describe, expect, it } from 'vitest';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { placeChunks, tensorEntry, tzipFile } from './helpers/tzip-builder';
import { random } from './helpers/data';
import { referenceXxh32 } from './reference/xxh32';
import { referenceReadIndex } from './reference/index-1.3';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The outcome of opening `file` and decoding every tensor: 'OK' or the error code ('untyped …' for anything else). */
async function outcome(open: (bytes: Uint8Array) => Promise<{ getAll(): Promise<unknown> }>, file: Uint8Array): Promise<string> {
  try {
    await (await open(file)).getAll();
    return 'OK';
  } catch (err) {
    return (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err).slice(0, 200)}`;
  }
}

/** Every chunk range of the file's index, as JSON text, per tensor. */
function chunkRanges(file: Uint8Array): Record<string, string[]> {
  const { index } = referenceReadIndex(file);
  return Object.fromEntries((index.tensors as { name: string; chunks: number[][] }[]).map((t) => [t.name, t.chunks.map((c) => JSON.stringify(c))]));
}

describe.each(BUILDS)('shared ranges (%s build)', (_, { open, pack }) => {
  const next = random(19);
  const weights = Float32Array.from({ length: 64 * 64 }, () => (next() + next() + next() - 1.5) * 0.1);
  // Rows that repeat every 1024 elements: the 4 KiB chunks of `tiled` are all equal.
  const tiled = Float32Array.from({ length: 4096 }, (_, i) => weights[i % 1024]);
  const tensors: Record<string, TensorInput> = {
    'a.weight': { dtype: 'float32', shape: [64, 64], data: weights },
    'b.weight': { dtype: 'float32', shape: [64, 64], data: weights.slice() },
    tiled: { dtype: 'float32', shape: [4096], data: tiled },
    other: { dtype: 'int32', shape: [1000], data: Int32Array.from({ length: 1000 }, (_, i) => i * 7919) },
  };

  it('pack() stores equal chunks once (smaller), lists the same range for each use, and decodes every tensor', async () => {
    for (const quantize of ['lossless', 'int8'] as const) {
      const options = { chunkBytes: 4096, quantize };
      const shared = await pack(tensors, options);
      const apart = await pack(tensors, { ...options, dedupe: false });
      expect([shared[4], shared[5]]).toEqual([1, 3]);
      const ranges = chunkRanges(shared);
      expect(ranges['b.weight']).toEqual(ranges['a.weight']);
      expect(new Set(ranges.tiled).size).toBe(1);
      const separate = Object.values(chunkRanges(apart)).flat();
      expect(new Set(separate).size, 'dedupe: false repeats no range').toBe(separate.length);
      // a and b share all 4 chunks (16 KiB lossless), tiled 3 of its 4.
      expect(apart.length - shared.length, quantize).toBeGreaterThanOrEqual(quantize === 'lossless' ? 7 * 3000 : 7 * 700);
      const [a, b] = [await (await open(shared)).getAll(), await (await open(apart)).getAll()];
      for (const [name, t] of Object.entries(tensors)) {
        if (quantize === 'lossless' && !equalBytes(bytesOf(a[name].data), bytesOf(t.data))) expect.fail(`${name} decodes differently from its input`);
        if (!equalBytes(bytesOf(a[name].data), bytesOf(b[name].data))) expect.fail(`${name}: shared and separate files decode differently`);
      }
    }
  });

  it('never shares a parameter block, even between tensors with equal codes and scales', async () => {
    const file = await pack({ 'a.weight': tensors['a.weight'], 'b.weight': tensors['b.weight'] }, { quantize: 'int8', chunkBytes: 4096 });
    const { index } = referenceReadIndex(file);
    const [pa, pb] = (index.tensors as { stored: { params: number[] } }[]).map((t: { stored: { params: number[] } }) => t.stored.params);
    expect(pa[0]).not.toBe(pb[0]);
    expect(pa.slice(1)).toEqual(pb.slice(1));
  });

  describe('hand-built indexes', () => {
    // 16 KiB, stored as it is: large beside the index entry each use adds, so uses can pass 8 × the file's size.
    const values = Int32Array.from({ length: 4096 }, (_, i) => i * 1000 - 7);
    const chunk = bytesOf(values);
    const other = bytesOf(Int32Array.from({ length: 16 }, (_, i) => 5 - i)); // 64 bytes
    const { data, offsets } = placeChunks([chunk, other]);
    const sum = referenceXxh32(chunk);
    /** A file of int32 tensors `t0, t1, …`, each one chunk given by `ranges(dataAt)`. */
    const file = (ranges: (at: number) => number[][]) => tzipFile((at: number) => ({
      tensors: ranges(at).map((r, i) => tensorEntry(`t${i}`, 'int32', [r[1] / 4], [r])),
    }), data);

    it('chunks of two tensors listing the very same range both decode to its values', async () => {
      const archive = await open(file((at) => [[at, 16384, sum], [at, 16384, sum], [at + offsets[1], 64, referenceXxh32(other)]]));
      const all = await archive.getAll();
      expect(Array.from(all.t0.data as Int32Array)).toEqual(Array.from(values));
      expect(Array.from(all.t1.data as Int32Array)).toEqual(Array.from(values));
      expect(Array.from(all.t2.data as Int32Array)).toEqual(Array.from({ length: 16 }, (_, i) => 5 - i));
    });

    it.each([
      ['a chunk inside another (same offset, shorter)', (at: number) => [[at, 16384, sum], [at, 64, referenceXxh32(chunk.subarray(0, 64))]], 'CORRUPT'],
      ['a chunk starting inside another', (at: number) => [[at, 16384, sum], [at + 64, 64, referenceXxh32(chunk.subarray(64, 128))]], 'CORRUPT'],
      ['the same offset and length with another checksum', (at: number) => [[at, 16384, sum], [at, 16384, sum ^ 1]], 'CORRUPT'],
      ['a shared range whose bytes do not match the checksum both list', (at: number) => [[at, 16384, sum ^ 1], [at, 16384, sum ^ 1]], 'CHECKSUM'],
    ])('%s: %s', async (_name, ranges, code) => {
      expect(await outcome(open, file(ranges))).toBe(code);
    });

    it('ranges listed out of file order: shared ones decode, and an overlap names the same two ranges as in order', async () => {
      const sumOther = referenceXxh32(other);
      const archive = await open(file((at) => [[at + offsets[1], 64, sumOther], [at, 16384, sum], [at + offsets[1], 64, sumOther], [at, 16384, sum]]));
      const all = await archive.getAll();
      expect(Array.from(all.t1.data as Int32Array)).toEqual(Array.from(values));
      expect(Array.from(all.t2.data as Int32Array)).toEqual(Array.from({ length: 16 }, (_, i) => 5 - i));
      // Sorted by start, then end: t2's 64 bytes come before t1's 16 KiB at the same offset, whichever is listed first.
      for (const ranges of [(at: number) => [[at + offsets[1], 64, sumOther], [at, 16384, sum], [at, 64, referenceXxh32(chunk.subarray(0, 64))]],
        (at: number) => [[at + offsets[1], 64, sumOther], [at, 64, referenceXxh32(chunk.subarray(0, 64))], [at, 16384, sum]]]) {
        const err = await open(file(ranges)).catch((e: unknown) => e);
        expect((err as { code?: string }).code).toBe('CORRUPT');
        const [longer, shorter] = ranges(0)[1][1] === 16384 ? ['t1', 't2'] : ['t2', 't1'];
        expect((err as Error).message).toMatch(new RegExp(`tensor "${longer}" \\(bytes \\d+–\\d+\\) overlaps a range of tensor "${shorter}"`));
      }
    });

    it('a chunk listing a parameter block, or two tensors sharing one, is CORRUPT', async () => {
      const q = { values: 1, scales: new Float32Array([0.5]) };
      const codes = new Uint8Array(64).fill(3);
      const params = bytesOf(q.scales);
      const placed = placeChunks([codes, params]);
      const p = (at: number) => [at + placed.offsets[1], 4, referenceXxh32(params)];
      const int8 = (name: string, chunkRange: number[], paramsRange: number[]) => tensorEntry(name, 'float32', [64], [chunkRange],
        { stored: { dtype: 'int8', axis: null, blockSize: null, params: paramsRange } });
      const good = (at: number) => [int8('a', [at, 64, referenceXxh32(codes)], p(at))];
      const build = (make: (at: number) => unknown[]) => tzipFile((at: number) => ({ tensors: make(at) }), placed.data);
      expect(await outcome(open, build(good))).toBe('OK');
      expect(await outcome(open, build((at) => [...good(at), int8('b', [at, 64, referenceXxh32(codes)], p(at))]))).toBe('CORRUPT');
      // A chunk of 4 uint8 listing the block's very range (at a multiple of 64 in this file).
      const paramsAsChunk = (at: number) => [...good(at), tensorEntry('c', 'uint8', [4], [p(at)])];
      expect(await outcome(open, build(paramsAsChunk))).toBe('CORRUPT');
    });

    it('chunks summed over every use may reach 8 × the file size, not more (LIMIT)', async () => {
      const uses = (n: number) => (at: number) => Array.from({ length: n }, () => [at, 16384, sum]);
      // The file grows with the index, so find the largest count that stays within 8 × its size.
      let n = 1;
      while (16384 * (n + 1) <= 8 * file(uses(n + 1)).length) n++;
      expect(n).toBeGreaterThanOrEqual(8);
      expect(await outcome(open, file(uses(n)))).toBe('OK');
      expect(await outcome(open, file(uses(n + 1)))).toBe('LIMIT');
    });
  });
});
