// Writes one LZ4 frame with independent blocks, the form the `lz4` tool writes by default. Blocks that do not shrink
// are stored as they are (bit 31 of the block size), as the reference does.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { Kernels } from '../../wasm/kernels';
import { asBytes, integerOption } from '../as-bytes';
import { allocateForOverwrite, copyBytes } from '../output-bytes';
import { BLOCK_SIZES, writeDescriptor, writeU32 } from './frame-format';

export interface CompressOptions {
  /** Largest block, in bytes: 65536, 262144, 1048576 or 4194304 (default, as `lz4 -B7`). Smaller blocks bound the
   *  decoder's memory more tightly and compress a little less. The header declares the smallest size that holds the
   *  input, so a 10 KB input declares 64 KB. */
  blockSize?: number;
  /** Store xxh32 of each block after it (default false, as `lz4`). */
  blockChecksum?: boolean;
  /** Store xxh32 of the whole input after the last block (default true, as `lz4`). */
  contentChecksum?: boolean;
  /** Store the input size in the header (default true), so decoders allocate once. */
  contentSize?: boolean;
  /** 1 (default) to 65537: higher values run faster and compress less (as `lz4 --fast=N`). */
  acceleration?: number;
}

const MAX_HEADER = 4 + 2 + 8 + 1;
const STORED_BLOCK = 0x80000000;

export function compressFrame(kernels: Kernels, data: Uint8Array, options: CompressOptions = {}): Uint8Array {
  const input = asBytes(data, 'lz4.compress data');
  const blockSize = options.blockSize ?? 4194304;
  if (!BLOCK_SIZES.includes(blockSize)) {
    throw new TensorzipError('ARGUMENT', `lz4.compress blockSize: expected one of ${BLOCK_SIZES.join(', ')}, found ${describeValue(blockSize)}`);
  }
  const acceleration = integerOption(options.acceleration ?? 1, 'lz4.compress acceleration', 1, 65537);
  const blockChecksum = options.blockChecksum ?? false;
  const contentChecksum = options.contentChecksum ?? true;
  const largestBlock = Math.min(input.length, blockSize);
  const blockCount = Math.ceil(input.length / blockSize);

  // Worst case: every block stored, plus its size and checksum words.
  const out = allocateForOverwrite(MAX_HEADER + input.length + blockCount * (blockChecksum ? 8 : 4) + 8);
  kernels.reset();
  try {
    const state = kernels.alloc(kernels.exports.xxh32StateBytes());
    const header = kernels.alloc(MAX_HEADER);
    const src = kernels.alloc(largestBlock);
    const dst = kernels.alloc(largestBlock);
    const hash = (bytes: Uint8Array) => {
      kernels.heap.set(bytes, header);
      return kernels.xxh32(header, bytes.length);
    };
    let p = writeDescriptor(out, 0, {
      independentBlocks: true,
      blockChecksum,
      contentChecksum,
      contentSize: options.contentSize === false ? undefined : input.length,
      blockMaxSize: BLOCK_SIZES.find((size) => size >= largestBlock) ?? blockSize,
    }, hash);
    kernels.exports.xxh32Reset(state, 0);

    for (let at = 0; at < input.length; at += blockSize) {
      const chunk = input.subarray(at, at + blockSize);
      const heap = kernels.heap;
      heap.set(chunk, src);
      if (contentChecksum) kernels.exports.xxh32Update(state, src, chunk.length);
      // A block is kept compressed only when it is smaller than the input: capacity chunk.length - 1.
      const size = kernels.exports.lz4CompressBlock(src, chunk.length, dst, chunk.length - 1, acceleration);
      const stored = size < 0;
      const body = stored ? src : dst;
      const bodySize = stored ? chunk.length : size;
      writeU32(out, p, stored ? (bodySize | STORED_BLOCK) >>> 0 : bodySize);
      out.set(heap.subarray(body, body + bodySize), p + 4);
      p += 4 + bodySize;
      if (blockChecksum) {
        writeU32(out, p, kernels.xxh32(body, bodySize));
        p += 4;
      }
    }
    writeU32(out, p, 0);
    p += 4;
    if (contentChecksum) {
      writeU32(out, p, kernels.exports.xxh32Digest(state) >>> 0);
      p += 4;
    }
    return copyBytes(out.subarray(0, p));
  } finally {
    kernels.reset();
  }
}
