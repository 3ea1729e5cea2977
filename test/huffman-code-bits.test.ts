// The bits the context and rANS encoders count for an order-0 code (huffmanCodeBits: a Huffman tree's where it fits
// 11 bits, else package-merge's without its lengths) against the bits of the code huffmanEncode writes for the same
// counts, its lengths read from the block by the reference decoder: for codes within 11 bits and for codes the limit
// binds (Fibonacci and long-tailed counts, whose optimal tree is deeper), in both builds.
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import { random } from './helpers/data';
import { referenceDecode } from './reference/huffman';

const BUILDS = [['simd', await loadKernels(true)], ['scalar', await loadKernels(false)]] as const;

/** Depth of an optimal (unlimited) Huffman tree for `counts`: pairs merged by a sorted list. */
function huffmanDepth(counts: number[]): number {
  let nodes = counts.filter((c) => c > 0).map((weight) => ({ weight, depth: 0 }));
  while (nodes.length > 1) {
    nodes.sort((x, y) => x.weight - y.weight);
    const [x, y] = nodes;
    nodes = [{ weight: x.weight + y.weight, depth: Math.max(x.depth, y.depth) + 1 }, ...nodes.slice(2)];
  }
  return nodes[0].depth;
}

/** Skewed counts on random sets of values, Fibonacci counts, and long-tailed bell shapes (int8 codes of weights). */
function histograms(): { name: string; counts: number[] }[] {
  const next = random(2119);
  const out: { name: string; counts: number[] }[] = [];
  for (let k = 0; k < 24; k++) {
    const counts = new Array<number>(256).fill(0);
    const values = 2 + Math.floor(next() * 255);
    for (let i = 0; i < values; i++) counts[Math.floor(next() * 256)] = 1 + Math.floor(2000 * next() ** 3);
    out.push({ name: `skewed ${k}`, counts });
  }
  for (const length of [13, 16, 20, 24]) {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0, a = 1, b = 1; i < length; i++, [a, b] = [b, a + b]) counts[(i * 37) % 256] = a;
    out.push({ name: `Fibonacci ${length}`, counts });
  }
  for (const spread of [1.5, 3, 8, 20]) {
    const counts = Array.from({ length: 256 }, (_, v) => Math.max(1, Math.round(20_000 * Math.exp(-Math.abs((v << 24) >> 24) / spread))));
    out.push({ name: `bell ${spread}`, counts });
  }
  return out;
}

describe.each(BUILDS)('huffmanCodeBits (%s build)', (_, kernels) => {
  const k = kernels.exports;

  it('counts the bits of the code huffmanEncode writes, where the Huffman tree fits 11 bits and where it does not', () => {
    let deep = 0;
    for (const { name, counts } of histograms()) {
      const bytes = new Uint8Array(counts.reduce((n, c) => n + c, 0));
      counts.reduce((at, c, v) => (bytes.fill(v, at, at + c), at + c), 0);
      kernels.reset();
      const countsAt = kernels.alloc(1024);
      const bitsAt = kernels.alloc(8);
      const src = kernels.alloc(bytes.length);
      const dst = kernels.alloc(k.huffmanBound(bytes.length));
      new Uint32Array(kernels.heap.buffer, countsAt, 256).set(counts);
      kernels.heap.set(bytes, src);
      expect(k.huffmanCodeBits(countsAt, bitsAt), name).toBe(8);
      const bits = Number(new BigUint64Array(kernels.heap.buffer, bitsAt, 1)[0]);
      const size = k.huffmanEncode(src, bytes.length, dst, k.huffmanBound(bytes.length));
      const block = referenceDecode(kernels.heap.slice(dst, dst + size));
      expect(block.mode, name).toBe('huffman');
      expect(bits, name).toBe(counts.reduce((sum, c, v) => sum + c * block.lengths[v], 0));
      if (huffmanDepth(counts) > 11) deep++;
    }
    expect(deep, 'histograms whose optimal tree is deeper than 11 bits').toBeGreaterThanOrEqual(6);
  });

  it('refuses counts of fewer than two values', () => {
    kernels.reset();
    const countsAt = kernels.alloc(1024);
    const counts = new Uint32Array(kernels.heap.buffer, countsAt, 256);
    counts.fill(0);
    expect(k.huffmanCodeBits(countsAt, kernels.alloc(8))).toBe(-4);
    counts[9] = 100;
    expect(k.huffmanCodeBits(countsAt, kernels.alloc(8))).toBe(-4);
  });
});
