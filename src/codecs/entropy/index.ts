// Entropy blocks: bytes coded by one order-0 Huffman code (or stored raw, or as a run), in the self-describing block
// format of assembly/huffman_format.ts. The .tzip container runs the same blocks, one per byte plane, as its huffman
// stage (assembly/huffman_planes.ts).
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes, integerOption } from '../as-bytes';
import { DEFAULT_MAX_OUTPUT_SIZE, MAX_OUTPUT_SIZE } from '../lz4/limits';
import { copyBytes } from '../output-bytes';

export interface EntropyDecodeOptions {
  /** Refuse blocks that decode to more than this many bytes (at most 2^31 − 1), before allocating. Default: 256 MiB,
   *  and for a run block (any length in 6 bytes) 4 MiB + 1 KiB per block byte — pass it to decode a longer run. */
  maxOutputSize?: number;
  /** Decode into this array instead of a new one (the block must fit it); the result is a view of its first bytes. */
  out?: Uint8Array;
}

/** Order-0 entropy coding of bytes: what shrinks quantized codes and the byte planes of floats, decoded at GB/s. */
export interface Entropy {
  /**
   * Codes `data` as one entropy block: a canonical Huffman code of at most 11 bits per byte in 4 interleaved
   * streams, or the bytes as they are when that is not smaller, or a run when they are all the same byte.
   * @example
   * const codes = new Int8Array(4096).map((_, i) => Math.round(20 * Math.sin(i)));
   * const block = entropy.encode(codes); // 2811 bytes: about 5.5 bits per code
   * entropy.decode(block); // the 4096 bytes again
   */
  encode(data: Uint8Array | ArrayBufferView | ArrayBuffer): Uint8Array;
  /**
   * Decodes one entropy block. Throws TensorzipError: TRUNCATED or CORRUPT for damaged blocks, LIMIT when the block
   * declares more than `maxOutputSize` (or `out`) holds.
   * @example
   * const bytes = entropy.decode(block, { maxOutputSize: 1 << 20 });
   * const into = entropy.decode(block, { out: new Uint8Array(4096) });
   */
  decode(block: Uint8Array | ArrayBufferView | ArrayBuffer, options?: EntropyDecodeOptions): Uint8Array;
}

export function bindEntropy(kernels: () => Kernels): Entropy {
  return {
    encode: (data) => encode(kernels(), data),
    decode: (block, options) => decode(kernels(), block, options),
  };
}

function encode(kernels: Kernels, data: unknown): Uint8Array {
  const input = asBytes(data, 'entropy.encode data');
  const bound = kernels.exports.huffmanBound(input.length) >>> 0;
  if (bound === 0) throw new TensorzipError('LIMIT', `entropy.encode: one block holds less than 2 GiB, found ${input.length} bytes`);
  kernels.reset();
  try {
    const src = kernels.alloc(input.length);
    const dst = kernels.alloc(bound);
    kernels.heap.set(input, src);
    const size = kernels.exports.huffmanEncode(src, input.length, dst, bound);
    if (size < 0) throw new TensorzipError('ARGUMENT', `entropy.encode: the kernel refused its arguments (status ${size})`);
    return copyBytes(kernels.heap.subarray(dst, dst + size));
  } finally {
    kernels.reset();
  }
}

/** Without the caller's maxOutputSize or out, a block decodes to at most 4 MiB plus this many bytes per block byte.
 *  Raw and Huffman blocks cannot pass it (they expand at most 8x); a run block (6 bytes for any length) can, so a
 *  few hostile bytes cannot ask for the full default limit. */
const DEFAULT_EXPANSION = 1024;

function decode(kernels: Kernels, data: unknown, options: EntropyDecodeOptions = {}): Uint8Array {
  const block = asBytes(data, 'entropy.decode block');
  const out = options.out === undefined ? undefined : asBytes(options.out, 'entropy.decode out');
  const limit = out?.length ?? (options.maxOutputSize === undefined
    ? Math.min(DEFAULT_MAX_OUTPUT_SIZE, (4 << 20) + DEFAULT_EXPANSION * block.length)
    : integerOption(options.maxOutputSize, 'entropy.decode maxOutputSize', 0, MAX_OUTPUT_SIZE));
  kernels.reset();
  try {
    const src = kernels.alloc(block.length);
    kernels.heap.set(block, src);
    // The header is checked against what the block can hold before the output is allocated.
    const size = kernels.exports.huffmanDecodedSize(src, block.length);
    if (size < 0) throw blockError(size);
    if (size > limit) {
      throw new TensorzipError('LIMIT', out === undefined
        ? `entropy.decode: the block decodes to ${size} bytes, over maxOutputSize (${limit})`
        : `entropy.decode: the block decodes to ${size} bytes, out holds ${limit}`);
    }
    const dst = kernels.alloc(size);
    const status = kernels.exports.huffmanDecode(src, block.length, dst, size);
    if (status < 0) throw blockError(status);
    const decoded = kernels.heap.subarray(dst, dst + size);
    if (out === undefined) return copyBytes(decoded);
    out.set(decoded);
    return out.subarray(0, size);
  } finally {
    kernels.reset();
  }
}

function blockError(status: number): TensorzipError {
  switch (status) {
    case KERNEL_STATUS.TRUNCATED:
      return new TensorzipError('TRUNCATED', 'entropy.decode: the block ends before the fields or the codes it declares');
    case KERNEL_STATUS.CORRUPT:
      return new TensorzipError('CORRUPT', 'entropy.decode: the block is malformed (its mode, code lengths, sizes or a stream do not follow the format)');
    default:
      return new TensorzipError('ARGUMENT', `entropy.decode: the kernel refused its arguments (status ${status})`);
  }
}
