// The safety contract of the kernels that read untrusted bytes (sparse unpacking, unshuffling, the fused chunk
// decoder), checked on the kernels themselves: for any input they never read past their source, never write outside
// their destination, and a valid input decodes to the original. As in lz4-block-bounds.node.test.ts, the source (or
// the destination) sits flush against the end of WebAssembly memory, so one byte read (or written) past it traps,
// and guard bytes catch writes anywhere else. The LZ4 block decoder has its own file.
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import type { Kernels } from '../src/wasm/kernels';
import { floatWeights, random } from './helpers/data';
import { encodeChunk } from '../src/codecs/pipeline/encode';
import type { PipelineStage } from '../src/codecs/pipeline';

const GUARD = 64;
const GUARD_BYTE = 0xa5;

type Call = (src: number, dst: number, scratch: number) => number;

/**
 * Runs `call` twice, with `source` flush against the end of memory and then the `dstBytes` destination flush against
 * it; checks the guards around the destination each time. `scratchBytes` of scratch are taken first (the call must not
 * allocate: growing memory would move its end). Returns the status and the destination bytes of each run.
 */
function runFlush(kernels: Kernels, source: Uint8Array, dstBytes: number, call: Call, what: string, scratchBytes = 0):
  { status: number; out: Uint8Array }[] {
  const runs: { status: number; out: Uint8Array }[] = [];
  for (const flush of ['src', 'dst'] as const) {
    kernels.reset();
    const scratch = kernels.alloc(scratchBytes);
    const lead = kernels.alloc(GUARD + dstBytes + GUARD + source.length + 65536);
    const end = kernels.exports.memory.buffer.byteLength;
    const src = flush === 'src' ? end - source.length : lead;
    const dst = flush === 'src' ? lead + GUARD : end - dstBytes;
    const heap = kernels.heap;
    heap.fill(GUARD_BYTE, dst - GUARD, Math.min(end, dst + dstBytes + GUARD));
    heap.set(source, src);
    const status = call(src, dst, scratch);
    expect(kernels.exports.memory.buffer.byteLength, `${what}: memory grew during the call`).toBe(end);
    const outside = [...heap.subarray(dst - GUARD, dst), ...heap.subarray(dst + dstBytes, Math.min(end, dst + dstBytes + GUARD))];
    expect(outside.every((b) => b === GUARD_BYTE), `${what} (${flush} flush): a write outside the destination`).toBe(true);
    runs.push({ status, out: heap.slice(dst, dst + dstBytes) });
  }
  return runs;
}

/** `count` elements of `width` bytes, about 70% of them zero (all bits), the rest arbitrary. */
function sparseElements(count: number, width: number, next: () => number): Uint8Array {
  const bytes = new Uint8Array(count * width);
  for (let i = 0; i < count; i++) {
    if (next() < 0.7) continue;
    for (let b = 0; b < width; b++) bytes[i * width + b] = Math.floor(next() * 256);
    bytes[i * width] |= 1; // non-zero for sure
  }
  return bytes;
}

/** Packs `bytes` with a kernel into scratch memory and returns a copy of the packed form. */
function packWith(kernels: Kernels, bytes: Uint8Array, capacity: number, pack: (src: number, dst: number, cap: number) => number): Uint8Array {
  kernels.reset();
  const src = kernels.alloc(bytes.length);
  const dst = kernels.alloc(capacity);
  kernels.heap.set(bytes, src);
  const size = pack(src, dst, capacity);
  if (size < 0) throw new Error(`pack failed: status ${size}`);
  return kernels.heap.slice(dst, dst + size);
}

function mutate(packed: Uint8Array, next: () => number): Uint8Array {
  const bytes = packed.slice();
  const flips = Math.floor(next() * 4); // 0: the valid form itself
  for (let f = 0; f < flips && bytes.length > 0; f++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
  return next() < 0.2 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
}

const WIDTHS = [1, 2, 4];

describe.each([true, false])('kernels that read untrusted bytes (simd: %s)', (simd) => {
  it('bitmask, CSR and 2:4 unpacking stay inside their buffers and restore valid input exactly', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 21 : 22);
    for (let round = 0; round < 600; round++) {
      const width = WIDTHS[round % 3];
      const rows = 1 + Math.floor(next() * 40);
      const cols = 4 * (1 + Math.floor(next() * 30));
      const count = rows * cols;
      const dense = sparseElements(count, width, next);
      const cap = next() < 0.7 ? count : Math.floor(next() * count);
      // 2:4 needs at most two non-zeros in every group of four: keep the first two of each.
      const pruned = dense.slice();
      for (let g = 0; g < count; g += 4) {
        let kept = 0;
        for (let i = g; i < g + 4; i++) {
          const nonZero = pruned.subarray(i * width, (i + 1) * width).some((b) => b !== 0);
          if (nonZero && ++kept > 2) pruned.fill(0, i * width, (i + 1) * width);
        }
      }
      const forms: [string, Uint8Array][] = [
        ['bitmask', packWith(kernels, dense, count * width + count, (s, d, c) => k.bitmaskPack(s, count, width, d, c))],
        ['csr', packWith(kernels, dense, count * (width + 10) + rows * 5, (s, d, c) => k.csrPack(s, rows, cols, width, d, c))],
        ['2:4', packWith(kernels, pruned, count * width, (s, d, c) => k.pack24(s, count, width, d, c))],
      ];
      for (const [name, packed] of forms) {
        const bytes = mutate(packed, next);
        const unchanged = bytes.length === packed.length && bytes.every((b, i) => b === packed[i]);
        const call: Call = name === 'bitmask' ? (s, d) => k.bitmaskUnpack(s, bytes.length, count, width, d, cap)
          : name === 'csr' ? (s, d) => k.csrUnpack(s, bytes.length, rows, cols, width, d, cap)
          : (s, d) => k.unpack24(s, bytes.length, count, width, d, cap);
        const original = name === '2:4' ? pruned : dense;
        for (const { status, out } of runFlush(kernels, bytes, cap * width, call, `round ${round} ${name}`)) {
          expect(status, `round ${round} ${name}`).toBeLessThanOrEqual(cap);
          if (unchanged && cap === count) {
            expect(status, `round ${round} ${name}: the valid form`).toBe(count);
            expect(out.every((b, i) => b === original[i]), `round ${round} ${name}: restored bytes`).toBe(true);
          }
        }
      }
    }
  });

  it('byte and bit unshuffling stay inside their buffers for every length, typesize and capacity', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 23 : 24);
    for (let round = 0; round < 300; round++) {
      const typesize = 1 + Math.floor(next() * 16);
      const bytes = Uint8Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * 256));
      const cap = next() < 0.7 ? bytes.length : Math.floor(next() * (bytes.length + 40));
      for (const [name, unshuffle] of [['byte', k.byteUnshuffle], ['bit', k.bitUnshuffle]] as const) {
        for (const { status } of runFlush(kernels, bytes, cap, (s, d) => unshuffle(s, bytes.length, d, cap, typesize), `round ${round} ${name}`)) {
          if (cap >= bytes.length) expect(status, `round ${round} ${name}`).toBe(bytes.length);
          else expect(status, `round ${round} ${name}: no room`).toBeLessThan(0);
        }
      }
    }
  });

  it('the fused chunk decoder (LZ4 → byte unshuffle) stays inside source, scratch and destination', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 25 : 26);
    const STAGE_BYTES = 32;
    for (let round = 0; round < 300; round++) {
      const count = 1 + Math.floor(next() * 8000);
      const weights = floatWeights(count, round);
      // Shuffle, then LZ4, with the kernels themselves: the chunk a container would store.
      const shuffled = packWith(kernels, weights, weights.length, (s, d, c) => k.byteShuffle(s, weights.length, d, c, 4));
      const block = packWith(kernels, shuffled, k.lz4Bound(shuffled.length), (s, d, c) => k.lz4CompressBlock(s, shuffled.length, d, c, 1));
      const bytes = mutate(block, next);
      const unchanged = bytes.length === block.length && bytes.every((b, i) => b === block[i]);
      const scratchCap = next() < 0.8 ? weights.length : Math.floor(next() * weights.length);
      const dstCap = next() < 0.8 ? weights.length : Math.floor(next() * weights.length);
      const runs = runFlush(kernels, bytes, dstCap, (src, dst, scratchArea) => {
        // The program, then the scratch buffer between guards.
        const program = scratchArea;
        const scratch = scratchArea + 2 * STAGE_BYTES + GUARD;
        const heap = kernels.heap;
        heap.fill(GUARD_BYTE, scratch - GUARD, scratch + scratchCap + GUARD);
        new Int32Array(heap.buffer, program, 16).set([1, 0, 0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0]);
        const status = k.decodeChunk(program, 2, src, bytes.length, scratch, scratch, scratchCap, dst, dstCap, 0);
        const around = [...heap.subarray(scratch - GUARD, scratch), ...heap.subarray(scratch + scratchCap, scratch + scratchCap + GUARD)];
        expect(around.every((b) => b === GUARD_BYTE), `round ${round}: a write outside the scratch buffer`).toBe(true);
        return status;
      }, `round ${round} chunk`, 2 * STAGE_BYTES + GUARD + scratchCap + GUARD);
      for (const { status, out } of runs) {
        expect(status, `round ${round}`).toBeLessThanOrEqual(dstCap);
        if (unchanged && scratchCap === weights.length && dstCap === weights.length) {
          expect(status, `round ${round}: the valid chunk`).toBe(weights.length);
          expect(out.every((b, i) => b === weights[i]), `round ${round}: restored weights`).toBe(true);
        }
      }
    }
  });

  it('the huffman (op 18) and palette (op 19) stages stay inside source and destination', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 27 : 28);
    const stages: [PipelineStage, number, number][] = [
      [{ codec: 'huffman', planes: 1 }, 18, 1], [{ codec: 'huffman', planes: 4 }, 18, 4], [{ codec: 'huffman', planes: 3 }, 18, 3],
      [{ codec: 'palette', width: 2 }, 19, 2], [{ codec: 'palette', width: 4 }, 19, 4], [{ codec: 'palette', width: 8 }, 19, 8],
    ];
    for (let round = 0; round < 300; round++) {
      const [stage, op, p0] = stages[round % stages.length];
      const width = op === 19 ? p0 : 4;
      // `count` elements drawn (skewed) from `levels` distinct values: palettes of 1- and 2-byte indices, skewed bytes.
      const count = Math.floor(next() * 3000);
      const levels = 1 + Math.floor(next() * (round % 2 ? 40 : 600));
      const table = Uint8Array.from({ length: levels * width }, () => Math.floor(next() * 256));
      const bytes = new Uint8Array(count * width);
      for (let i = 0; i < count; i++) {
        const v = Math.floor(next() ** 2 * levels);
        bytes.set(table.subarray(v * width, (v + 1) * width), i * width);
      }
      const chunk = encodeChunk(kernels, bytes, [stage]);
      const input = mutate(chunk, next);
      const unchanged = input.length === chunk.length && input.every((b, i) => b === chunk[i]);
      const dstCap = next() < 0.8 ? bytes.length : Math.floor(next() * (bytes.length + 16));
      for (const { status, out } of runFlush(kernels, input, dstCap, (src, dst, program) => {
        new Int32Array(kernels.heap.buffer, program, 8).set([op, p0, 0, 0, 0, 0, 0, 0]);
        return k.decodeChunk(program, 1, src, input.length, 0, 0, 0, dst, dstCap, 0);
      }, `round ${round} ${stage.codec}`, 32)) {
        expect(status, `round ${round}`).toBeLessThanOrEqual(dstCap);
        if (unchanged && dstCap >= bytes.length) {
          expect(status, `round ${round}: the valid chunk`).toBe(bytes.length);
          expect(out.subarray(0, bytes.length).every((b, i) => b === bytes[i]), `round ${round}: restored bytes`).toBe(true);
        }
      }
    }
  });

  it('the regroup stage (op 22) stays inside source and destination, for any labels, runs and lengths', async () => {
    const kernels = await loadKernels(simd);
    const k = kernels.exports;
    const next = random(simd ? 29 : 30);
    for (let round = 0; round < 300; round++) {
      const groups = ([2, 4, 8, 16] as const)[(round >> 1) % 4];
      // Odd rounds: mostly run 1 and a multiple of 16 channels (the writer's equal groups: the SIMD build's whole rows).
      const rows = round % 2 === 1;
      const channels = rows ? 16 * (1 + Math.floor(next() ** 2 * 64)) : 1 + Math.floor(next() ** 2 * (round % 10 === 0 ? 65536 : 300));
      const run = rows && next() < 0.7 ? 1 : 1 + Math.floor(next() ** 4 * 50);
      const count = Math.floor(next() * (rows ? 20000 : 5000));
      const bytes = Uint8Array.from({ length: count }, (_, i) => 128 + Math.floor((next() - 0.5) * (1 + (Math.floor(i / run) % channels))));
      const chunk = encodeChunk(kernels, bytes, [{ codec: 'regroup', groups, channels, run }]);
      const input = mutate(chunk, next);
      const unchanged = input.length === chunk.length && input.every((b, i) => b === chunk[i]);
      const dstCap = next() < 0.8 ? bytes.length : Math.floor(next() * (bytes.length + 16));
      for (const { status, out } of runFlush(kernels, input, dstCap, (src, dst, program) => {
        new Int32Array(kernels.heap.buffer, program, 8).set([22, groups, channels, run, 0, 0, 0, 0]);
        return k.decodeChunk(program, 1, src, input.length, 0, 0, 0, dst, dstCap, 0);
      }, `round ${round} regroup ${groups}/${channels}/${run}`, 32)) {
        expect(status, `round ${round}`).toBeLessThanOrEqual(dstCap);
        if (unchanged && dstCap >= bytes.length) {
          expect(status, `round ${round}: the valid chunk`).toBe(bytes.length);
          expect(out.subarray(0, bytes.length).every((b, i) => b === bytes[i]), `round ${round}: restored bytes`).toBe(true);
        }
      }
    }
  });
});
