// The entropy block encoder (format: huffman_format.ts). One pass counts the bytes, package-merge gives the lengths,
// a second pass writes the four streams. The same scalar code runs in both builds, so their blocks are identical:
// SIMD has nothing to offer a histogram (no scatter) or a bit writer.
//
// Safety: reads only [src, src + srcLen), writes only [dst, dst + dstCap); dstCap must be at least
// huffmanBound(srcLen) (the stream writer stores 8 bytes at a time, up to 7 past the block's end).

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import {
  BLOCK_HEADER, JUMP_TABLE, MAX_CODE_BITS, MAX_DECODED, MODE_HUFFMAN, MODE_RAW, MODE_RUN, STREAMS, jumpTableOffset,
} from './huffman_format';
import { codeLengths } from './huffman_lengths';

/** Four histograms counted side by side (no store waits for the one before it), then summed into the first. */
const COUNTS: usize = memory.data(<i32>(4 * 256 * 4), 16);
const LENGTHS: usize = memory.data(256, 16);
/** Per byte value: its code, bit-reversed for the LSB-first stream, in the low 16 bits; its length above. */
const CODES: usize = memory.data(<i32>(256 * 4), 16);
/** Room the writer needs past the block: up to 7 bytes of its last 8-byte store. */
const WRITE_SLACK: usize = 8;
/** The largest input: its bound must fit an i32. */
const MAX_INPUT: usize = MAX_DECODED - 16;

/** The capacity huffmanEncode needs for `n` input bytes (≤ n + 16), or 0 when `n` is too large. */
export function huffmanBound(n: usize): usize {
  return n > MAX_INPUT ? 0 : n + BLOCK_HEADER + WRITE_SLACK + 3;
}

/**
 * Encodes the `srcLen` bytes at `src` as one entropy block at `dst` and returns its size. ARGUMENT when srcLen is too
 * large, OUTPUT_FULL when dstCap is below huffmanBound(srcLen).
 */
export function huffmanEncode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  if (srcLen > MAX_INPUT) return STATUS_ARGUMENT;
  if (dstCap < huffmanBound(srcLen)) return STATUS_OUTPUT_FULL;
  if (srcLen == 0) return storeRaw(src, srcLen, dst);
  countBytes(src, srcLen);
  let distinct: usize = 0;
  let last: usize = 0;
  for (let v: usize = 0; v < 256; v++) {
    if (load<u32>(COUNTS + (v << 2)) != 0) {
      distinct++;
      last = v;
    }
  }
  if (distinct == 1) {
    store<u8>(dst, MODE_RUN);
    store<u32>(dst, <u32>srcLen, 1);
    store<u8>(dst, <u8>last, BLOCK_HEADER);
    return <i32>(BLOCK_HEADER + 1);
  }
  codeLengths(COUNTS, LENGTHS);
  let bits: u64 = 0;
  for (let v: usize = 0; v <= last; v++) bits += <u64>load<u32>(COUNTS + (v << 2)) * <u64>load<u8>(LENGTHS + v);
  const streams = jumpTableOffset(last) + JUMP_TABLE;
  // Each stream rounds up to whole bytes: the block is at least this long, and at most 3 bytes longer.
  if (<u64>streams + ((bits + 7) >> 3) >= <u64>(BLOCK_HEADER + srcLen)) return storeRaw(src, srcLen, dst);
  assignCodes(LENGTHS, CODES, last);

  store<u8>(dst, MODE_HUFFMAN);
  store<u32>(dst, <u32>srcLen, 1);
  store<u8>(dst, <u8>last, BLOCK_HEADER);
  for (let v: usize = 0; v <= last; v += 2) {
    const high = v + 1 <= last ? load<u8>(LENGTHS + v + 1) : 0;
    store<u8>(dst + BLOCK_HEADER + 1 + (v >> 1), load<u8>(LENGTHS + v) | (high << 4));
  }
  const jump = jumpTableOffset(last);
  let op = dst + streams;
  for (let k: usize = 0; k < STREAMS; k++) {
    const end = writeStream(src + k, src + srcLen, op);
    if (k < STREAMS - 1) store<u32>(dst + jump + (k << 2), <u32>(end - op));
    op = end;
  }
  const size = op - dst;
  return size >= BLOCK_HEADER + srcLen ? storeRaw(src, srcLen, dst) : <i32>size;
}

function storeRaw(src: usize, srcLen: usize, dst: usize): i32 {
  store<u8>(dst, MODE_RAW);
  store<u32>(dst, <u32>srcLen, 1);
  memory.copy(dst + BLOCK_HEADER, src, srcLen);
  return <i32>(BLOCK_HEADER + srcLen);
}

/** Counts the bytes of [src, src + len) into COUNTS (the first of its four histograms). */
function countBytes(src: usize, len: usize): void {
  memory.fill(COUNTS, 0, 4 * 256 * 4);
  const end = src + len;
  let p = src;
  while (end - p >= 4) {
    const word = load<u32>(p);
    const a = COUNTS + ((word & 0xff) << 2);
    const b = COUNTS + 1024 + (((word >> 8) & 0xff) << 2);
    const c = COUNTS + 2048 + (((word >> 16) & 0xff) << 2);
    const d = COUNTS + 3072 + ((word >> 24) << 2);
    store<u32>(a, load<u32>(a) + 1);
    store<u32>(b, load<u32>(b) + 1);
    store<u32>(c, load<u32>(c) + 1);
    store<u32>(d, load<u32>(d) + 1);
    p += 4;
  }
  while (p < end) {
    const a = COUNTS + (<usize>load<u8>(p) << 2);
    store<u32>(a, load<u32>(a) + 1);
    p++;
  }
  for (let v: usize = 0; v < 1024; v += 4) {
    store<u32>(COUNTS + v, load<u32>(COUNTS + v) + load<u32>(COUNTS + 1024 + v) + load<u32>(COUNTS + 2048 + v)
      + load<u32>(COUNTS + 3072 + v));
  }
}

/** Canonical codes from `lengths` (a byte per value) into `codes` (a u32 per value: the code bit-reversed, since the
 *  stream takes a code's first bit first, in the low 16 bits; its length above). */
export function assignCodes(lengths: usize, codes: usize, last: usize): void {
  let code: u32 = 0;
  for (let length: u32 = 1; length <= MAX_CODE_BITS; length++) {
    for (let v: usize = 0; v <= last; v++) {
      if (<u32>load<u8>(lengths + v) != length) continue;
      let reversed: u32 = 0;
      for (let bit: u32 = 0; bit < length; bit++) reversed |= ((code >> bit) & 1) << (length - 1 - bit);
      store<u32>(codes + (v << 2), reversed | (length << 16));
      code++;
    }
    code <<= 1;
  }
}

// @ts-ignore: decorator
@inline function append(acc: u64, filled: u64, symbol: usize): u64 {
  return acc | (<u64>(load<u32>(CODES + (symbol << 2)) & 0xffff) << filled);
}

// @ts-ignore: decorator
@inline function lengthOf(symbol: usize): u64 {
  return <u64>(load<u32>(CODES + (symbol << 2)) >> 16);
}

/** Writes the codes of the bytes at `from`, `from` + 4, … below `end` as one stream at `op`; returns its end. */
function writeStream(from: usize, end: usize, op: usize): usize {
  let acc: u64 = 0;
  let filled: u64 = 0;
  let p = from;
  // Four codes (≤ 44 bits) on top of ≤ 7 pending bits fit the 64-bit accumulator; then whole bytes go out.
  while (p < end && end - p > 12) {
    const a = <usize>load<u8>(p);
    const b = <usize>load<u8>(p, 4);
    const c = <usize>load<u8>(p, 8);
    const d = <usize>load<u8>(p, 12);
    acc = append(acc, filled, a);
    filled += lengthOf(a);
    acc = append(acc, filled, b);
    filled += lengthOf(b);
    acc = append(acc, filled, c);
    filled += lengthOf(c);
    acc = append(acc, filled, d);
    filled += lengthOf(d);
    store<u64>(op, acc);
    op += <usize>(filled >> 3);
    acc >>= filled & 56;
    filled &= 7;
    p += 16;
  }
  while (p < end) {
    const a = <usize>load<u8>(p);
    acc = append(acc, filled, a);
    filled += lengthOf(a);
    p += STREAMS;
  }
  store<u64>(op, acc);
  return op + <usize>((filled + 7) >> 3);
}
