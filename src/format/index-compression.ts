// The compressed index (docs/FORMAT.md, format 1.3, flag bit 0): the JSON index's length D as a u32, then one entropy
// block whose bytes are one raw LZ4 block of the JSON. LZ4 takes the repeated keys; the Huffman code the digits left.
import { TensorzipError } from '../errors';
import { bindEntropy } from '../codecs/entropy';
import { compressBlock, decompressBlock } from '../codecs/lz4/block';
import type { Kernels } from '../wasm/kernels';

const HEADER_BYTES = 4;
/** An entropy block starts with its mode (1 byte) and its decoded length n (u32). */
const BLOCK_HEADER_BYTES = 5;
const LZ4_EXPANSION = 255;
const lz4Bound = (n: number) => n + Math.floor(n / 255) + 16;

export function compressIndex(kernels: Kernels, json: Uint8Array): Uint8Array {
  const block = bindEntropy(() => kernels).encode(compressBlock(kernels, json));
  const stored = new Uint8Array(HEADER_BYTES + block.length);
  new DataView(stored.buffer).setUint32(0, json.length, true);
  stored.set(block, HEADER_BYTES);
  return stored;
}

/** The JSON index from its stored bytes. Allocates at most D + LZ4's bound for D, D being at most maxIndexBytes. */
export function decompressIndex(kernels: Kernels, stored: Uint8Array, maxIndexBytes: number, offset: number): Uint8Array {
  const fail = (code: 'CORRUPT' | 'TRUNCATED' | 'LIMIT', why: string, cause?: unknown) =>
    new TensorzipError(code, `open: the compressed index ${why}`, { offset, cause });
  if (stored.length < HEADER_BYTES + BLOCK_HEADER_BYTES) throw fail('TRUNCATED', `is ${stored.length} bytes, shorter than its headers (${HEADER_BYTES + BLOCK_HEADER_BYTES})`);
  const view = new DataView(stored.buffer, stored.byteOffset, stored.length);
  const decoded = view.getUint32(0, true);
  if (decoded === 0) throw fail('CORRUPT', 'declares an empty JSON index');
  if (decoded > maxIndexBytes) throw fail('LIMIT', `decodes to ${decoded} bytes, over maxIndexBytes (${maxIndexBytes})`);
  const lz4Length = view.getUint32(HEADER_BYTES + 1, true);
  if (lz4Length > lz4Bound(decoded) || lz4Length * LZ4_EXPANSION < decoded) {
    throw fail('CORRUPT', `holds an LZ4 block of ${lz4Length} bytes, which cannot decode to its ${decoded} bytes`);
  }
  let lz4: Uint8Array;
  try {
    lz4 = bindEntropy(() => kernels).decode(stored.subarray(HEADER_BYTES), { maxOutputSize: lz4Length });
  } catch (cause) {
    throw fail(cause instanceof TensorzipError && cause.code === 'TRUNCATED' ? 'TRUNCATED' : 'CORRUPT', 'has a damaged entropy block', cause);
  }
  try {
    return decompressBlock(kernels, lz4, { outputSize: decoded, maxOutputSize: decoded });
  } catch (cause) {
    throw fail('CORRUPT', `has an LZ4 block that does not decode to its ${decoded} bytes`, cause);
  }
}
