import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadKernels } from '../src/wasm/load';
import { referenceXxh32 } from './reference/xxh32';
import { incompressible } from './helpers/data';

const builds = [
  ['simd', await loadKernels(true)],
  ['scalar', await loadKernels(false)],
] as const;

describe.each(builds)('xxh32 (%s build)', (_, kernels) => {
  const hash = (bytes: Uint8Array, seed = 0) => {
    kernels.reset();
    const p = kernels.alloc(bytes.length);
    kernels.heap.set(bytes, p);
    return kernels.xxh32(p, bytes.length, seed);
  };

  it('matches the published vectors', () => {
    expect(hash(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(hash(new TextEncoder().encode('abc'))).toBe(0x32d153ff);
    expect(hash(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x830741c1);
  });

  it('matches the reference for every length 0..300 and several seeds', () => {
    const data = incompressible(300, 9);
    for (const seed of [0, 1, 0x9e3779b1, 0xffffffff]) {
      for (let n = 0; n <= 300; n++) expect(hash(data.subarray(0, n), seed)).toBe(referenceXxh32(data.subarray(0, n), seed));
    }
  });

  it('streams: any split into updates gives the one-shot hash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 6 }), (bytes, cuts) => {
        kernels.reset();
        const state = kernels.alloc(kernels.exports.xxh32StateBytes());
        const p = kernels.alloc(bytes.length);
        kernels.heap.set(bytes, p);
        kernels.exports.xxh32Reset(state, 7);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const to of [...points, bytes.length]) {
          kernels.exports.xxh32Update(state, p + from, to - from);
          from = to;
        }
        expect(kernels.exports.xxh32Digest(state) >>> 0).toBe(referenceXxh32(bytes, 7));
      }),
      { numRuns: 300 },
    );
  });
});
