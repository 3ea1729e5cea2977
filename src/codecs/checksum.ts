// xxHash32 (seed 0) of any byte array, hashed through WebAssembly memory a slice at a time.
import type { Kernels } from '../wasm/kernels';

const SLICE = 1 << 20;

export function xxh32(kernels: Kernels, bytes: Uint8Array): number {
  const k = kernels.exports;
  kernels.reset();
  try {
    if (bytes.length <= SLICE) {
      const at = kernels.alloc(bytes.length);
      kernels.heap.set(bytes, at);
      return kernels.xxh32(at, bytes.length);
    }
    const state = kernels.alloc(k.xxh32StateBytes());
    const at = kernels.alloc(SLICE);
    k.xxh32Reset(state, 0);
    for (let i = 0; i < bytes.length; i += SLICE) {
      const piece = bytes.subarray(i, i + SLICE);
      kernels.heap.set(piece, at);
      k.xxh32Update(state, at, piece.length);
    }
    return k.xxh32Digest(state) >>> 0;
  } finally {
    kernels.reset();
  }
}
