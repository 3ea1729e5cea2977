// The warm-up init() and the first engine of a build run (src/warm-up.ts): it leaves the kernels as it found them
// but for the size of their memory — no buffer left in the arena, the working space of a 1 MiB chunk in place — and
// the decoders give the same values after it as on an instance that never ran it, and as the input.
import { describe, expect, it } from 'vitest';
import { bindLz4 } from '../src/codecs/lz4';
import { bindPipeline } from '../src/codecs/pipeline';
import { init, lz4, open, pack } from '../src/index';
import { warmUp } from '../src/warm-up';
import { loadKernels } from '../src/wasm/load';
import type { Kernels } from '../src/wasm/kernels';
import { floatWeights } from './helpers/data';
import { equalBytes } from './helpers/engines';

const MiB = 1 << 20;

/** A lossless chunk, an int8 chunk and an LZ4 frame, decoded on `kernels`. */
function decodeAll(kernels: Kernels, weights: Uint8Array): Uint8Array[] {
  const pipeline = bindPipeline(() => kernels);
  const shuffled = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }] as const;
  const count = weights.length / 4;
  const floats = pipeline.decodeChunk(pipeline.encodeChunk(weights, [...shuffled]), [...shuffled], { dtype: 'float32', count });
  const codes = weights.subarray(0, count);
  const scale = Float32Array.from({ length: count / 64 }, (_, row) => 0.01 * (row + 1));
  const int8 = pipeline.decodeChunk(pipeline.encodeChunk(codes, [{ codec: 'lz4' }]), [{ codec: 'lz4' }],
    { dtype: 'int8', count, shape: [count / 64, 64], axis: 0, scale });
  const frame = bindLz4(() => kernels).decompress(bindLz4(() => kernels).compress(weights));
  return [new Uint8Array(floats.buffer), new Uint8Array(int8.buffer), frame];
}

describe.each([['simd', true], ['scalar', false]] as const)('warm-up, %s build', (_, simd) => {
  it('leaves no buffer in the arena and the working space of a 1 MiB chunk in place', async () => {
    const warmed = await loadKernels(simd);
    const fresh = await loadKernels(simd);
    await warmUp(warmed);
    expect(warmed.alloc(16)).toBe(fresh.alloc(16));
    expect(warmed.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(4 * MiB);
    expect(fresh.exports.memory.buffer.byteLength).toBeLessThan(4 * MiB);
  });

  it('a 1 MiB chunk of each pipeline pack() picks decodes in that working space: the memory does not grow', async () => {
    const weights = floatWeights(MiB / 4, 11);
    for (let i = 0; i < MiB; i += 12) weights.fill(0, i, i + 4); // one value in three is zero: worth a sparse stage
    const pipelines = [[], [{ codec: 'lz4' }], [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }],
      [{ codec: 'sparse', format: 'bitmask', width: 4 }, { codec: 'lz4' }]] as const;
    const kernels = await loadKernels(simd);
    const chunks = pipelines.map((stages) => bindPipeline(() => kernels).encodeChunk(weights, [...stages]));
    const warmed = await loadKernels(simd);
    await warmUp(warmed);
    const size = warmed.exports.memory.buffer.byteLength;
    pipelines.forEach((stages, i) => {
      const decoded = bindPipeline(() => warmed).decodeChunk(chunks[i]!, [...stages], { dtype: 'float32', count: MiB / 4 });
      expect(equalBytes(new Uint8Array(decoded.buffer), weights)).toBe(true);
      expect(warmed.exports.memory.buffer.byteLength).toBe(size);
    });
  });

  it('changes no result: decodes after it equal the input and those of an instance that never ran it', async () => {
    const weights = floatWeights(100_032, 7);
    const warmed = await loadKernels(simd);
    await warmUp(warmed);
    const after = decodeAll(warmed, weights);
    const before = decodeAll(await loadKernels(simd), weights);
    after.forEach((bytes, i) => expect(equalBytes(bytes, before[i]!)).toBe(true));
    expect(equalBytes(after[0]!, weights)).toBe(true);
    expect(equalBytes(after[2]!, weights)).toBe(true);
  });
});

it('init() resolves after the warm-up with the default engine decoding as before', async () => {
  const { simd } = await init();
  expect(typeof simd).toBe('boolean');
  const weights = floatWeights(100_032, 9);
  expect(equalBytes(lz4.decompress(lz4.compress(weights)), weights)).toBe(true);
  const values = new Float32Array(weights.buffer);
  const archive = await open(await pack({ w: { dtype: 'float32', shape: [values.length], data: values } }));
  const { data } = await archive.get('w');
  expect(equalBytes(new Uint8Array((data as Float32Array).buffer), weights)).toBe(true);
});
