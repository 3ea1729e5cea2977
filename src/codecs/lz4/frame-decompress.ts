// Reads a sequence of LZ4 frames: standard frames (linked or independent blocks, any checksum and content-size
// flags), skippable frames (skipped) and legacy frames (`lz4 -l`), one after another, into one output.
// Memory: the kernel works on one block at a time, so its memory stays near two block maxima (+64 KiB of history
// for linked blocks) however large the output is.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes, integerOption } from '../as-bytes';
import {
  FRAME_MAGIC,
  LEGACY_BLOCK_SIZE,
  LEGACY_MAGIC,
  SKIPPABLE_MAGIC_MAX,
  SKIPPABLE_MAGIC_MIN,
  hex,
  parseDescriptor,
  readU32,
} from './frame-format';
import { DEFAULT_MAX_OUTPUT_SIZE, MAX_EXPANSION, MAX_OUTPUT_SIZE } from './limits';
import { Output } from './output';
import { blockDecodeError } from './status';

export interface DecompressOptions {
  /** Refuse to produce more than this many bytes (default 256 MiB, at most 2^31 − 1). A frame that declares a
   *  larger content size fails before anything is allocated. */
  maxOutputSize?: number;
}

/** Linked blocks may reach back 64 KiB into earlier blocks. */
const LINKED_HISTORY = 65536;
const STORED_BLOCK = 0x80000000;

export function decompressFrames(kernels: Kernels, data: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  const input = asBytes(data, 'lz4.decompress frame');
  const limit = integerOption(options.maxOutputSize ?? DEFAULT_MAX_OUTPUT_SIZE, 'lz4.decompress maxOutputSize', 0, MAX_OUTPUT_SIZE);
  if (input.length === 0) throw new TensorzipError('TRUNCATED', 'lz4.decompress: the input is empty, expected an LZ4 frame');
  const out = new Output(limit);
  kernels.reset();
  try {
    let pos = 0;
    while (pos < input.length) {
      if (input.length - pos < 4) truncated(pos, 'a frame magic number');
      const magic = readU32(input, pos);
      if (magic === FRAME_MAGIC) pos = decodeFrame(kernels, input, pos, out);
      else if (magic >= SKIPPABLE_MAGIC_MIN && magic <= SKIPPABLE_MAGIC_MAX) pos = skipFrame(input, pos);
      else if (magic === LEGACY_MAGIC) pos = decodeLegacyFrame(kernels, input, pos, out);
      else {
        throw new TensorzipError('CORRUPT', `lz4.decompress: expected an LZ4 frame magic number (0x184D2204) at byte ${pos}, found 0x${magic.toString(16).toUpperCase().padStart(8, '0')}`, { offset: pos });
      }
      kernels.reset();
    }
    return out.result();
  } finally {
    kernels.reset();
  }
}

function decodeFrame(kernels: Kernels, input: Uint8Array, at: number, out: Output): number {
  const k = kernels.exports;
  const scratch = kernels.alloc(16);
  const { descriptor: d, end } = parseDescriptor(input, at, (bytes) => {
    kernels.heap.set(bytes, scratch);
    return kernels.xxh32(scratch, bytes.length);
  });
  let pos = end;
  if (d.contentSize !== undefined) {
    if (d.contentSize > (input.length - pos) * MAX_EXPANSION) {
      throw new TensorzipError('TRUNCATED', `LZ4 frame at byte ${at}: it declares ${d.contentSize} bytes of content, more than the ${input.length - pos} bytes after its header can hold`, { offset: at });
    }
    out.reserve(d.contentSize);
  }
  const history = d.independentBlocks ? 0 : LINKED_HISTORY;
  // No block holds more than the input left, nor decodes to more than 255 times that: a short frame takes little.
  const srcCap = Math.min(d.blockMaxSize, input.length - pos);
  const dstCap = Math.min(d.blockMaxSize, (input.length - pos) * MAX_EXPANSION);
  const state = kernels.alloc(k.xxh32StateBytes());
  const dst = kernels.alloc(history + dstCap) + history;
  const src = kernels.alloc(srcCap);
  const checksumBytes = d.blockChecksum ? 4 : 0;
  k.xxh32Reset(state, 0);
  let kept = 0;
  let produced = 0;

  for (;;) {
    if (input.length - pos < 4) truncated(pos, 'a block size');
    const word = readU32(input, pos);
    const blockAt = pos;
    pos += 4;
    if (word === 0) break;
    const stored = word >= STORED_BLOCK;
    const size = stored ? word - STORED_BLOCK : word;
    if (size > d.blockMaxSize) {
      throw new TensorzipError('CORRUPT', `LZ4 block at byte ${blockAt}: ${size} bytes, over the frame's block maximum of ${d.blockMaxSize}`, { offset: blockAt });
    }
    if (input.length - pos < size + checksumBytes) truncated(blockAt, 'a block');
    const heap = kernels.heap;
    const body = stored ? dst : src;
    heap.set(input.subarray(pos, pos + size), body);
    if (d.blockChecksum) {
      const expected = readU32(input, pos + size);
      const actual = kernels.xxh32(body, size);
      if (actual !== expected) throw checksumError(`LZ4 block at byte ${blockAt}`, expected, actual, pos + size);
    }
    let n = size;
    if (stored) {
      if (d.contentChecksum) k.xxh32Update(state, dst, n);
    } else {
      const capacity = Math.min(dstCap, out.room());
      // The kernel adds the block to the content checksum as it decodes.
      n = k.lz4DecompressBlock(src, size, dst, capacity, kept, d.contentChecksum ? state : 0);
      if (n < 0) {
        throw blockDecodeError(n, `LZ4 block at byte ${blockAt}`, () => capacity < dstCap
          ? new TensorzipError('LIMIT', `the decompressed data passes maxOutputSize (${out.length + out.room()} bytes)`)
          : new TensorzipError('CORRUPT', `LZ4 block at byte ${blockAt}: it decodes to more than the frame's block maximum of ${d.blockMaxSize}`, { offset: blockAt }));
      }
    }
    produced += n;
    if (d.contentSize !== undefined && produced > d.contentSize) {
      throw new TensorzipError('CORRUPT', `LZ4 frame at byte ${at}: its blocks hold more than the declared content size of ${d.contentSize}`, { offset: blockAt });
    }
    out.append(heap.subarray(dst, dst + n));
    if (history > 0) {
      kept = Math.min(history, kept + n);
      heap.copyWithin(dst - kept, dst + n - kept, dst + n);
    }
    pos += size + checksumBytes;
  }

  if (d.contentChecksum) {
    if (input.length - pos < 4) truncated(pos, 'the content checksum');
    const expected = readU32(input, pos);
    const actual = k.xxh32Digest(state) >>> 0;
    if (actual !== expected) throw checksumError(`LZ4 frame at byte ${at}: content`, expected, actual, pos);
    pos += 4;
  }
  if (d.contentSize !== undefined && produced !== d.contentSize) {
    throw new TensorzipError('CORRUPT', `LZ4 frame at byte ${at}: it declares ${d.contentSize} bytes of content, its blocks hold ${produced}`, { offset: at });
  }
  return pos;
}

function skipFrame(input: Uint8Array, at: number): number {
  if (input.length - at < 8) truncated(at, 'a skippable frame header');
  const size = readU32(input, at + 4);
  if (input.length - at - 8 < size) truncated(at, 'a skippable frame');
  return at + 8 + size;
}

/** Legacy frames: 8 MiB independent blocks, each behind its compressed size, up to the end or the next magic. */
function decodeLegacyFrame(kernels: Kernels, input: Uint8Array, at: number, out: Output): number {
  const k = kernels.exports;
  const maxBlock = k.lz4Bound(LEGACY_BLOCK_SIZE) >>> 0;
  let pos = at + 4;
  // As for standard frames: buffers no larger than the input left can fill.
  const srcCap = Math.min(maxBlock, input.length - pos);
  const dstCap = Math.min(LEGACY_BLOCK_SIZE, (input.length - pos) * MAX_EXPANSION);
  const src = kernels.alloc(srcCap);
  const dst = kernels.alloc(dstCap);
  while (input.length - pos >= 4) {
    const size = readU32(input, pos);
    if (size > maxBlock) break; // too large for a block: the next frame's magic number
    if (size === 0) throw new TensorzipError('CORRUPT', `legacy LZ4 block at byte ${pos}: size 0`, { offset: pos });
    if (input.length - pos - 4 < size) truncated(pos, 'a legacy block');
    kernels.heap.set(input.subarray(pos + 4, pos + 4 + size), src);
    const capacity = Math.min(dstCap, out.room());
    const n = k.lz4DecompressBlock(src, size, dst, capacity, 0, 0);
    if (n < 0) {
      throw blockDecodeError(n, `legacy LZ4 block at byte ${pos}`, () => capacity < dstCap
        ? new TensorzipError('LIMIT', `the decompressed data passes maxOutputSize (${out.length + out.room()} bytes)`)
        : new TensorzipError('CORRUPT', `legacy LZ4 block at byte ${pos}: it decodes to more than 8 MiB`, { offset: pos }));
    }
    out.append(kernels.heap.subarray(dst, dst + n));
    pos += 4 + size;
  }
  return pos;
}

function checksumError(what: string, expected: number, actual: number, offset: number): TensorzipError {
  return new TensorzipError('CHECKSUM', `${what} checksum is 0x${hex(expected).padStart(8, '0')}, the data hashes to 0x${hex(actual).padStart(8, '0')}`, { offset });
}

function truncated(at: number, what: string): never {
  throw new TensorzipError('TRUNCATED', `lz4.decompress: the input ends inside ${what} (byte ${at})`, { offset: at });
}
