// open + getAll on any bytes, with chunk checksums off so damaged chunks reach the decoders. Both builds agree;
// every tensor's data matches its shape; opened with checksums on, the same file gives the same tensors or CHECKSUM.
// Mutations keep the prefix, footer and index checksums right (repair), so they reach the index and the chunks.
import { referenceXxh32 } from '../../reference/xxh32';
import { attempt, DAMAGED_DATA, expectConsistent, expectSame, FuzzFailure, offsetView, sameOutcome, type Engines, type FuzzTarget, type JsonSpan } from '../target';
import type { Engine } from '../../../src/index';
import { concat } from '../mutate-bytes';

// LZ4 (255x) under a bitmask of float32 zeros (32x): the most a chunk can legitimately expand; times 8, as chunks
// sharing a range (format 1.2) may count up to 8 × the file's size over their uses.
const EXPANSION = 8 * 8192;

/** Every tensor of the file; each one the index lists must come out (a name like __proto__ may not vanish). */
async function getAll(engine: Engine, bytes: Uint8Array, verify: boolean) {
  const archive = await engine.open(bytes, { verify });
  const all = await archive.getAll();
  if (Object.keys(all).length !== archive.tensors.length) {
    throw new FuzzFailure('open+getAll: fewer tensors than archive.tensors lists', archive.tensors.map((t) => t.name).join(', '));
  }
  return all;
}

function location(bytes: Uint8Array): { offset: number; length: number } | undefined {
  if (bytes.length < 64) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefixOffset = Number(view.getBigUint64(8, true));
  const at = prefixOffset !== 0 ? 8 : bytes.length - 32;
  const offset = Number(view.getBigUint64(at, true));
  const length = Number(view.getBigUint64(at + 8, true));
  return offset + length <= bytes.length ? { offset, length } : undefined;
}

/** Rewrites the index checksum in the prefix (when it gives the location) and the footer, and their own checksums. */
function repair(input: Uint8Array): Uint8Array {
  const where = location(input);
  if (where === undefined) return input;
  const bytes = input.slice();
  const view = new DataView(bytes.buffer);
  const sum = referenceXxh32(bytes.subarray(where.offset, where.offset + where.length));
  if (view.getBigUint64(8, true) !== 0n) view.setUint32(24, sum, true);
  view.setUint32(28, referenceXxh32(bytes.subarray(0, 28)), true);
  const footer = bytes.length - 32;
  view.setUint32(footer + 16, sum, true);
  view.setUint32(footer + 24, referenceXxh32(bytes.subarray(footer, footer + 24)), true);
  return bytes;
}

/** The index text; edited text goes back in place (padded with spaces) or, when longer, after the chunks. */
function json(bytes: Uint8Array): JsonSpan | undefined {
  const where = location(bytes);
  if (where === undefined) return undefined;
  return {
    text: new TextDecoder().decode(bytes.subarray(where.offset, where.offset + where.length)),
    rebuild(text) {
      const index = new TextEncoder().encode(text);
      const out = bytes.slice();
      if (index.length <= where.length) {
        out.fill(0x20, where.offset, where.offset + where.length);
        out.set(index, where.offset);
        return repair(out);
      }
      const footer = out.slice(out.length - 32);
      const view = new DataView(footer.buffer);
      view.setBigUint64(0, BigInt(out.length - 32), true);
      view.setBigUint64(8, BigInt(index.length), true);
      const moved = concat(out.subarray(0, out.length - 32), index, footer);
      new DataView(moved.buffer).setBigUint64(8, 0n, true); // the prefix no longer gives the location
      new DataView(moved.buffer).setBigUint64(16, 0n, true);
      new DataView(moved.buffer).setUint32(24, 0, true);
      return repair(moved);
    },
  };
}

const floats = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed) * (i % 7 === 0 ? 0 : 1));

export const container: FuzzTarget = {
  name: 'container',
  async seeds({ simd }: Engines) {
    const tensors = {
      'conv.weight': { dtype: 'float32' as const, shape: [8, 3, 3, 3], data: floats(216, 1) },
      'fc.bias': { dtype: 'float32' as const, shape: [10], data: floats(10, 2) },
      ids: { dtype: 'int64' as const, shape: [6], data: BigInt64Array.of(0n, 1n, 2n, 3n, -4n, 5n) },
      mask: { dtype: 'bool' as const, shape: [2, 3], data: Uint8Array.of(1, 0, 0, 1, 1, 0) },
      half: { dtype: 'float16' as const, shape: [4], data: Uint16Array.of(0x3c00, 0, 0x8000, 0x7c00) },
    };
    const sparse = { pruned: { dtype: 'float32' as const, shape: [32, 64], data: floats(2048, 3).map((v, i) => (i % 3 ? 0 : v)) } };
    return Promise.all([
      simd.pack(tensors, { metadata: { source: 'fuzz seed' } }),
      simd.pack({ ...tensors, big: { dtype: 'float32', shape: [40, 40], data: floats(1600, 4) } }, { quantize: 'int4', chunkBytes: 4096 }),
      simd.pack({ big: { dtype: 'float32', shape: [40, 40], data: floats(1600, 5) } }, { quantize: 'int8', chunkBytes: 4096 }),
      simd.pack({ big: { dtype: 'float32', shape: [40, 40], data: floats(1600, 6) } }, { quantize: 'fp16' }),
      simd.pack(sparse),
      simd.pack({}),
      // Format 1.1's stages: palettes with 1- and 2-byte indices, Huffman planes, sparse + Huffman.
      simd.pack({
        levels: { dtype: 'float32', shape: [32, 64], data: floats(2048, 7).map((v) => Math.round(v * 6) / 4) },
        wide: { dtype: 'int16', shape: [4096], data: Int16Array.from({ length: 4096 }, (_, i) => Math.floor(600 * ((Math.sin(i * i) + 1) / 2) ** 3) * 97 - 30000) },
        weights: { dtype: 'float32', shape: [32, 64], data: floats(2048, 8).map((v, i) => v * 0.01 * (i % 5)) },
        pruned: { dtype: 'float32', shape: [32, 64], data: floats(2048, 9).map((v, i) => (Math.sin(i * i) > -0.2 ? 0 : v)) },
      }, { quantize: 'lossless', chunkBytes: 4096 }),
      simd.pack({ // format 1.1: TF.js codes, and float32 values that are exact float16 values
        codes: { quantized: { dtype: 'tfjs_uint8', shape: [40, 40], data: Uint8Array.from(floats(1600, 7), (v) => (v * 99) & 255), scale: 0.01, min: -1.2 } },
        wide: { quantized: { dtype: 'tfjs_uint16', shape: [300], data: Uint16Array.from(floats(300, 8), (v) => (v * 9999) & 0xffff), scale: 1e-4, min: -3 } },
        halves: { dtype: 'float32', shape: [64], data: simd.quant.decodeFloat16(simd.quant.encodeFloat16(floats(64, 9))) },
      }, { chunkBytes: 4096 }),
      // Format 1.2: HWIO codes whose channels (last) differ in spread, regrouped with a Huffman code per group.
      simd.pack({
        conv: { dtype: 'uint8', shape: [3, 3, 32, 48], data: Uint8Array.from(floats(13824, 10), (v, i) => 128 + Math.round(v * (1 + (((i % 48) * 37) % 48)))) },
      }, { quantize: 'lossless' }),
      // Format 1.4: codes on one value 90% of the time, rANS blocks (the rans stage) with one and two tables.
      simd.pack({
        skewed: { dtype: 'uint8', shape: [4096], data: Uint8Array.from(floats(4096, 11), (v, i) => (i % 10 ? 7 : 7 + Math.round(v * 5))) },
        planes: { dtype: 'int16', shape: [3000], data: Int16Array.from(floats(3000, 12), (v, i) => (i % 9 ? 0 : Math.round(v * 3)) * 256) },
      }, { quantize: 'lossless', chunkBytes: 4096 }),
      // Format 1.6: int8 codes whose rows repeat every 24 bytes (a feature drifting over frames), the predict stage.
      simd.pack({
        frames: { dtype: 'int8', shape: [16, 384], data: (() => {
          const walk = floats(6144, 13);
          return Int8Array.from(walk, (v, i) => Math.round(40 * Math.sin(i % 24) + 3 * v + 2 * Math.floor(i / 24) % 5));
        })() },
      }, { quantize: 'lossless', chunkBytes: 4096 }),
    ]);
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => getAll(simd, offsetView(bytes), false), DAMAGED_DATA, 'open+getAll', bytes.length, EXPANSION);
    const b = await attempt(() => getAll(scalar, bytes, false), DAMAGED_DATA, 'open+getAll (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'open+getAll');
    if (!a.ok) return a.outcome;
    for (const [name, t] of Object.entries(a.value)) expectConsistent(name, t, 'open+getAll');
    const verified = await attempt(() => getAll(simd, bytes, true), DAMAGED_DATA, 'open+getAll verified', bytes.length, EXPANSION);
    if (verified.ok) expectSame(verified.value, a.value, 'open+getAll: verified and unverified values differ');
    else if (!verified.outcome.startsWith('CHECKSUM')) throw new FuzzFailure(`open+getAll: verified gives ${verified.outcome.split(':')[0]}, unverified OK`);
    return 'OK';
  },
  json,
  repair,
};
