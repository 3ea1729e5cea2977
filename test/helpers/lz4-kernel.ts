// LZ4 blocks made by the kernel itself, for the tests that call the block decoder kernel directly.
import type { Kernels } from '../../src/wasm/kernels';

/** `input` as an LZ4 block, made by the kernel itself (the kernels are reset first). */
export function compressWithKernel(kernels: Kernels, input: Uint8Array): Uint8Array {
  const { exports } = kernels;
  kernels.reset();
  const staging = kernels.alloc(input.length);
  const compressed = kernels.alloc(exports.lz4Bound(input.length));
  kernels.heap.set(input, staging);
  const size = exports.lz4CompressBlock(staging, input.length, compressed, exports.lz4Bound(input.length), 1);
  return kernels.heap.slice(compressed, compressed + size);
}
