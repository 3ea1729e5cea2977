// The results region of Kernels (what an arena is built on), through its own methods: a memory that never grows,
// results that outlive reset(), and LIMIT rather than growth when either part is full.
import { expect, it } from 'vitest';
import { loadKernels } from '../src/wasm/load';
import { expectError } from './helpers/errors';

it('keeps results below the working space, refuses to grow, and detaches result views when they are dropped', async () => {
  const kernels = await loadKernels(false);
  kernels.keepResults(1008, 65536);
  const size = kernels.exports.memory.buffer.byteLength;
  const first = kernels.retain(100);
  const second = kernels.retain(5);
  expect(second - first).toBe(112); // aligned to 16
  expect(kernels.resultBytes).toBe(128);
  const view = new Uint8Array(kernels.exports.memory.buffer, first, 100);
  kernels.alloc(1000);
  kernels.reset();
  expect(kernels.alloc(16)).toBe(first + 128); // working space starts above the results, after a reset too
  expectError(() => kernels.alloc(size), 'LIMIT');
  expect(kernels.exports.memory.buffer.byteLength).toBe(size); // no growth
  expect(expectError(() => kernels.retain(900), 'LIMIT').message).toMatch(/900-byte result takes 912 .* 880 of 1008 bytes are left/);
  kernels.dropResultsAfter(112);
  expect(kernels.resultBytes).toBe(112);
  expect(view.length).toBe(100);
  kernels.dropResults();
  expect([view.length, kernels.resultBytes, kernels.retain(1008)]).toEqual([0, 0, first]);
});
