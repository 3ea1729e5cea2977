// Format 1.1's byte stages in the container (docs/FORMAT.md): huffman (an entropy block per byte plane) and palette.
// Chunks the pipeline encodes decode as the readable references (test/reference/stages-1.1.ts) say and round-trip
// through open() in both builds; pack() picks the smallest of its candidates; damaged chunks and pipelines that
// break the rules end in typed errors.
import { describe, expect, it } from 'vitest';
import type { PipelineStage, TensorDtype } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { placeChunks, tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';
import { referenceStages } from './reference/stages-1.1';

const WIDTHS: [TensorDtype, 1 | 2 | 4 | 8][] = [['uint8', 1], ['uint16', 2], ['uint32', 4], ['uint64', 8]];
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Integer draws per element; each element's bytes are the draw's 4 little-endian bytes, repeated to its width. */
const DISTRIBUTIONS: [string, (next: () => number) => number][] = [
  ['uniform', (next) => Math.floor(next() * 2 ** 32)],
  ['skewed', (next) => Math.floor(256 * next() ** 4) * 0x01010101],
  ['geometric', (next) => { let k = 0; while (next() < 0.7 && k < 200) k++; return k; }],
  ['one value', () => 0x3f800000],
  ['two values', (next) => (next() < 0.9 ? 7 : 0xdeadbeef)],
  ['1000 values', (next) => (Math.floor(next() * 1000) * 2654435761) >>> 0],
];

function elements(count: number, width: number, draw: (next: () => number) => number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(count * width);
  for (let i = 0; i < count; i++) {
    const v = draw(next);
    for (let b = 0; b < width; b++) out[i * width + b] = (v >>> (8 * (b % 4))) & 255;
  }
  return out;
}

/** Pipelines of the new stages for elements of `width` bytes (planes 3 leaves bytes over when the length is not a
 *  multiple of 3). */
function pipelinesFor(width: number): PipelineStage[][] {
  const list: PipelineStage[][] = [[{ codec: 'huffman', planes: 1 }], [{ codec: 'huffman', planes: 3 }]];
  if (width > 1) list.push([{ codec: 'shuffle', typesize: width }, { codec: 'huffman', planes: width }]);
  if (width > 1) {
    const palette: PipelineStage = { codec: 'palette', width: width as 2 | 4 | 8 };
    list.push([palette], [palette, { codec: 'huffman', planes: 1 }], [palette, { codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }]);
  }
  return list;
}

/** A .tzip file of one tensor `t` whose chunks are `chunks` (checksums right), placed one after another. */
function fileOf(dtype: TensorDtype, count: number, chunkElements: number, pipeline: PipelineStage[], chunks: Uint8Array[]): Uint8Array {
  const { data, offsets } = placeChunks(chunks);
  return tzipFile((at: number) => ({
    tensors: [tensorEntry('t', dtype, [count], chunks.map((c, k) => [at + offsets[k], c.length, referenceXxh32(c)]), { pipeline, chunkElements })],
  }), data);
}

const CHUNK = 64;
const COUNTS = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, 1000];

describe.each(BUILDS)('format 1.1 stages in the container (%s build)', (_, engine) => {
  describe.each(WIDTHS)('%s elements', (dtype, width) => {
    it.each(pipelinesFor(width).map((p) => [p.map((s) => Object.values(s).join('')).join('+'), p] as const))(
      '%s: every distribution and chunk boundary round-trips, and each chunk decodes as the reference says', async (_name, pipeline) => {
        for (const [distribution, draw] of DISTRIBUTIONS) {
          for (const count of COUNTS) {
            const data = elements(count, width, draw, count + width);
            const chunks: Uint8Array[] = [];
            for (let first = 0; first < count; first += CHUNK) {
              const stored = data.subarray(first * width, Math.min(count, first + CHUNK) * width);
              const chunk = engine.pipeline.encodeChunk(stored, pipeline);
              if (!equalBytes(referenceStages(chunk, pipeline), stored)) expect.fail(`${distribution}, ${count}: chunk at ${first} decodes otherwise by the reference`);
              chunks.push(chunk);
            }
            const got = await (await engine.open(fileOf(dtype, count, CHUNK, pipeline, chunks))).get('t');
            if (!equalBytes(bytesOf(got.data), data)) expect.fail(`${distribution}, ${count} elements: decoded bytes differ`);
          }
        }
      });
  });

  it.each([2, 4, 8] as const)('the palette stage of width %i lists the distinct values in increasing order, 1-byte indices up to 256 entries, u16 past', (width) => {
    for (const distinct of [1, 2, 256, 257, 65536]) {
      // 70,000 elements of `distinct` values spread over the unsigned range of the width (the high words of width 8 too).
      const value = (i: number) => BigInt(((i * 7919) % distinct) * 2654435761 % 2 ** (8 * Math.min(width, 4))) * (width === 8 ? 0x100000001n : 1n);
      const data = new Uint8Array(70000 * width);
      const view = new DataView(data.buffer);
      for (let i = 0; i < 70000; i++) {
        if (width === 8) view.setBigUint64(8 * i, value(i), true);
        else if (width === 4) view.setUint32(4 * i, Number(value(i)), true);
        else view.setUint16(2 * i, Number(value(i)), true);
      }
      const chunk = engine.pipeline.encodeChunk(data, [{ codec: 'palette', width }]);
      const out = new DataView(chunk.buffer, chunk.byteOffset);
      expect(out.getUint32(0, true)).toBe(distinct);
      const entry = (k: number) => (width === 8 ? out.getBigUint64(4 + 8 * k, true) : BigInt(width === 4 ? out.getUint32(4 + 4 * k, true) : out.getUint16(4 + 2 * k, true)));
      const table = Array.from({ length: distinct }, (_, k) => entry(k));
      expect(table).toEqual([...new Set(Array.from({ length: 70000 }, (_, i) => value(i)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(chunk.length).toBe(4 + width * distinct + 70000 * (distinct > 256 ? 2 : 1));
    }
    if (width === 2) return; // 2 bytes hold no more than 65,536 values
    const many = new Uint8Array(65537 * width);
    for (let i = 0; i < 65537; i++) new DataView(many.buffer).setUint32(i * width, i, true);
    expect(() => engine.pipeline.encodeChunk(many, [{ codec: 'palette', width }])).toThrow(/65536 distinct/);
  });
});

describe('format 1.1 stages: the SIMD and scalar builds agree', () => {
  it('pack() writes the same bytes, and both builds decode them to the same values', async () => {
    const next = random(11);
    const tensors = {
      codes: { dtype: 'float32' as const, shape: [96, 128], data: Float32Array.from({ length: 96 * 128 }, () => (next() + next() + next() - 1.5) * 0.1) },
      levels: { dtype: 'float32' as const, shape: [64, 64], data: Float32Array.from({ length: 4096 }, () => Math.floor(next() * 200) * 0.01 - 1) },
      lossless: { dtype: 'float32' as const, shape: [64, 64], data: Float32Array.from({ length: 4096 }, () => (next() - 0.5) * 0.02) },
    };
    const options = { chunkBytes: 4096, rules: [{ match: 'l*', quantize: 'lossless' as const }] };
    const simdFile = await simdEngine.pack(tensors, options);
    expect([...simdFile.subarray(4, 6)], 'format version 1.3').toEqual([1, 3]);
    expect(equalBytes(simdFile, await scalarEngine.pack(tensors, options))).toBe(true);
    const [a, b] = await Promise.all([simdEngine.open(simdFile), scalarEngine.open(simdFile)]);
    const codecs = new Set<string>(a.tensors.flatMap((t) => t.pipeline.map((s) => s.codec)));
    expect(['huffman', 'palette'].filter((c) => codecs.has(c))).toEqual(['huffman', 'palette']);
    for (const name of Object.keys(tensors)) expect(equalBytes(bytesOf((await a.get(name)).data), bytesOf((await b.get(name)).data)), name).toBe(true);
  });
});
