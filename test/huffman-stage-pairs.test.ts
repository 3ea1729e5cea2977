// The huffman stage of 2 or more planes decodes its blocks two at a time (assembly/huffman_decode.ts,
// huffmanDecodePair): their eight streams side by side. Checked here on the kernel: whatever the blocks' modes (raw,
// run, huffman) and whatever damage (flipped bits in either block, a truncated stage, a small destination), it keeps
// inside its buffers and gives exactly what the reference decodes the blocks one after another to — the bytes, or the
// status of the first block that fails (test/reference/stages-1.1.ts). The source (or the destination) sits flush
// against the end of WebAssembly memory, so one byte read (or written) past it traps.
import { describe, expect, it } from 'vitest';
import { KERNEL_STATUS } from '../src/errors';
import { encodeChunk } from '../src/codecs/pipeline/encode';
import { loadKernels } from '../src/wasm/load';
import { random } from './helpers/data';
import { referenceHuffmanStage } from './reference/stages-1.1';

const GUARD = 64;
const GUARD_BYTE = 0xa5;
const OP_HUFFMAN = 18;
/** Where a stage's blocks start: after the (planes − 1) u32 block lengths. */
const blocksAt = (planes: number) => 4 * (planes - 1);

/** A plane of `size` bytes: skewed over a few dozen values (a huffman block), one value (a run) or noise (raw). */
function plane(size: number, kind: number, next: () => number): Uint8Array {
  if (kind === 0) return Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
  if (kind === 1) return new Uint8Array(size).fill(Math.floor(next() * 256));
  const values = 2 + Math.floor(next() * 60);
  const skew = 1 + next() * 4;
  return Uint8Array.from({ length: size }, () => Math.floor(next() ** skew * values));
}

function expected(stage: Uint8Array, planes: number, dstCap: number): Uint8Array | number {
  try {
    return referenceHuffmanStage(stage, planes, dstCap);
  } catch (err) {
    const kind = (err as Error).message.split(':')[0] as 'TRUNCATED' | 'CORRUPT' | 'LIMIT';
    return kind === 'LIMIT' ? KERNEL_STATUS.OUTPUT_FULL : KERNEL_STATUS[kind];
  }
}

describe.each([true, false])('huffman stage, blocks decoded in pairs (simd: %s)', (simd) => {
  it('gives the reference bytes or its status for every mix of modes and damage, inside its buffers', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 61 : 62);
    let decoded = 0;
    for (let round = 0; round < 400; round++) {
      const planes = 2 + Math.floor(next() * 15);
      // Mostly huffman blocks (the pair path), sometimes a raw or run block beside one (the one-by-one path).
      const size = round % 40 === 0 ? 4000 + Math.floor(next() * 4000) : Math.floor(next() * 600);
      const kinds = Array.from({ length: planes }, () => (next() < 0.8 ? 2 : Math.floor(next() * 2)));
      const bytes = new Uint8Array(size * planes);
      kinds.forEach((kind, p) => bytes.set(plane(size, kind, next), p * size));
      const stage = encodeChunk(kernels, bytes, [{ codec: 'huffman', planes }]);
      // Damage: none, flips anywhere or in the first two blocks, or a shorter stage.
      const damage = round % 4;
      if (damage === 1) for (let f = 1 + Math.floor(next() * 3); f > 0; f--) stage[Math.floor(next() * stage.length)] ^= 1 << Math.floor(next() * 8);
      if (damage === 2) {
        // A flip in the first block, and one in the second's header and code lengths (or not): the pair's statuses.
        const firstLength = stage[0] | (stage[1] << 8) | (stage[2] << 16) | (stage[3] << 24);
        const second = blocksAt(planes) + firstLength;
        for (const at of [blocksAt(planes) + Math.floor(next() * firstLength), second + Math.floor(next() * 30)]) {
          if (at < stage.length && next() < 0.8) stage[at] ^= 1 << Math.floor(next() * 8);
        }
      }
      const source = damage === 3 ? stage.subarray(0, Math.floor(next() * stage.length)) : stage;
      const dstCap = next() < 0.8 ? bytes.length : Math.floor(next() * (bytes.length + 20));
      const want = expected(source, planes, dstCap);
      if (typeof want !== 'number') decoded++;
      for (const flush of ['src', 'dst'] as const) {
        kernels.reset();
        const program = kernels.alloc(32);
        const lead = kernels.alloc(GUARD + dstCap + GUARD + source.length + 65536);
        const end = k.memory.buffer.byteLength;
        const src = flush === 'src' ? end - source.length : lead;
        const dst = flush === 'src' ? lead + GUARD : end - dstCap;
        const heap = kernels.heap;
        heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstCap + GUARD));
        heap.set(source, src);
        new Int32Array(heap.buffer, program, 8).set([OP_HUFFMAN, planes, 0, 0, 0, 0, 0, 0]);
        const status = k.decodeChunk(program, 1, src, source.length, 0, 0, 0, dst, dstCap, 0);
        const what = `round ${round} (${planes} planes, modes ${kinds.join('')}, damage ${damage}, ${flush} flush)`;
        const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + dstCap, Math.min(end, dst + dstCap + GUARD))];
        expect(outside.every((b) => b === GUARD_BYTE), `${what}: a write outside the destination`).toBe(true);
        if (typeof want === 'number') {
          expect(status, what).toBe(want);
        } else {
          expect(status, what).toBe(want.length);
          expect(heap.subarray(dst, dst + status).every((b, i) => b === want[i]), `${what}: decoded bytes`).toBe(true);
        }
      }
    }
    expect(decoded, 'rounds whose stage decodes').toBeGreaterThan(100);
  });
});
