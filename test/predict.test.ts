// Format 1.6's predict stage (docs/FORMAT.md, "The predict stage"): any bytes decode as the readable reference
// (test/reference/predict.ts) says, in both builds, at every length around the lag and the SIMD step; chunks the
// pipeline encodes decode back to their codes; bad parameters end in typed errors; pack() tries the stage on 1-byte
// codes whose rows repeat a pattern, keeps it where it measures smaller (minor version 6), and leaves other files as
// they were.
import { describe, expect, it } from 'vitest';
import type { PipelineStage, TensorInput } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { placeChunks, tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';
import { referencePredictStage } from './reference/predict';
import { loadKernelsSync } from '../src/wasm/load';

const predict = (lag: number, weight: 1 | 2 | 3 | 4): PipelineStage => ({ codec: 'predict', lag, weight });
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A .tzip file of one uint8 tensor `t` whose chunks are `chunks` (checksums right). */
function fileOf(count: number, chunkElements: number, pipeline: PipelineStage[], chunks: Uint8Array[]): Uint8Array {
  const { data, offsets } = placeChunks(chunks);
  return tzipFile((at: number) => ({
    tensors: [tensorEntry('t', 'uint8', [count], chunks.map((c, k) => [at + offsets[k], c.length, referenceXxh32(c)]), { pipeline, chunkElements })],
  }), data);
}

/** int8 codes (as bytes) in rows of `frames` × `features`: each feature drifts a little from frame to frame, so
 *  the byte `features` positions before predicts the next. */
function framedCodes(rows: number, frames: number, features: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(rows * frames * features);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) {
      let value = Math.round((next() - 0.5) * 160);
      for (let t = 0; t < frames; t++) {
        value = Math.max(-127, Math.min(127, value + Math.round((next() - 0.5) * 12)));
        out[(r * frames + t) * features + f] = value & 255;
      }
    }
  }
  return out;
}

const LAGS = [1, 3, 15, 16, 17, 96, 1000, 65536];
const WEIGHTS = [1, 2, 3, 4] as const;
/** Around the lag (the bytes kept as they are), the 16-byte SIMD step, and the chunk (CHUNK) boundary. */
const lengthsFor = (lag: number) => [...new Set([0, 1, lag - 1, lag, lag + 1, lag + 15, lag + 16, lag + 17, lag + 33, 3 * lag + 5])].filter((n) => n >= 0);

describe.each(BUILDS)('the predict stage (%s build)', (_, engine) => {
  it.each(LAGS)('lag %i, every weight: random bytes decode as the reference says, chunk by chunk', async (lag) => {
    const next = random(lag);
    for (const weight of WEIGHTS) {
      for (const count of lengthsFor(lag)) {
        const chunkElements = Math.max(1, lag + 20);
        const residuals = Uint8Array.from({ length: count }, () => Math.floor(next() * 256));
        const chunks: Uint8Array[] = [];
        for (let first = 0; first < count; first += chunkElements) chunks.push(residuals.subarray(first, Math.min(count, first + chunkElements)));
        const expected = new Uint8Array(count);
        chunks.reduce((at, c) => (expected.set(referencePredictStage(c, lag, weight), at), at + c.length), 0);
        const got = await (await engine.open(fileOf(count, chunkElements, [predict(lag, weight)], chunks))).get('t');
        if (!equalBytes(bytesOf(got.data), expected)) expect.fail(`weight ${weight}, ${count} bytes: decodes otherwise than the reference`);
      }
    }
  });

  it('chunks the pipeline encodes (alone and before huffman, rans_lanes) decode by the reference to their codes', () => {
    const codes = framedCodes(6, 16, 24, 4);
    for (const weight of WEIGHTS) {
      for (const lag of [1, 24, 384]) {
        const chunk = engine.pipeline.encodeChunk(codes, [predict(lag, weight)]);
        if (!equalBytes(referencePredictStage(chunk, lag, weight), codes)) expect.fail(`lag ${lag}, weight ${weight}`);
        for (const coder of ['huffman', 'rans_lanes'] as const) {
          const pipeline: PipelineStage[] = [predict(lag, weight), { codec: coder, planes: 1 }];
          const decoded = engine.pipeline.decodeChunk(engine.pipeline.encodeChunk(codes, pipeline), pipeline, { dtype: 'float32', count: codes.length / 4 });
          if (!equalBytes(bytesOf(decoded), codes)) expect.fail(`${coder}, lag ${lag}, weight ${weight}`);
        }
      }
    }
  });

  it('residuals at the right lag are smaller codes: a Huffman code of them is smaller than of the codes', () => {
    const codes = framedCodes(8, 16, 24, 5);
    const huffman = (stages: PipelineStage[]) => engine.pipeline.encodeChunk(codes, [...stages, { codec: 'huffman', planes: 1 }]).length;
    expect(huffman([predict(24, 4)])).toBeLessThan(huffman([]) * 0.8);
  });

  it.each([[0, 4], [65537, 4], [1.5, 4], [96, 0], [96, 5], ['96', 4]] as const)('lag %s, weight %s: ARGUMENT', (lag, weight) => {
    const stages = [{ codec: 'predict', lag, weight }] as unknown as PipelineStage[];
    expectError(() => engine.pipeline.encodeChunk(new Uint8Array(8), stages), 'ARGUMENT');
    expectError(() => engine.pipeline.decodeChunk(new Uint8Array(8), stages, { dtype: 'float32', count: 2 }), 'ARGUMENT');
  });

  const BAD_INDEX: [string, Record<string, unknown>][] = [
    ['lag 0', { codec: 'predict', lag: 0, weight: 2 }],
    ['lag 65,537', { codec: 'predict', lag: 65537, weight: 2 }],
    ['weight 5', { codec: 'predict', lag: 4, weight: 5 }],
    ['no weight', { codec: 'predict', lag: 4 }],
    ['an unknown parameter', { codec: 'predict', lag: 4, weight: 2, width: 1 }],
  ];
  it.each(BAD_INDEX)('an index whose predict stage has %s is CORRUPT at open', async (_name, stage) => {
    await expect(engine.open(fileOf(64, 64, [stage as PipelineStage], [new Uint8Array(64)]))).rejects.toMatchObject({ name: 'TensorzipError', code: 'CORRUPT' });
  });
});

describe.each([true, false])("pack()'s estimate: predictCounts (simd %s)", (simd) => {
  const kernels = loadKernelsSync(simd);
  /** The residuals of `codes` at `lag` and `weight`, as docs/FORMAT.md defines them (checked against the reference
   *  decoder), counted per byte value. */
  function referenceCounts(codes: Uint8Array, lag: number, weight: number): Uint32Array {
    const residuals = codes.map((x, i) => (i < lag ? x : (x - Math.floor((weight * ((codes[i - lag]! << 24) >> 24)) / 4)) & 255));
    expect(equalBytes(referencePredictStage(residuals, lag, weight), codes)).toBe(true);
    const counts = new Uint32Array(256);
    for (const r of residuals) counts[r]++;
    return counts;
  }

  it.each([[1, 1000], [3, 5000], [16, 4096], [96, 8192], [200, 100], [7, 0]])('lag %i over %i bytes: the counts of each weight, added to those there', (lag, length) => {
    const next = random(lag * 7 + length);
    const codes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
    kernels.reset();
    const src = kernels.alloc(length);
    const at = kernels.alloc(4 * 256 * 4);
    kernels.heap.set(codes, src);
    const counts = new Uint32Array(kernels.heap.buffer, at, 4 * 256).fill(1);
    kernels.exports.predictCounts(src, length, lag, at);
    for (let w = 1; w <= 4; w++) {
      const expected = referenceCounts(codes, lag, w).map((c) => c + 1);
      expect([...counts.subarray((w - 1) * 256, w * 256)]).toEqual([...expected]);
    }
    kernels.reset();
  });
});

describe('pack() and the predict stage', () => {
  // A dense layer over 16 frames of 24 features, flattened: rows of 384 int8 codes that repeat every 24.
  const framed: TensorInput = { dtype: 'int8', shape: [64, 384], data: new Int8Array(framedCodes(64, 16, 24, 6).buffer) };
  const next = random(7);
  const plain: TensorInput = { dtype: 'int8', shape: [64, 384], data: Int8Array.from({ length: 64 * 384 }, () => Math.round((next() + next() - 1) * 60)) };

  it.each(BUILDS)('predicts at the lag where the rows repeat, writes minor version 6, the same bytes from both builds (%s decoding)', async (_, engine) => {
    const file = await simdEngine.pack({ framed, plain }, { quantize: 'lossless' });
    expect(equalBytes(file, await scalarEngine.pack({ framed, plain }, { quantize: 'lossless' }))).toBe(true);
    expect([file[4], file[5]]).toEqual([1, 6]);
    const archive = await engine.open(file);
    const info = Object.fromEntries(archive.tensors.map((t) => [t.name, t]));
    expect(info.framed.pipeline[0]).toMatchObject({ codec: 'predict', lag: 24 });
    expect(info.plain.pipeline.map((s) => s.codec)).not.toContain('predict');
    const withoutPredict = engine.pipeline.encodeChunk(bytesOf(framed.data), info.framed.pipeline.slice(1)).length;
    expect(info.framed.encodedBytes).toBeLessThan(withoutPredict * 0.85);
    for (const [name, t] of Object.entries({ framed, plain })) {
      if (!equalBytes(bytesOf((await archive.get(name)).data), bytesOf(t.data))) expect.fail(`${name} decodes differently`);
    }
  });

  it('leaves a file without such codes at the version it had (1.5 or older)', async () => {
    const file = await simdEngine.pack({ plain }, { quantize: 'lossless' });
    expect(file[5]).toBeLessThan(6);
  });

  it('int8 quantization of float weights in frames predicts their codes too', async () => {
    const codes = framedCodes(64, 16, 24, 8);
    const weights = Float32Array.from(codes, (b) => ((b << 24) >> 24) / 127 * 0.05);
    const archive = await simdEngine.open(await simdEngine.pack({ w: { dtype: 'float32', shape: [64, 384], data: weights } }, { quantize: 'int8' }));
    expect(archive.tensors[0].pipeline[0]).toMatchObject({ codec: 'predict', lag: 24 });
    const got = (await archive.get('w')).data as Float32Array;
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - weights[i]));
    expect(worst).toBeLessThan(0.05 / 127);
  });
});
