import { describe, expect, it } from 'vitest';
import type { PipelineStage, QuantDtype } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';

const SHAPE = [64, 96];
const COUNT = 64 * 96;

/** Weights ~ N(0, 0.05) with 70% of them pruned to zero. */
function prunedWeights(seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: COUNT }, () => (next() < 0.7 ? 0 : (next() + next() + next() - 1.5) * 0.1));
}

interface Case {
  name: string;
  dtype: QuantDtype;
  quantize?: { axis?: number; blockSize?: number };
  stages: PipelineStage[];
  /** Elements per chunk: chunks start at multiples of it. */
  chunk: number;
}

const CASES: Case[] = [
  { name: 'float32 → shuffle → lz4', dtype: 'float32', stages: [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }], chunk: 1000 },
  { name: 'float32 → sparse bitmask → lz4', dtype: 'float32', stages: [{ codec: 'sparse', format: 'bitmask', width: 4 }, { codec: 'lz4' }], chunk: 2048 },
  { name: 'float32 → sparse csr', dtype: 'float32', stages: [{ codec: 'sparse', format: 'csr', width: 4 }], chunk: 3072 },
  { name: 'float16 → bitshuffle → lz4', dtype: 'float16', stages: [{ codec: 'bitshuffle', typesize: 2 }, { codec: 'lz4' }], chunk: 1536 },
  { name: 'bfloat16 → sparse bitmask → shuffle → lz4', dtype: 'bfloat16', stages: [{ codec: 'sparse', format: 'bitmask', width: 2 }, { codec: 'shuffle', typesize: 2 }, { codec: 'lz4' }], chunk: 4096 },
  { name: 'int8 per row → sparse bitmask → lz4', dtype: 'int8', quantize: { axis: 0 }, stages: [{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'lz4' }], chunk: 500 },
  { name: 'uint8 per tensor → delta → lz4', dtype: 'uint8', stages: [{ codec: 'delta', width: 1 }, { codec: 'lz4' }], chunk: 2000 },
  { name: 'int4 blocks of 32 → lz4', dtype: 'int4', quantize: { axis: 1, blockSize: 32 }, stages: [{ codec: 'lz4' }], chunk: 1024 },
  { name: 'uint4 per column → no stage', dtype: 'uint4', quantize: { axis: 1 }, stages: [], chunk: 96 * 8 },
  { name: 'float8e4m3fn → lz4', dtype: 'float8e4m3fn', stages: [{ codec: 'lz4' }], chunk: 777 },
  { name: 'q4_0 → lz4', dtype: 'q4_0', stages: [{ codec: 'lz4' }], chunk: 96 * 4 },
  { name: 'q8_0 → delta 2 → lz4', dtype: 'q8_0', stages: [{ codec: 'delta', width: 2 }, { codec: 'lz4' }], chunk: 96 * 2 },
];

describe.each(BUILDS)('chunk pipelines (%s build)', (_, { quant, pipeline, shuffle, sparse, lz4 }) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: chunk by chunk, the same values as quant.dequantize', (_name, c) => {
    const weights = prunedWeights(c.name.length);
    const q = quant.quantize(weights, { dtype: c.dtype, shape: SHAPE, ...c.quantize });
    const expected = quant.dequantize(q);
    const codes = new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
    const bytesPerElement = codes.length / COUNT; // 4, 2, 1, ½, or a GGML block's share
    const out = new Float32Array(COUNT);
    for (let start = 0; start < COUNT; start += c.chunk) {
      const count = Math.min(c.chunk, COUNT - start);
      const stored = codes.subarray(start * bytesPerElement, (start + count) * bytesPerElement);
      const encoded = pipeline.encodeChunk(stored, c.stages);
      pipeline.decodeChunk(encoded, c.stages, { dtype: q.dtype, count, start, shape: q.shape, scale: q.scale, zeroPoint: q.zeroPoint,
        axis: q.axis, blockSize: q.blockSize, out: out.subarray(start, start + count) });
    }
    if (!equalBytes(new Uint8Array(out.buffer), new Uint8Array(expected.buffer))) expect.fail(`${c.name}: decoded values differ`);
  });

  it('encodes exactly as the public stage functions, one after another', () => {
    const weights = prunedWeights(3);
    const bytes = new Uint8Array(weights.buffer);
    expect(pipeline.encodeChunk(bytes, [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }])).toEqual(lz4.compressBlock(shuffle.shuffle(bytes, 4)));
    const bitmaskPayload = sparse.pack(weights, { format: 'bitmask' }).subarray(16);
    expect(pipeline.encodeChunk(bytes, [{ codec: 'sparse', format: 'bitmask', width: 4 }])).toEqual(bitmaskPayload);
    expect(pipeline.encodeChunk(bytes, [{ codec: 'bitshuffle', typesize: 4 }])).toEqual(shuffle.bitshuffle(bytes, 4));
  });

  it('reports a damaged chunk as a TensorzipError, never a crash', () => {
    const q = quant.quantize(prunedWeights(5), { dtype: 'int8', shape: SHAPE, axis: 0 });
    const stages: PipelineStage[] = [{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'shuffle', typesize: 1 }, { codec: 'lz4' }];
    const target = { dtype: 'int8' as const, count: COUNT, shape: SHAPE, axis: 0, scale: q.scale, zeroPoint: q.zeroPoint };
    const encoded = pipeline.encodeChunk(new Uint8Array(q.data.buffer), stages);
    for (let n = 0; n < encoded.length; n += 7) expect(() => pipeline.decodeChunk(encoded.subarray(0, n), stages, target)).toThrow(/pipeline\.decodeChunk/);
    const next = random(9);
    for (let round = 0; round < 300; round++) {
      const copy = encoded.slice();
      copy[Math.floor(next() * copy.length)] ^= 1 << Math.floor(next() * 8);
      try {
        pipeline.decodeChunk(copy, stages, target);
      } catch (err) {
        expect((err as Error).name, String(err)).toBe('TensorzipError');
      }
    }
    expectError(() => pipeline.decodeChunk(encoded, stages, { ...target, count: COUNT - 8 }), 'CORRUPT'); // the chunk holds more
    expectError(() => pipeline.decodeChunk(encoded, [{ codec: 'zstd' } as never], target), 'ARGUMENT');
    expectError(() => pipeline.decodeChunk(encoded, stages, { ...target, scale: new Float32Array(3) }), 'ARGUMENT');
  });
});

it('the SIMD and scalar builds decode chunks identically', () => {
  const q = simdEngine.quant.quantize(prunedWeights(8), { dtype: 'int4', shape: SHAPE, axis: 1, blockSize: 32 });
  const stages: PipelineStage[] = [{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'bitshuffle', typesize: 1 }, { codec: 'lz4' }];
  const encoded = simdEngine.pipeline.encodeChunk(q.data as Uint8Array, stages);
  expect(scalarEngine.pipeline.encodeChunk(q.data as Uint8Array, stages)).toEqual(encoded);
  const target = { dtype: q.dtype, count: COUNT, shape: q.shape, axis: q.axis, blockSize: q.blockSize, scale: q.scale, zeroPoint: q.zeroPoint };
  expect(simdEngine.pipeline.decodeChunk(encoded, stages, target)).toEqual(scalarEngine.pipeline.decodeChunk(encoded, stages, target));
});
