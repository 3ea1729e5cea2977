// The rANS block kernels' safety contract (format 1.4, the rans stage), checked on the kernels themselves: for any
// input the decoder never reads past its source, never writes outside [dst, dst + dstCap), and decodes what the
// reference decoder (test/reference/rans.ts) decodes, refusing what it refuses; the encoder stays inside its input and
// huffmanBound. As in entropy-bounds.node.test.ts, the source (or the destination) sits flush against the end of
// WebAssembly memory, so one byte read (or written) past it traps; guard bytes around the destination catch the rest.
import { describe, expect, it } from 'vitest';
import { KERNEL_STATUS } from '../src/errors';
import { loadKernels } from '../src/wasm/load';
import type { Kernels } from '../src/wasm/kernels';
import { random } from './helpers/data';
import { referenceDecodeRans } from './reference/rans';

const GUARD = 64;
const GUARD_BYTE = 0xa5;

function encodeWithKernel(kernels: Kernels, input: Uint8Array): Uint8Array {
  const k = kernels.exports;
  kernels.reset();
  const src = kernels.alloc(input.length);
  const dst = kernels.alloc(k.huffmanBound(input.length));
  kernels.heap.set(input, src);
  const size = k.ransEncode(src, input.length, dst, k.huffmanBound(input.length));
  if (size < 0) throw new Error(`encode failed: status ${size}`);
  return kernels.heap.slice(dst, dst + size);
}

/** Bytes drawn with weights falling off as 1/(v+1)^skew over `values` byte values; after a 0 in its stream (4 back),
 *  0 again with probability `stay` (a context for two tables). */
function skewed(size: number, values: number, skew: number, stay: number, next: () => number): Uint8Array {
  const weights = Array.from({ length: values }, (_, v) => 1 / (v + 1) ** skew);
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    if (i >= 4 && out[i - 4] === 0 && next() < stay) continue;
    let u = next() * total;
    let v = 0;
    while (v < values - 1 && (u -= weights[v]) >= 0) v++;
    out[i] = v;
  }
  return out;
}

describe.each([true, false])('rANS block kernels, flush against the end of memory (simd: %s)', (simd) => {
  it('the decoder keeps inside its buffers and agrees with the reference on damaged blocks', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 51 : 52);
    let rans = 0;
    for (let round = 0; round < 500; round++) {
      const size = round % 50 === 0 ? 20_000 + Math.floor(next() * 5000) : 64 + Math.floor(next() * 1500);
      const input = skewed(size, 2 + Math.floor(next() * 254), 1 + next() * 3, next() * 0.9, next);
      const block = encodeWithKernel(kernels, input);
      if (block[0] === 4) rans++;
      const flips = Math.floor(next() * 3); // 0: the valid block itself
      for (let f = 0; f < flips; f++) block[Math.floor(next() * block.length)] ^= 1 << Math.floor(next() * 8);
      const srcLen = next() < 0.25 ? Math.floor(next() * block.length) : block.length;
      const dstCap = next() < 0.7 ? size : Math.floor(next() * (size + 50));
      const source = block.subarray(0, srcLen);
      let expected: Uint8Array | null;
      try {
        expected = referenceDecodeRans(source, dstCap);
      } catch {
        expected = null;
      }
      for (const flush of ['src', 'dst'] as const) {
        kernels.reset();
        const lead = kernels.alloc(GUARD + dstCap + GUARD + srcLen + 65536);
        const end = k.memory.buffer.byteLength;
        const src = flush === 'src' ? end - srcLen : lead;
        const dst = flush === 'src' ? lead + GUARD : end - dstCap;
        const heap = kernels.heap;
        heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstCap + GUARD));
        heap.set(source, src);
        const status = k.ransDecode(src, srcLen, dst, dstCap);
        const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + dstCap, Math.min(end, dst + dstCap + GUARD))];
        expect(outside.every((b) => b === GUARD_BYTE), `round ${round} (${flush} flush): a write outside the destination`).toBe(true);
        if (expected === null) {
          expect([KERNEL_STATUS.TRUNCATED, KERNEL_STATUS.CORRUPT, KERNEL_STATUS.OUTPUT_FULL], `round ${round} (${flush} flush): status ${status}`).toContain(status);
        } else {
          expect(status, `round ${round} (${flush} flush)`).toBe(expected.length);
          expect(heap.subarray(dst, dst + status).every((b, i) => b === expected![i]), `round ${round}: decoded bytes`).toBe(true);
        }
      }
    }
    expect(rans).toBeGreaterThan(100); // most blocks under test are rANS blocks (mode 4)
  });

  it('the encoder stays inside its input and huffmanBound, and refuses a smaller destination', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 53 : 54);
    for (let round = 0; round < 60; round++) {
      const size = Math.floor(next() * 6000);
      const input = skewed(size, 2 + Math.floor(next() * 254), 1 + next() * 3, next() * 0.9, next);
      const bound = k.huffmanBound(size);
      kernels.reset();
      const lead = kernels.alloc(GUARD + bound + GUARD + size + 65536);
      const end = k.memory.buffer.byteLength;
      const src = end - size; // the input flush against the end: a read past it traps
      const dst = lead + GUARD;
      const heap = kernels.heap;
      heap.fill(GUARD_BYTE, dst - GUARD, dst + bound + GUARD);
      heap.set(input, src);
      const blockSize = k.ransEncode(src, size, dst, bound);
      expect(blockSize, `round ${round}`).toBeGreaterThan(0);
      expect(blockSize, `round ${round}`).toBeLessThanOrEqual(size + 5);
      const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + bound, dst + bound + GUARD)];
      expect(outside.every((b) => b === GUARD_BYTE), `round ${round}: a write outside the destination`).toBe(true);
      expect(referenceDecodeRans(heap.slice(dst, dst + blockSize))).toEqual(input);
      expect(k.ransEncode(src, size, dst, bound - 1), `round ${round}: below the bound`).toBe(KERNEL_STATUS.OUTPUT_FULL);
    }
  });
});
