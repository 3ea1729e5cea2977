// The entropy block: `n` bytes coded by one order-0 Huffman code (huff0-like), or stored raw, or as a run.
//
// Layout (integers little-endian):
//
//   offset  size                 field
//   0       1                    mode: 0 raw, 1 run, 2 huffman; any other value is invalid
//   1       4                    n, the decoded length in bytes (u32, at most 2^31 - 1)
//   raw     5 + n                the n bytes themselves; nothing follows
//   run     5 + 1                the byte, repeated n times (n >= 1); nothing follows
//   huffman 5 + 1                `last`: the highest byte value that has a code
//           6, (last + 2) >> 1   code lengths of byte values 0..last, 4 bits each: value 2i in the low nibble of
//                                byte i, value 2i + 1 in the high one (when `last` is even, the last byte's high
//                                nibble is written 0 and ignored). 0 means no code; 1..11 a code of that many bits;
//                                12..15 are invalid.
//           then 12              jump table: the byte lengths of streams 0, 1 and 2 (u32 each); stream 3 takes the
//                                rest of the block
//           then                 the four streams, one after another
//
// Codes. The lengths must form a complete prefix code: Σ 2^(11 - length) over the coded values is exactly 2^11
// (so at least two values have codes). Codes are canonical as in DEFLATE (RFC 1951, 3.2.2): taken in order of
// (length, byte value), each code is the previous one plus 1, shifted left by the change of length; the first is 0.
//
// Streams. Stream k codes the bytes at positions k, k + 4, k + 8, … of the output (so the decoder's four streams
// fill one 4-byte group after another, through one output pointer). A stream is a string of bits, bit i being bit
// (i mod 8) of its byte floor(i / 8) (LSB first); the codes of its bytes follow one another, each code's most
// significant bit first. A stream has exactly ceil(bits / 8) bytes, its padding bits 0: a decoder rejects any other
// length or padding. Every code has at least 1 bit, so a stream codes at most 8 bytes per byte of its own, and n is
// at most 8 times the bytes after the jump table: that bounds what a block can make before anything is decoded.
//
// The encoder writes n = 0 as raw, one distinct byte as a run, and the others as huffman when that is smaller than
// raw, raw otherwise. Code lengths come from package-merge (optimal under the 11-bit limit).
//
// Status: a block shorter than its fields or its jump table says is TRUNCATED, as is a stream that ends inside a
// code; an unknown mode, n past 2^31 - 1 or past 8 per stream byte, a run of 0 bytes, an invalid length, an incomplete
// or over-subscribed code, a raw or run block longer than its fields, a stream coding more than 8 bytes per byte of its
// own, a stream with bytes or bits left over is CORRUPT; n past the destination's capacity is OUTPUT_FULL (nothing
// written). The first failing check decides, in this order: mode and n against the block's size, the capacity, the
// lengths (in value order), the Kraft sum, each stream's size then count (streams 0 to 3), each stream's codes and end
// (streams 0 to 3). test/reference/huffman.ts is a plain decoder of this description.

import { STATUS_CORRUPT, STATUS_TRUNCATED } from './status';

export const MODE_RAW: u8 = 0;
export const MODE_RUN: u8 = 1;
export const MODE_HUFFMAN: u8 = 2;

/** Mode byte and decoded length. */
export const BLOCK_HEADER: usize = 5;
/** Codes are at most this many bits long; the decoder's table has 2^MAX_CODE_BITS entries. */
export const MAX_CODE_BITS: u32 = 11;
export const STREAMS: usize = 4;
export const JUMP_TABLE: usize = 12;
/** The largest n a block holds: the decoders return it as an i32. */
export const MAX_DECODED: usize = 0x7fffffff;

/** Where the jump table of a huffman block starts, from its `last` byte value. */
// @ts-ignore: decorator
@inline export function jumpTableOffset(last: usize): usize {
  return BLOCK_HEADER + 1 + ((last + 2) >> 1);
}

/** How many of `n` bytes stream `k` codes: those at positions k, k + STREAMS, … */
// @ts-ignore: decorator
@inline export function streamCount(n: usize, k: usize): usize {
  return n > k ? (n - k + STREAMS - 1) / STREAMS : 0;
}

/**
 * The decoded length of the block of `srcLen` bytes at `src`, once its header is checked against the block's size:
 * TRUNCATED or CORRUPT otherwise (see the status rules above). For huffman blocks, only the fields up to the jump
 * table are read here; their streams are checked as they decode.
 */
export function huffmanDecodedSize(src: usize, srcLen: usize): i32 {
  if (srcLen < BLOCK_HEADER) return STATUS_TRUNCATED;
  const mode = load<u8>(src);
  const n = <usize>load<u32>(src, 1);
  if (n > MAX_DECODED) return STATUS_CORRUPT;
  if (mode == MODE_RAW) {
    if (srcLen - BLOCK_HEADER < n) return STATUS_TRUNCATED;
    return srcLen - BLOCK_HEADER == n ? <i32>n : STATUS_CORRUPT;
  }
  if (mode == MODE_RUN) {
    if (srcLen < BLOCK_HEADER + 1) return STATUS_TRUNCATED;
    return srcLen == BLOCK_HEADER + 1 && n > 0 ? <i32>n : STATUS_CORRUPT;
  }
  if (mode != MODE_HUFFMAN) return STATUS_CORRUPT;
  if (srcLen < BLOCK_HEADER + 1) return STATUS_TRUNCATED;
  const streams = jumpTableOffset(<usize>load<u8>(src, BLOCK_HEADER)) + JUMP_TABLE;
  if (srcLen < streams) return STATUS_TRUNCATED;
  if (<u64>n > <u64>(srcLen - streams) * 8) return STATUS_CORRUPT;
  return <i32>n;
}
