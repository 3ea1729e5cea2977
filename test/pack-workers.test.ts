// pack(…, { workers }) encodes tensors of 64 KiB and more on a worker pool: the file must be the same, byte for byte,
// as the one pack() writes on the calling thread, for every kind of input and option; errors and progress the same.
import { describe, expect, it } from 'vitest';
import { isTensorzipError, pack, quant, type PackOptions, type QuantizedTensorInput, type TensorInput } from '../src/index';
import { tensorEncoder } from '../src/format/encode-tensor';
import { workerEncoder } from '../src/format/encode-on-workers';
import { WorkerPool } from '../src/parallel';
import { workerStarter, type StartWorker } from '../src/parallel/spawn';
import { compiledModule, loadKernels } from '../src/wasm/load';
import { spikyWeights } from './helpers/data';
import { equalBytes } from './helpers/engines';


/** Every kind of input pack() takes, most of them large enough to go to a worker. */
function tensors(): Record<string, TensorInput | QuantizedTensorInput> {
  const w = spikyWeights(64 * 1024, 1);
  const shape = [64, 1024];
  // uint8 data at an odd offset of a larger buffer: only its own bytes may travel.
  const wide = new Uint8Array(300_003).map((_, i) => (i * 7) % 13);
  const half = quant.quantize(w, { dtype: 'float16', shape });
  return {
    dense: { dtype: 'float32', shape, data: w },
    conv: { dtype: 'float32', shape: [3, 3, 32, 64], data: spikyWeights(3 * 3 * 32 * 64, 5) },
    sparse: { dtype: 'float32', shape, data: spikyWeights(64 * 1024, 2, 0.7) },
    levels: { dtype: 'float32', shape, data: w.map((v) => Math.round(v * 4) / 4) },
    bias: { dtype: 'float32', shape: [64], data: spikyWeights(64, 3) },
    ids: { dtype: 'int32', shape: [50_000], data: Int32Array.from({ length: 50_000 }, (_, i) => i * 3) },
    mask: { dtype: 'bool', shape: [100_000], data: Uint8Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? 1 : 0)) },
    bytes: { dtype: 'uint8', shape: [300_000], data: wide.subarray(3) },
    q8: { quantized: quant.quantize(w, { dtype: 'q8_0', shape }) },
    halves: { quantized: half },
    tfjs: { quantized: { dtype: 'tfjs_uint8', shape, data: Uint8Array.from(w, (v) => Math.round((v + 4) * 30)), scale: 1 / 30, min: -4 } },
  };
}

const OPTIONS: [string, PackOptions][] = [
  ['default auto', {}],
  ['auto at quality 30, pruned, with rules', { quality: 30, prune: { sparsity: 0.5 }, rules: [{ match: 'conv', channelAxis: 3 }, { match: 'levels', quantize: 'lossless' }] }],
  ['lossless', { quantize: 'lossless' }],
  ['lossless, LZ4 only, small chunks', { quantize: 'lossless', entropy: false, chunkBytes: 1 << 16 }],
  ['int8', { quantize: 'int8', channelAxis: 0 }],
  ['int4', { quantize: 'int4' }],
  ['fp16, uncompacted', { quantize: 'fp16', compact: false, dedupe: false }],
];

describe('pack with workers', () => {
  for (const [what, options] of OPTIONS) {
    it(`${what}: the same file as on the calling thread, with the same progress`, async () => {
      const progress: number[][] = [];
      const one = await pack(tensors(), { ...options, onProgress: (done, total) => progress.push([done, total]) });
      const workerProgress: number[][] = [];
      const two = await pack(tensors(), { ...options, workers: 2, onProgress: (done, total) => workerProgress.push([done, total]) });
      expect(two.length).toBe(one.length);
      expect(equalBytes(two, one)).toBe(true);
      expect(workerProgress).toEqual(progress);
    });
  }

  it('a tensor the encoder refuses gives the same TensorzipError, the first in order', async () => {
    const bad = { ...tensors(), wrongLength: { dtype: 'float32', shape: [64, 1024], data: spikyWeights(64 * 1000, 4) }, wrongType: { dtype: 'float32', shape: [70_000], data: new Int32Array(70_000) } } as Record<string, TensorInput>;
    const failure = async (workers: number) => {
      try {
        await pack(bad, { workers });
      } catch (err) {
        expect(isTensorzipError(err)).toBe(true);
        return { code: (err as { code: string }).code, message: (err as Error).message };
      }
      throw new Error('pack accepted a tensor of the wrong length');
    };
    const one = await failure(0);
    expect(one.code).toBe('ARGUMENT');
    expect(one.message).toContain('wrongLength');
    expect(await failure(2)).toEqual(one);
  });

  it('tensors of 64 KiB and more are encoded on the workers, smaller ones on the calling thread, to the same result', async () => {
    const real = await workerStarter();
    const tasks: string[] = [];
    const start: StartWorker = (events) => {
      const handle = real(events);
      return { ...handle, post: (message, transfer) => {
        const m = message as { type: string; input?: { name: string } };
        if (m.type === 'task') tasks.push(m.input!.name);
        handle.post(message, transfer);
      } };
    };
    const kernels = await loadKernels(true);
    const pool = await WorkerPool.create(2, await compiledModule(true), start);
    try {
      const options = { quantize: 'auto' as const };
      const here = tensorEncoder(kernels, options, 'pack');
      const there = workerEncoder(here, pool, options);
      const all = tensors();
      for (const [name, t] of Object.entries(all)) {
        const a = here(name, t);
        const b = await there(name, t);
        expect(b.entry).toEqual(a.entry);
        expect(b.chunks.length).toBe(a.chunks.length);
        b.chunks.forEach((c, k) => expect(equalBytes(c, a.chunks[k]!)).toBe(true));
      }
      expect(tasks).toEqual(Object.keys(all).filter((name) => name !== 'bias'));
    } finally {
      pool.terminate();
    }
  });

  it('workers must be a non-negative integer or auto', async () => {
    for (const workers of [-1, 1.5, 'all', null]) {
      const err = await pack(tensors(), { workers: workers as never }).catch((e: unknown) => e);
      expect(isTensorzipError(err, 'ARGUMENT')).toBe(true);
    }
  });
});
