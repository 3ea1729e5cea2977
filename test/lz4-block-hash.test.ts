// The block decoder's content hashing: given an xxHash32 state, lz4DecompressBlock adds the decoded bytes to it (the
// SIMD build partly inside its loop, as the output passes each stripe). Checked against the reference xxHash32 of
// what was decoded, for blocks decoded one after another into one hash, from states holding 0–17 earlier bytes.
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import type { Kernels } from '../src/wasm/kernels';
import { mixed, random, runs, structuredBinary, textLike } from './helpers/data';
import { referenceXxh32 } from './reference/xxh32';
import { compressWithKernel } from './helpers/lz4-kernel';

/** Bytes whose blocks keep the plain loop busy: literal runs and matches of every length 4–80 from 8–300 back. */
function codeLike(size: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  let at = 0;
  for (; at < 300; at++) out[at] = Math.floor(next() * 256);
  while (at < size) {
    const literals = Math.floor(next() * 12);
    for (let i = 0; i < literals && at < size; i++) out[at++] = Math.floor(next() * 256);
    const offset = 8 + Math.floor(next() * 292);
    const length = 4 + Math.floor(next() * 77);
    for (let i = 0; i < length && at < size; i++, at++) out[at] = out[at - offset];
  }
  return out;
}

/** The first index where `a` and `b` differ (-1: none); toEqual on large arrays is slow. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Compresses each block with the kernel, then decodes them in turn into one hash that starts with `prefix`. */
function decodeHashed(kernels: Kernels, input: Uint8Array, blockSize: number, prefix: Uint8Array, seed: number) {
  const { exports } = kernels;
  kernels.reset();
  const state = kernels.alloc(exports.xxh32StateBytes());
  const staging = kernels.alloc(blockSize);
  const compressed = kernels.alloc(exports.lz4Bound(blockSize));
  const dst = kernels.alloc(blockSize);
  exports.xxh32Reset(state, seed);
  kernels.heap.set(prefix, staging);
  exports.xxh32Update(state, staging, prefix.length);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < input.length; at += blockSize) {
    const block = input.subarray(at, Math.min(input.length, at + blockSize));
    kernels.heap.set(block, staging);
    const size = exports.lz4CompressBlock(staging, block.length, compressed, exports.lz4Bound(blockSize), 1);
    const n = exports.lz4DecompressBlock(compressed, size, dst, blockSize, 0, state);
    expect(n).toBe(block.length);
    parts.push(kernels.heap.slice(dst, dst + n));
  }
  return { output: concat(...parts), digest: exports.xxh32Digest(state) >>> 0 };
}

describe.each([true, false])('LZ4 block decoder content hashing (simd: %s)', (simd) => {
  const inputs: [string, Uint8Array][] = [
    ['code-like', codeLike(300_000, 1)],
    ['text', textLike(150_000, 2)],
    ['structured', structuredBinary(150_000, 3)],
    ['mixed', mixed(150_000, 4)],
    ['runs', runs(100_000, 5)],
  ];

  it('adds exactly the decoded bytes, for blocks of 64 KiB, 4 MiB and odd sizes', async () => {
    const kernels = await loadKernels(simd);
    for (const [name, input] of inputs) {
      const expected = referenceXxh32(input, 0);
      for (const blockSize of [65536, 4 << 20, 1000, 99_999]) {
        const { output, digest } = decodeHashed(kernels, input, blockSize, new Uint8Array(0), 0);
        expect(firstDifference(output, input), `${name}, blocks of ${blockSize}`).toBe(-1);
        expect(digest, `${name}, blocks of ${blockSize}`).toBe(expected);
      }
    }
  });

  it('continues a hash holding any number of earlier bytes, with any seed', async () => {
    const kernels = await loadKernels(simd);
    const input = codeLike(70_000, 6);
    const earlier = textLike(17, 7);
    for (let k = 0; k <= 17; k++) {
      for (const seed of [0, 0x9e3779b1]) {
        const { digest } = decodeHashed(kernels, input, 65536, earlier.subarray(0, k), seed);
        expect(digest, `${k} earlier bytes, seed ${seed}`).toBe(referenceXxh32(concat(earlier.subarray(0, k), input), seed));
      }
    }
  });

  it('leaves the decoded bytes and the status as they are without a state, on damaged blocks too', async () => {
    const kernels = await loadKernels(simd);
    const { exports } = kernels;
    const next = random(simd ? 11 : 12);
    const input = codeLike(8000, 8);
    const block = compressWithKernel(kernels, input);
    for (let round = 0; round < 200; round++) {
      kernels.reset();
      const compressed = kernels.alloc(block.length);
      const plain = kernels.alloc(input.length);
      const hashed = kernels.alloc(input.length);
      const state = kernels.alloc(exports.xxh32StateBytes());
      kernels.heap.set(block, compressed);
      const size = block.length;
      const flips = Math.floor(next() * 4);
      for (let f = 0; f < flips; f++) kernels.heap[compressed + Math.floor(next() * size)] ^= 1 << Math.floor(next() * 8);
      const expected = exports.lz4DecompressBlock(compressed, size, plain, input.length, 0, 0);
      exports.xxh32Reset(state, 0);
      const status = exports.lz4DecompressBlock(compressed, size, hashed, input.length, 0, state);
      expect(status, `round ${round}`).toBe(expected);
      if (status < 0) continue;
      const decoded = kernels.heap.slice(hashed, hashed + status);
      expect(firstDifference(decoded, kernels.heap.subarray(plain, plain + expected)), `round ${round}`).toBe(-1);
      expect(exports.xxh32Digest(state) >>> 0, `round ${round}`).toBe(referenceXxh32(decoded, 0));
    }
  });
});
