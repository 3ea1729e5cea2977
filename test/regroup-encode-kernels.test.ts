// pack()'s regroup estimate and encoder count and move bytes in kernels (assembly/regroup_encode.ts): each channel's
// sum and sum of squares, per-channel histograms into given rows, checked here against plain loops over the same
// bytes in both builds (the bytes a regroup chunk gets are checked against the reference decoder in regroup.test.ts).
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import { random } from './helpers/data';

const BUILDS = [['simd', await loadKernels(true)], ['scalar', await loadKernels(false)]] as const;
/** [channels, run, length]: a partial last period, one channel, runs longer than the data, nothing at all. */
const CASES: [number, number, number][] = [[12, 1, 1000], [7, 3, 1000], [1, 1, 17], [64, 5, 100], [3, 400, 1000], [16, 2, 0], [255, 1, 4096]];

const bytes = (n: number, seed: number) => {
  const next = random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
};
const channelOf = (i: number, channels: number, run: number) => Math.floor(i / run) % channels;

describe.each(BUILDS)('regroup encoder kernels (%s build)', (_, kernels) => {
  it.each(CASES)('channelSums: %i channels, run %i, %i bytes: each channel\'s sum and sum of squares', (channels, run, n) => {
    const data = bytes(n, channels + n);
    kernels.reset();
    const at = kernels.alloc(n);
    kernels.heap.set(data, at);
    const out = kernels.alloc(16 * channels);
    kernels.heap.fill(0xff, out, out + 16 * channels); // the kernel clears them itself
    kernels.exports.channelSums(at, n, channels, run, out);
    const got = Array.from(new Float64Array(kernels.heap.buffer, out, 2 * channels));
    const expected = new Array<number>(2 * channels).fill(0);
    data.forEach((b, i) => {
      const c = channelOf(i, channels, run);
      expected[2 * c] += b;
      expected[2 * c + 1] += b * b;
    });
    expect(got).toEqual(expected);
  });

  it.each(CASES)('channelHistograms: %i channels, run %i, %i bytes: each byte counted in its channel\'s row', (channels, run, n) => {
    const data = bytes(n, 3 * channels + n);
    const rowsOf = Uint32Array.from({ length: channels }, (_, c) => ((c * 5) % 4) * 256);
    kernels.reset();
    const at = kernels.alloc(n);
    kernels.heap.set(data, at);
    const rows = kernels.alloc(4 * channels);
    new Uint32Array(kernels.heap.buffer, rows, channels).set(rowsOf);
    const counts = kernels.alloc(4 * 4 * 256);
    const before = Uint32Array.from({ length: 4 * 256 }, (_, i) => i % 3); // added to, not replaced
    new Uint32Array(kernels.heap.buffer, counts, 4 * 256).set(before);
    kernels.exports.channelHistograms(at, n, channels, run, rows, counts);
    const expected = before.slice();
    data.forEach((b, i) => expected[rowsOf[channelOf(i, channels, run)]! + b]!++);
    expect(Array.from(new Uint32Array(kernels.heap.buffer, counts, 4 * 256))).toEqual(Array.from(expected));
  });
});
