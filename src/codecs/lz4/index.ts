import type { Kernels } from '../../wasm/kernels';
import { compressBlock, decompressBlock, type CompressBlockOptions, type DecompressBlockOptions } from './block';
import { compressFrame, type CompressOptions } from './frame-compress';
import { decompressFrames, type DecompressOptions } from './frame-decompress';

export type { CompressBlockOptions, DecompressBlockOptions, CompressOptions, DecompressOptions };
export { DEFAULT_MAX_OUTPUT_SIZE } from './limits';

/** LZ4, byte-compatible with the `lz4` command-line tool. */
export interface Lz4 {
  /**
   * Compresses `data` into one LZ4 frame (magic 0x184D2204, independent blocks, content size and content checksum by
   * default), which `lz4 -d` decodes.
   * @example
   * const frame = lz4.compress(new TextEncoder().encode('hello hello hello hello'));
   * lz4.decompress(frame); // the same 23 bytes
   */
  compress(data: Uint8Array, options?: CompressOptions): Uint8Array;
  /**
   * Decompresses LZ4 frames (standard, skippable and legacy, one after another), checking every checksum they carry.
   * Throws TensorzipError: TRUNCATED, CORRUPT, CHECKSUM, UNSUPPORTED (dictionaries), LIMIT (past `maxOutputSize`).
   * @example
   * const bytes = lz4.decompress(frame, { maxOutputSize: 64 << 20 });
   */
  decompress(frame: Uint8Array, options?: DecompressOptions): Uint8Array;
  /**
   * Compresses `data` into one raw LZ4 block (no header, no size, no checksum).
   * @example
   * const block = lz4.compressBlock(bytes);
   * lz4.decompressBlock(block, { outputSize: bytes.length });
   */
  compressBlock(data: Uint8Array, options?: CompressBlockOptions): Uint8Array;
  /**
   * Decompresses one raw LZ4 block. Give `outputSize` when it is known: the result is checked against it.
   * @example
   * const bytes = lz4.decompressBlock(block, { outputSize: 1024 });
   */
  decompressBlock(block: Uint8Array, options?: DecompressBlockOptions): Uint8Array;
}

export function bindLz4(kernels: () => Kernels): Lz4 {
  return {
    compress: (data, options) => compressFrame(kernels(), data, options),
    decompress: (frame, options) => decompressFrames(kernels(), frame, options),
    compressBlock: (data, options) => compressBlock(kernels(), data, options),
    decompressBlock: (block, options) => decompressBlock(kernels(), block, options),
  };
}
