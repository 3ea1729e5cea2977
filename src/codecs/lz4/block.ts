// Raw LZ4 blocks (no frame): what numcodecs, lz4_flex and container chunk tables store, with sizes kept elsewhere.
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes, integerOption } from '../as-bytes';
import { copyBytes } from '../output-bytes';
import { DEFAULT_MAX_OUTPUT_SIZE, MAX_BLOCK_INPUT, MAX_EXPANSION, MAX_OUTPUT_SIZE } from './limits';
import { blockDecodeError } from './status';

export interface CompressBlockOptions {
  /** 1 (default) to 65537: higher values search less, run faster and compress less (as `lz4 --fast=N`). */
  acceleration?: number;
}

export interface DecompressBlockOptions {
  /** The exact decoded size, when known (a raw block does not record it): decoding checks it and allocates once. */
  outputSize?: number;
  /** Refuse to decode more than this many bytes (default 256 MiB). */
  maxOutputSize?: number;
}

export function compressBlock(kernels: Kernels, data: Uint8Array, options: CompressBlockOptions = {}): Uint8Array {
  const input = asBytes(data, 'lz4.compressBlock data');
  const acceleration = integerOption(options.acceleration ?? 1, 'lz4.compressBlock acceleration', 1, 65537);
  if (input.length > MAX_BLOCK_INPUT) {
    throw new TensorzipError('LIMIT', `lz4.compressBlock: one block holds at most ${MAX_BLOCK_INPUT} bytes, found ${input.length}`);
  }
  kernels.reset();
  try {
    const capacity = kernels.exports.lz4Bound(input.length) >>> 0;
    const src = kernels.alloc(input.length);
    const dst = kernels.alloc(capacity);
    kernels.heap.set(input, src);
    const size = kernels.exports.lz4CompressBlock(src, input.length, dst, capacity, acceleration);
    if (size < 0) throw new TensorzipError('ARGUMENT', `lz4.compressBlock: the kernel refused its arguments (status ${size})`);
    return copyBytes(kernels.heap.subarray(dst, dst + size));
  } finally {
    kernels.reset();
  }
}

export function decompressBlock(kernels: Kernels, data: Uint8Array, options: DecompressBlockOptions = {}): Uint8Array {
  const block = asBytes(data, 'lz4.decompressBlock block');
  const limit = integerOption(options.maxOutputSize ?? DEFAULT_MAX_OUTPUT_SIZE, 'lz4.decompressBlock maxOutputSize', 0, MAX_OUTPUT_SIZE);
  const exact = options.outputSize;
  if (exact !== undefined) {
    integerOption(exact, 'lz4.decompressBlock outputSize', 0, MAX_OUTPUT_SIZE);
    if (exact > limit) throw new TensorzipError('LIMIT', `lz4.decompressBlock: outputSize ${exact} is over maxOutputSize ${limit}`);
    if (exact > block.length * MAX_EXPANSION) {
      throw new TensorzipError('CORRUPT', `lz4.decompressBlock: a block of ${block.length} bytes cannot hold ${exact} bytes (at most ${MAX_EXPANSION} per byte)`);
    }
  }
  // Without a known size, start from a guess and double it; no block can decode to more than 255x its size.
  const ceiling = Math.min(limit, block.length * MAX_EXPANSION);
  let capacity = exact ?? Math.min(ceiling, Math.max(65536, block.length * 4));
  kernels.reset();
  try {
    const src = kernels.alloc(block.length);
    kernels.heap.set(block, src);
    for (;;) {
      const dst = kernels.alloc(capacity);
      const size = kernels.exports.lz4DecompressBlock(src, block.length, dst, capacity, 0, 0);
      if (size >= 0) {
        if (exact !== undefined && size !== exact) {
          throw new TensorzipError('CORRUPT', `lz4.decompressBlock: expected ${exact} decoded bytes, the block holds ${size}`);
        }
        return copyBytes(kernels.heap.subarray(dst, dst + size));
      }
      const retry = size === KERNEL_STATUS.OUTPUT_FULL && exact === undefined && capacity < ceiling;
      if (!retry) throw blockDecodeError(size, 'lz4.decompressBlock', () => overflow(exact, capacity, limit));
      kernels.release(dst);
      capacity = Math.min(ceiling, capacity * 2);
    }
  } finally {
    kernels.reset();
  }
}

function overflow(exact: number | undefined, capacity: number, limit: number): TensorzipError {
  if (exact !== undefined) {
    return new TensorzipError('CORRUPT', `lz4.decompressBlock: expected ${exact} decoded bytes, the block holds more`);
  }
  if (capacity >= limit) {
    return new TensorzipError('LIMIT', `lz4.decompressBlock: the block decodes to more than maxOutputSize (${limit} bytes)`);
  }
  return new TensorzipError('CORRUPT', `lz4.decompressBlock: the block decodes to more than 255 bytes per input byte`);
}
