// The entropy block decoder's safety contract, checked on the kernel itself: for any input it never reads past its
// source, never writes outside [dst, dst + dstCap), and it returns what the reference decoder makes of the same bytes.
// As in lz4-block-bounds.node.test.ts, the source (or the destination) sits flush against the end of WebAssembly
// memory, so one byte read (or written) past it traps; guard bytes around the destination catch the other writes.
import { describe, expect, it } from 'vitest';
import { KERNEL_STATUS } from '../src/errors';
import { loadKernels } from '../src/wasm/load';
import type { Kernels } from '../src/wasm/kernels';
import { random } from './helpers/data';
import { referenceDecode } from './reference/huffman';

const GUARD = 64;
const GUARD_BYTE = 0xa5;

function encodeWithKernel(kernels: Kernels, input: Uint8Array): Uint8Array {
  const k = kernels.exports;
  kernels.reset();
  const src = kernels.alloc(input.length);
  const dst = kernels.alloc(k.huffmanBound(input.length));
  kernels.heap.set(input, src);
  const size = k.huffmanEncode(src, input.length, dst, k.huffmanBound(input.length));
  if (size < 0) throw new Error(`encode failed: status ${size}`);
  return kernels.heap.slice(dst, dst + size);
}

/** Bytes drawn with weights falling off as 1/(v+1)^skew over `values` byte values. */
function skewed(size: number, values: number, skew: number, next: () => number): Uint8Array {
  const weights = Array.from({ length: values }, (_, v) => 1 / (v + 1) ** skew);
  const total = weights.reduce((a, b) => a + b, 0);
  return Uint8Array.from({ length: size }, () => {
    let u = next() * total;
    for (let v = 0; v < values; v++) if ((u -= weights[v]) < 0) return v;
    return values - 1;
  });
}

function expectedStatus(block: Uint8Array, dstCap: number): number | Uint8Array {
  try {
    const { decoded } = referenceDecode(block, dstCap);
    return decoded;
  } catch (err) {
    const kind = (err as Error).message.split(':')[0] as 'TRUNCATED' | 'CORRUPT' | 'LIMIT';
    return kind === 'LIMIT' ? KERNEL_STATUS.OUTPUT_FULL : KERNEL_STATUS[kind];
  }
}

describe.each([true, false])('entropy block decoder bounds (simd: %s)', (simd) => {
  it('keeps inside its buffers and agrees with the reference on damaged blocks, flush against the end of memory', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 41 : 42);
    for (let round = 0; round < 800; round++) {
      const size = round % 50 === 0 ? 20_000 + Math.floor(next() * 5000) : Math.floor(next() * 700);
      const input = skewed(size, 1 + Math.floor(next() * 256), next() * 3, next);
      const block = encodeWithKernel(kernels, input);
      const flips = Math.floor(next() * 3); // 0: the valid block itself
      for (let f = 0; f < flips; f++) block[Math.floor(next() * block.length)] ^= 1 << Math.floor(next() * 8);
      const srcLen = next() < 0.25 ? Math.floor(next() * block.length) : block.length;
      const dstCap = next() < 0.7 ? size : Math.floor(next() * (size + 50));
      const source = block.subarray(0, srcLen);
      const expected = expectedStatus(source, dstCap);
      for (const flush of ['src', 'dst'] as const) {
        kernels.reset();
        const lead = kernels.alloc(GUARD + dstCap + GUARD + srcLen + 65536);
        const end = k.memory.buffer.byteLength;
        const src = flush === 'src' ? end - srcLen : lead;
        const dst = flush === 'src' ? lead + GUARD : end - dstCap;
        const heap = kernels.heap;
        heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstCap + GUARD));
        heap.set(source, src);
        const status = k.huffmanDecode(src, srcLen, dst, dstCap);
        const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + dstCap, Math.min(end, dst + dstCap + GUARD))];
        expect(outside.every((b) => b === GUARD_BYTE), `round ${round} (${flush} flush): a write outside the destination`).toBe(true);
        if (typeof expected === 'number') {
          expect(status, `round ${round} (${flush} flush)`).toBe(expected);
        } else {
          expect(status, `round ${round} (${flush} flush)`).toBe(expected.length);
          expect(heap.subarray(dst, dst + status).every((b, i) => b === expected[i]), `round ${round}: decoded bytes`).toBe(true);
        }
      }
    }
  });

  it('the encoder stays inside its input and huffmanBound, flush against the end of memory', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 43 : 44);
    for (let round = 0; round < 300; round++) {
      const size = Math.floor(next() * 3000);
      const input = skewed(size, 1 + Math.floor(next() * 256), next() * 3, next);
      const bound = k.huffmanBound(size);
      kernels.reset();
      const src = kernels.alloc(size + 65536);
      const end = k.memory.buffer.byteLength;
      const dst = end - bound;
      kernels.heap.set(input, src);
      const blockSize = k.huffmanEncode(src, size, dst, bound);
      expect(blockSize, `round ${round}`).toBeGreaterThan(0);
      expect(blockSize, `round ${round}`).toBeLessThanOrEqual(size + 5);
      expect(k.huffmanEncode(src, size, dst, bound - 1), `round ${round}: below the bound`).toBe(KERNEL_STATUS.OUTPUT_FULL);
      // And the input flush against the end: the same block.
      const block = kernels.heap.slice(dst, dst + blockSize);
      kernels.heap.set(input, end - size);
      expect(k.huffmanEncode(end - size, size, src + size, bound), `round ${round}: source flush`).toBe(blockSize);
      expect(kernels.heap.subarray(src + size, src + size + blockSize).every((b, i) => b === block[i])).toBe(true);
    }
  });
});
