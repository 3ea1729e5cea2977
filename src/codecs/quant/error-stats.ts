// Error statistics of a reconstruction, from the sums assembly/error_stats.ts accumulates a chunk at a time.
import type { Kernels } from '../../wasm/kernels';
import type { QuantStats } from './types';

/** Elements per kernel call (even: the kernel keeps even and odd elements apart). */
const CHUNK = 65536;

export function errorStats(kernels: Kernels, original: Float32Array, restored: Float32Array): QuantStats {
  const total = original.length;
  const from = new Uint8Array(original.buffer, original.byteOffset, original.byteLength);
  const back = new Uint8Array(restored.buffer, restored.byteOffset, restored.byteLength);
  kernels.reset();
  try {
    const acc = kernels.alloc(kernels.exports.errorStatsBytes());
    const a = kernels.alloc(CHUNK * 4);
    const b = kernels.alloc(CHUNK * 4);
    new Float64Array(kernels.exports.memory.buffer, acc, 5).fill(0);
    for (let start = 0; start < total; start += CHUNK) {
      const count = Math.min(CHUNK, total - start);
      const heap = kernels.heap;
      heap.set(from.subarray(start * 4, (start + count) * 4), a);
      heap.set(back.subarray(start * 4, (start + count) * 4), b);
      kernels.exports.accumulateError(a, b, count, acc);
    }
    const [signalEven, signalOdd, noiseEven, noiseOdd, maxAbsError] = new Float64Array(kernels.exports.memory.buffer, acc, 5);
    const signal = signalEven + signalOdd;
    const noise = noiseEven + noiseOdd;
    return {
      maxAbsError,
      rmse: total === 0 ? 0 : Math.sqrt(noise / total),
      sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise),
    };
  } finally {
    kernels.reset();
  }
}
