// pack() picks each tensor's byte stages by size (src/format/pipeline-choice.ts): on a one-chunk tensor the sample is
// the whole tensor, so its chunk must be exactly as small as the smallest candidate encoded by the pipeline itself (a
// rans candidate only when it saves 1/200 of the smallest other, FORMAT.md); and every kind of candidate wins
// somewhere. Quantized codes go through the entropy stage too, and decode to the
// values whose error pack() reports.
import { describe, expect, it } from 'vitest';
import type { PipelineStage, TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { referenceDecodeQ8_0, referenceEncodeQ8_0 } from './reference/ggml';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const next = random(31);
const normal = () => next() + next() + next() - 1.5;
const SPREAD = Int16Array.from({ length: 3000 }, () => Math.floor(next() * 65536) - 32768);

/** The candidates FORMAT.md's writer policy names, for `width`-byte elements, written out here by hand. */
function candidates(width: number, distinct: number, zeros: boolean): PipelineStage[][] {
  const planes: PipelineStage[] = width > 1 ? [{ codec: 'shuffle', typesize: width }] : [];
  const sparse: PipelineStage = { codec: 'sparse', format: 'bitmask', width: width as 1 | 2 | 4 };
  const list: PipelineStage[][] = [[], [...planes, { codec: 'lz4' }], [...planes, { codec: 'huffman', planes: width }]];
  if (zeros) list.push([sparse, { codec: 'lz4' }], [sparse, ...planes, { codec: 'huffman', planes: width }]);
  if (width >= 2 && distinct <= 65536) {
    const palette: PipelineStage = { codec: 'palette', width: width as 2 | 4 | 8 };
    list.push(distinct <= 256 ? [palette, { codec: 'huffman', planes: 1 }] : [palette, { codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }]);
  }
  // Format 1.3: each Huffman pipeline again with context blocks; 1.4: and with rANS blocks.
  const withCoder = (codec: 'huffman_ctx' | 'rans_lanes') => list.filter((p) => p.at(-1)?.codec === 'huffman').map((p) => p.map((s) => (s.codec === 'huffman' ? { codec, planes: s.planes } : s)));
  return [...list, ...withCoder('huffman_ctx'), ...withCoder('rans_lanes')];
}

const TENSORS: [string, TensorInput, string][] = [
  ['skewed bytes', { dtype: 'uint8', shape: [8192], data: Uint8Array.from({ length: 8192 }, () => Math.floor(256 * next() ** 5)) }, 'huffman'],
  ['float32 weights', { dtype: 'float32', shape: [64, 96], data: Float32Array.from({ length: 6144 }, () => normal() * 0.05) }, 'shuffle+huffman'],
  ['float32 of 200 levels (TF.js uint8-quantized)', { dtype: 'float32', shape: [64, 96], data: Float32Array.from({ length: 6144 }, () => Math.round(normal() * 60 + 100) * 0.013 - 1.2) }, 'palette+huffman'],
  ['int16 of 3000 values spread over the range', { dtype: 'int16', shape: [30000], data: Int16Array.from({ length: 30000 }, () => SPREAD[Math.floor(next() * next() * 3000)]) }, 'palette+shuffle+huffman'],
  ['pruned float32 weights', { dtype: 'float32', shape: [64, 96], data: Float32Array.from({ length: 6144 }, () => (next() < 0.9 ? 0 : normal())) }, 'sparse+shuffle+huffman'],
  ['a repeating int32 ramp', { dtype: 'int32', shape: [8192], data: Int32Array.from({ length: 8192 }, (_, i) => (i % 100) * 1000) }, 'shuffle+lz4'],
  ['random bytes', { dtype: 'uint8', shape: [8192], data: Uint8Array.from({ length: 8192 }, () => Math.floor(256 * next())) }, ''],
  // 90% one code: a Huffman code spends a bit on each, rANS about half of that.
  ['codes on one value 90% of the time', { dtype: 'uint8', shape: [8192], data: Uint8Array.from({ length: 8192 }, () => (next() < 0.9 ? 128 : 120 + Math.floor(16 * next()))) }, 'rans_lanes'],
];

describe.each(BUILDS)('pack() chooses the smallest pipeline (%s build)', (_, engine) => {
  it.each(TENSORS)('%s: exactly the smallest candidate, and the same values back', async (name, tensor, winner) => {
    const archive = await engine.open(await engine.pack({ t: tensor }, { quantize: 'lossless', chunkBytes: 1 << 20 }));
    const info = archive.tensors[0];
    const data = bytesOf(tensor.data);
    const width = data.length / tensor.data.length;
    const distinct = new Set(Array.from({ length: tensor.data.length }, (_, i) => data.subarray(i * width, (i + 1) * width).join())).size;
    const zeros = Array.from({ length: tensor.data.length }, (_, i) => data.subarray(i * width, (i + 1) * width).every((b) => b === 0)).filter(Boolean).length;
    const all = candidates(width, distinct, zeros >= tensor.data.length / 2);
    const sizes = (rans: boolean) => all.filter((p) => p.some((s) => s.codec === 'rans_lanes') === rans).map((p) => engine.pipeline.encodeChunk(data, p).length);
    const plain = Math.min(...sizes(false));
    const rans = Math.min(...sizes(true));
    expect(info.encodedBytes, name).toBe(rans < plain - plain / 200 ? rans : plain);
    expect(info.pipeline.map((s) => s.codec).join('+'), name).toBe(winner);
    expect(bytesOf((await archive.get('t')).data)).toEqual(data);
  });

  it('int8, int4 and fp16 codes are entropy-coded, and decode to the error pack() reports', async () => {
    const shape = [128, 256];
    const weights = Float32Array.from({ length: 128 * 256 }, () => normal() * 0.05);
    for (const quantize of ['int8', 'int4', 'fp16'] as const) {
      const archive = await engine.open(await engine.pack({ w: { dtype: 'float32', shape, data: weights } }, { quantize, chunkBytes: 16384 }));
      const info = archive.tensors[0];
      expect(info.pipeline.map((s) => s.codec), quantize).toContain('huffman');
      const got = (await archive.get('w')).data as Float32Array;
      const maxError = got.reduce((m, v, i) => Math.max(m, Math.abs(v - weights[i])), 0);
      expect(maxError, quantize).toBeLessThanOrEqual(info.stats!.maxAbsError);
      expect(maxError, quantize).toBeGreaterThan(0.5 * info.stats!.maxAbsError);
    }
  });

  it('GGML q8_0 blocks given as codes are entropy-coded and decode as the reference', async () => {
    const x = Float32Array.from({ length: 64 * 256 }, () => normal() * 0.05);
    const blocks = referenceEncodeQ8_0(x);
    const archive = await engine.open(await engine.pack({ q: { quantized: { dtype: 'q8_0', shape: [64, 256], data: blocks, scale: null, zeroPoint: null, axis: null, blockSize: null } } }));
    expect(archive.tensors[0].pipeline.map((s) => s.codec)).toContain('huffman');
    expect((await archive.get('q')).data).toEqual(referenceDecodeQ8_0(blocks));
  });

  it('entropy: false keeps every tensor to LZ4 stages (the smaller of none and [shuffle | sparse] + LZ4), values the same', async () => {
    const tensors = Object.fromEntries(TENSORS.map(([name, tensor]) => [name, tensor]));
    const archive = await engine.open(await engine.pack(tensors, { quantize: 'lossless', entropy: false }));
    for (const [name, tensor] of TENSORS) {
      const info = archive.tensors.find((t) => t.name === name)!;
      const data = bytesOf(tensor.data);
      const width = data.length / tensor.data.length;
      const lz4: PipelineStage[] = info.pipeline.some((s) => s.codec === 'sparse')
        ? [{ codec: 'sparse', format: 'bitmask', width: width as 1 | 2 | 4 }, { codec: 'lz4' }]
        : [...(width > 1 ? [{ codec: 'shuffle', typesize: width } as PipelineStage] : []), { codec: 'lz4' }];
      expect(info.encodedBytes, name).toBe(Math.min(data.length, engine.pipeline.encodeChunk(data, lz4).length));
      expect(info.pipeline.every((s) => s.codec !== 'huffman' && s.codec !== 'palette'), name).toBe(true);
      expect(bytesOf((await archive.get(name)).data), name).toEqual(data);
    }
  });

  it('short rows (anchor boxes [n, 4]) are tried shuffled whole + LZ4, and that wins where rows repeat field by field', async () => {
    const boxes: number[] = [];
    for (let y = 0; y < 19; y++) for (let x = 0; x < 19; x++) for (const [h, w] of [[0.1, 0.1], [0.14, 0.07], [0.07, 0.14], [0.2, 0.2]]) {
      boxes.push((y + 0.5) / 19 - h / 2, (x + 0.5) / 19 - w / 2, (y + 0.5) / 19 + h / 2, (x + 0.5) / 19 + w / 2);
    }
    const tensor = { dtype: 'float32', shape: [boxes.length / 4, 4], data: Float32Array.from(boxes) } as const;
    const data = bytesOf(tensor.data);
    const archive = await engine.open(await engine.pack({ anchors: tensor }, { quantize: 'lossless' }));
    const rows: PipelineStage[] = [{ codec: 'shuffle', typesize: 16 }, { codec: 'lz4' }];
    expect(archive.tensors[0].pipeline).toEqual(rows);
    const others = candidates(4, new Set(boxes.map(Math.fround)).size, false).map((p) => engine.pipeline.encodeChunk(data, p).length);
    expect(archive.tensors[0].encodedBytes).toBe(engine.pipeline.encodeChunk(data, rows).length);
    expect(archive.tensors[0].encodedBytes).toBeLessThan(Math.min(...others) / 2);
    expect(bytesOf((await archive.get('anchors')).data)).toEqual(data);
  });

  it('a tensor of one value in many chunks keeps within the reader\'s bound (not a Huffman run; rANS of its palette indices fits it)', async () => {
    const data = new Float32Array(1 << 16).fill(0.5);
    const archive = await engine.open(await engine.pack({ z: { dtype: 'float32', shape: [1 << 16], data } }, { quantize: 'lossless', chunkBytes: 1 << 16 }));
    // open() refuses chunks shorter than their pipeline's bound (FORMAT.md, Limits): the file opening is the check.
    // A constant's run block is past it; a rANS block of the palette's indices (a byte of frequency 4095) is within it.
    expect(archive.tensors[0].pipeline.map((s) => s.codec)).toEqual(['palette', 'rans_lanes']);
    const lz4 = engine.pipeline.encodeChunk(bytesOf(data.subarray(0, 1 << 14)), [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }]);
    expect(archive.tensors[0].encodedBytes).toBeLessThan(4 * lz4.length);
    expect(equalBytes(bytesOf((await archive.get('z')).data), bytesOf(data))).toBe(true);
  });
});
