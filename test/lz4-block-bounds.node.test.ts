// The block decoder's safety contract, checked on the kernel itself: for any input it never reads past its source,
// never writes outside [dst, dst + dstCap), and what it decodes is what the reference decoder makes of the same
// bytes. The source (or the destination) is placed flush against the end of WebAssembly memory, so a single byte
// read (or written) past it traps; guard bytes around the destination catch writes anywhere else.
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import { mixed, random, runs, textLike } from './helpers/data';
import { referenceDecodeBlock } from './reference/lz4-block';
import { BUILDS } from './helpers/engines';
import { expectError } from './helpers/errors';
import { compressWithKernel } from './helpers/lz4-kernel';

const GUARD = 64;
const GUARD_BYTE = 0xa5;

/** Runs of random patterns 1–63 bytes long: long matches at every short offset. */
function periodic(size: number, next: () => number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size;) {
    const period = 1 + Math.floor(next() * 63);
    const pattern = Uint8Array.from({ length: period }, () => Math.floor(next() * 256));
    const end = Math.min(size, at + period + Math.floor(next() * 400));
    for (let i = 0; at < end; i++, at++) out[at] = pattern[i % period];
  }
  return out;
}

function decodeOrNull(block: Uint8Array): Uint8Array | null {
  try {
    return referenceDecodeBlock(block);
  } catch {
    return null;
  }
}

describe.each([true, false])('LZ4 block decoder bounds (simd: %s)', (simd) => {
  it('keeps inside its buffers and agrees with the reference on mutated blocks, flush against the end of memory', async () => {
    const kernels = await loadKernels(simd);
    const { exports } = kernels;
    const next = random(simd ? 7 : 8);
    const sources = [textLike(6000, 1), runs(6000, 2), mixed(6000, 3), textLike(300, 4), periodic(6000, next)];
    // Past 64 KiB of output every offset is in reach, and the decoder stops checking them against the window.
    const large = [textLike(90_000, 5), mixed(90_000, 6)];
    for (let round = 0; round < 1200; round++) {
      const input = round % 20 === 0 ? large[(round / 20) % 2] : sources[round % sources.length];
      const block = compressWithKernel(kernels, input);
      const flips = Math.floor(next() * 4); // 0: the valid block itself
      for (let f = 0; f < flips; f++) block[Math.floor(next() * block.length)] ^= 1 << Math.floor(next() * 8);
      const srcLen = next() < 0.3 ? Math.floor(next() * block.length) : block.length;
      const dstCap = next() < 0.5 ? input.length : Math.floor(next() * (input.length + 100));
      const expected = decodeOrNull(block.subarray(0, srcLen));

      // Source flush against the end of memory, destination with guards; then the other way round.
      for (const flush of ['src', 'dst'] as const) {
        kernels.reset();
        const lead = kernels.alloc(GUARD + dstCap + GUARD + srcLen + 65536);
        const end = exports.memory.buffer.byteLength;
        const src = flush === 'src' ? end - srcLen : lead;
        const dst = flush === 'src' ? lead + GUARD : end - dstCap;
        const heap = kernels.heap;
        heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstCap + GUARD));
        heap.set(block.subarray(0, srcLen), src);
        const status = exports.lz4DecompressBlock(src, srcLen, dst, dstCap, 0, 0);
        const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + dstCap, Math.min(end, dst + dstCap + GUARD))];
        expect(outside.every((b) => b === GUARD_BYTE), `round ${round} (${flush} flush): a write outside the destination`).toBe(true);
        if (expected !== null && expected.length <= dstCap) {
          expect(status, `round ${round} (${flush} flush)`).toBe(expected.length);
          expect(heap.subarray(dst, dst + status).every((b, i) => b === expected[i]), `round ${round}: decoded bytes`).toBe(true);
        } else {
          // The reference refuses the block, or its output does not fit: a status, never a length.
          expect(status, `round ${round} (${flush} flush)`).toBeLessThan(0);
        }
      }
    }
  });
});

describe.each([true, false])('LZ4 block decoder near the end of its output (simd: %s)', (simd) => {
  it('writes nothing past the output for a sequence of 31 literals and a short match at every distance from its end', async () => {
    // The fast loop copies literals and matches in whole 16-byte steps past their ends; a sequence of 31 literals
    // followed by a 19-byte match, starting 55–140 bytes before the end of the output, probes its reserve.
    const kernels = await loadKernels(simd);
    const { exports } = kernels;
    const next = random(simd ? 31 : 32);
    const prefix = Array.from({ length: 300 }, () => Math.floor(next() * 256));
    for (let distance = 55; distance <= 140; distance++) {
      const literals = Array.from({ length: 31 }, () => Math.floor(next() * 256));
      const tail = Array.from({ length: distance - 50 }, () => Math.floor(next() * 256));
      const lastToken = tail.length < 15 ? [tail.length << 4] : [0xf0, tail.length - 15];
      const block = Uint8Array.from([
        0xf0, 255, 300 - 15 - 255, ...prefix, 100, 0, // 300 literals, a 4-byte match from 100 back
        0xff, 31 - 15, ...literals, 100, 0, 0, // 31 literals, a 19-byte match from 100 back
        ...lastToken, ...tail, // the last literals
      ]);
      const expected = referenceDecodeBlock(block);
      const dstCap = expected.length;
      kernels.reset();
      const lead = kernels.alloc(block.length + dstCap + 2 * GUARD);
      const end = exports.memory.buffer.byteLength;
      for (const dst of [lead + block.length + GUARD, end - dstCap]) {
        const heap = kernels.heap;
        heap.set(block, lead);
        heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstCap + GUARD));
        expect(exports.lz4DecompressBlock(lead, block.length, dst, dstCap, 0, 0), `distance ${distance}`).toBe(dstCap);
        expect(heap.subarray(dst, dst + dstCap).every((b, i) => b === expected[i]), `distance ${distance}: decoded bytes`).toBe(true);
        const after = heap.subarray(dst + dstCap, Math.min(end, dst + dstCap + GUARD));
        expect(after.every((b) => b === GUARD_BYTE), `distance ${distance}: a write past the output`).toBe(true);
      }
    }
  });

  it('reads nothing past the input when a block ends inside or after a sequence of 31 literals', async () => {
    const kernels = await loadKernels(simd);
    const { exports } = kernels;
    const prefix = Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
    const block = Uint8Array.from([0xf0, 255, 300 - 15 - 255, ...prefix, 100, 0, 0xff, 31 - 15, ...prefix.slice(0, 31), 100, 0, 0]);
    const target = 3 + 300 + 2;
    for (let cut = target + 1; cut <= block.length; cut++) {
      kernels.reset();
      const dst = kernels.alloc(4096);
      const end = exports.memory.buffer.byteLength;
      kernels.heap.set(block.subarray(0, cut), end - cut); // flush against the end of memory: a read past it traps
      const status = exports.lz4DecompressBlock(end - cut, cut, dst, 4096, 0, 0);
      const expected = decodeOrNull(block.subarray(0, cut)); // only a cut right after the 31 literals is a valid block
      if (expected) expect(status, `cut at ${cut}`).toBe(expected.length);
      else expect(status, `cut at ${cut}`).toBeLessThan(0);
    }
  });
});

describe.each([true, false])('LZ4 block decoder below 64 KiB of memory (simd: %s)', (simd) => {
  it('decodes what the reference decodes, with its careful loop alone', async () => {
    // Buffers the facade takes start at 64 KiB; a caller of the kernel may place them lower, where a match's start
    // address could wrap around 0, and the decoder then keeps to its careful loop.
    const kernels = await loadKernels(simd);
    const { exports } = kernels;
    // asconfig.json puts the module's static data at 64 KiB (memoryBase), so the first 64 KiB are free for this.
    const low = 1024;
    expect(exports.heapBase()).toBeGreaterThanOrEqual(65536);
    const next = random(simd ? 21 : 22);
    for (const input of [textLike(9000, 9), mixed(9000, 10), runs(9000, 11)]) {
      const block = compressWithKernel(kernels, input);
      const dst = low + 16384;
      const dstCap = input.length + 100;
      expect(low + block.length).toBeLessThan(dst);
      expect(dst + dstCap).toBeLessThan(65535);
      for (let round = 0; round < 40; round++) {
        const bytes = block.slice();
        const flips = round === 0 ? 0 : 1 + Math.floor(next() * 3);
        for (let f = 0; f < flips; f++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
        const expected = decodeOrNull(bytes);
        kernels.heap.set(bytes, low);
        const status = exports.lz4DecompressBlock(low, bytes.length, dst, dstCap, 0, 0);
        if (expected !== null && expected.length <= dstCap) {
          expect(status).toBe(expected.length);
          expect(kernels.heap.subarray(dst, dst + status).every((b, i) => b === expected[i])).toBe(true);
        } else {
          expect(status).toBeLessThan(0);
        }
      }
    }
  });
});

describe.each(BUILDS)('LZ4 lengths past 2^32 (%s build)', (_, engine) => {
  // 16,843,009 extension bytes of 255 sum to 2^32 − 1: summed on in 32 bits, a length would wrap to a small one and
  // the block would decode "successfully" to the wrong bytes. Such lengths can never fit, so they must fail.
  const wraps = 16_843_009;
  const block = (head: number[], tail: number[]) => {
    const bytes = new Uint8Array(head.length + wraps + tail.length);
    bytes.set(head);
    bytes.fill(255, head.length, head.length + wraps);
    bytes.set(tail, head.length + wraps);
    return bytes;
  };

  it('a literal length that would wrap is TRUNCATED', () => {
    const literals = block([0xf0], [0, ...new Array(14).fill(65)]);
    expectError(() => engine.lz4.decompressBlock(literals, { maxOutputSize: 1 << 20 }), 'TRUNCATED');
  });

  it('a match length that would wrap passes the output limit', () => {
    const match = block([0x1f, 65, 1, 0], [0, 0x50, 66, 66, 66, 66, 66]);
    expectError(() => engine.lz4.decompressBlock(match, { maxOutputSize: 1 << 20 }), 'LIMIT');
  });
});
