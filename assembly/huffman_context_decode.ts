// The context entropy block (format 1.3, the `huffman_ctx` stage): the entropy block of huffman_format.ts, modes 0–2
// unchanged, plus mode 3, two canonical Huffman codes of which each byte takes one by the byte before it in its
// stream. Quantized weights cluster on one code (the mode); after it, another mode is likelier than elsewhere.
//
// Mode 3 (integers little-endian):
//
//   offset  size                   field
//   0       1                      mode: 3
//   1       4                      n, the decoded length (u32, at most 2^31 - 1)
//   5       1                      m, the context byte value
//   6       1                      last0: the highest byte value with a code in table 0
//   7       (last0 + 2) >> 1       the code lengths of table 0, 4 bits each, as a huffman block's
//   then    1                      last1, then (last1 + 2) >> 1 bytes: the code lengths of table 1
//   then    12                     jump table: the byte lengths of streams 0, 1 and 2; stream 3 takes the rest
//   then                           the four streams
//
// Stream k codes the bytes at positions k, k + 4, … as in a huffman block, each by a code of table 1 when the byte 4
// positions before it (the one before it in its stream) is m, and of table 0 otherwise (positions 0–3: table 0). Each
// table's lengths form a complete code (Σ 2^(11 − length) = 2^11), canonical as in a huffman block; streams have
// exactly ceil(bits / 8) bytes and zero padding bits; n is at most 8 times the bytes after the jump table.
//
// Status: as a huffman block's, and in this order: mode and n against the block's size (the block is TRUNCATED
// before its tables and jump table end), the capacity (OUTPUT_FULL), table 0's lengths and Kraft sum, table 1's,
// each stream's size then count, each stream's codes and end (streams 0 to 3). test/reference/huffman-context.ts is a
// plain decoder of this description.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap), for any input; every
// step consumes input or ends the call. Bytes of [dst, dst + n) may be written before a status reports a bad block.
//
// Decoding: one lookup per code in a table of u16 entries (byte value, code length), the table chosen by the stream's
// previous byte: a stream's next lookup waits on this one's entry only, as in huffman_decode.ts (plus a compare). The
// four streams decode side by side, 5 codes each per refill.

import { STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { BLOCK_HEADER, JUMP_TABLE, MAX_CODE_BITS, MAX_DECODED, STREAMS, huffmanDecodedSize, streamCount } from './huffman_format';
import { buildTable, huffmanDecode, peekNearEnd } from './huffman_decode';

export const MODE_CONTEXT: u8 = 3;
const TABLE_SIZE: usize = 1 << MAX_CODE_BITS;
const INDEX_MASK: u32 = <u32>(TABLE_SIZE - 1);
/** Table t at TABLES + t·TABLE_BYTES: per 11-bit index, a u16 of the code's byte value (low) and length (high). */
const TABLE_BYTES: usize = 2 * TABLE_SIZE;
const TABLES: usize = memory.data(<i32>(4 << MAX_CODE_BITS), 16);
/** Where buildTable puts one table's byte values and lengths before they are merged into u16 entries. */
const BUILT_SYMBOLS: usize = memory.data(<i32>(1 << MAX_CODE_BITS), 16);
const BUILT_LENGTHS: usize = memory.data(<i32>(1 << MAX_CODE_BITS), 16);
/** Each stream's position (u64, in bits from address 0), end (u64, a byte address). */
const READERS: usize = memory.data(<i32>(STREAMS * 16), 16);

/** Where a mode 3 block's table `t` lengths start, or past srcLen when the block is too short (t = 2: the jump table). */
function fieldAt(src: usize, srcLen: usize, t: usize): usize {
  let at: usize = BLOCK_HEADER + 1;
  for (let k: usize = 0; k < t; k++) {
    if (at >= srcLen) return srcLen + 1;
    at += 1 + ((<usize>load<u8>(src + at) + 2) >> 1);
  }
  return at;
}

/** The decoded length of a context block (any mode), once its header is checked against its size, or a status. */
export function huffmanContextDecodedSize(src: usize, srcLen: usize): i32 {
  if (srcLen < BLOCK_HEADER || load<u8>(src) != MODE_CONTEXT) return huffmanDecodedSize(src, srcLen);
  const n = <usize>load<u32>(src, 1);
  if (n > MAX_DECODED) return STATUS_CORRUPT;
  const streams = fieldAt(src, srcLen, 2) + JUMP_TABLE;
  if (streams > srcLen) return STATUS_TRUNCATED;
  if (<u64>n > <u64>(srcLen - streams) * 8) return STATUS_CORRUPT;
  return <i32>n;
}

/**
 * Decodes the context block of `srcLen` bytes at `src` into `dst`; returns its decoded length or a status
 * (TRUNCATED, CORRUPT, OUTPUT_FULL when it passes `dstCap`).
 */
export function huffmanContextDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  if (srcLen < BLOCK_HEADER || load<u8>(src) != MODE_CONTEXT) return huffmanDecode(src, srcLen, dst, dstCap);
  const size = huffmanContextDecodedSize(src, srcLen);
  if (size < 0) return size;
  const n = <usize>size;
  if (n > dstCap) return STATUS_OUTPUT_FULL;
  const context = load<u8>(src, BLOCK_HEADER);
  for (let t: usize = 0; t < 2; t++) {
    const at = fieldAt(src, srcLen, t);
    if (!buildTable(src + at + 1, <usize>load<u8>(src + at), BUILT_SYMBOLS, BUILT_LENGTHS)) return STATUS_CORRUPT;
    mergeTable(TABLES + t * TABLE_BYTES);
  }
  const jump = src + fieldAt(src, srcLen, 2);
  let at = jump + JUMP_TABLE;
  let left = <u64>(src + srcLen - at);
  for (let k: usize = 0; k < STREAMS; k++) {
    const length = k < STREAMS - 1 ? <u64>load<u32>(jump + (k << 2)) : left;
    if (length > left) return STATUS_TRUNCATED;
    if (<u64>streamCount(n, k) > length * 8) return STATUS_CORRUPT;
    store<u64>(READERS + (k << 4), <u64>at << 3);
    store<u64>(READERS + (k << 4), <u64>at + length, 8);
    at += <usize>length;
    left -= length;
  }
  const o = decodeSideBySide(dst, dst + n, context);
  for (let k: usize = 0; k < STREAMS; k++) {
    const status = finishStream(READERS + (k << 4), o + k, dst + n, dst + k, context);
    if (status < 0) return status;
  }
  return size;
}

/** Merges the byte values and lengths buildTable left into the u16 entries of `table` (SIMD: 16 entries a step). */
function mergeTable(table: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let i: usize = 0; i < TABLE_SIZE; i += 16) {
      const symbols = v128.load(BUILT_SYMBOLS + i);
      const lengths = v128.load(BUILT_LENGTHS + i);
      v128.store(table + (i << 1), i8x16.shuffle(symbols, lengths, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
      v128.store(table + (i << 1), i8x16.shuffle(symbols, lengths, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), 16);
    }
    return;
  }
  for (let i: usize = 0; i < TABLE_SIZE; i++) {
    store<u16>(table + (i << 1), <u16>load<u8>(BUILT_SYMBOLS + i) | (<u16>load<u8>(BUILT_LENGTHS + i) << 8));
  }
}

/** The entry of the code at the bottom of `bits` in the table for the byte after `previous`. */
// @ts-ignore: decorator
@inline function entryAt(bits: u64, previous: u32, context: u32): usize {
  return TABLES + select<usize>(TABLE_BYTES, 0, previous == context) + (<usize>(<u32>bits & INDEX_MASK) << 1);
}

/** Codes per stream between refills: 5 × 11 bits ≤ the 57 a refill guarantees. */
const CODES_PER_REFILL: usize = 5;

/** Rounds whose refills certainly load inside a stream at `pos` ending at `end`: a round reads at most 55 bits, so
 *  moves at most 7 bytes. */
// @ts-ignore: decorator
@inline function safeRounds(pos: u64, end: u64): usize {
  const left = end - (pos >> 3);
  return left >= 8 ? <usize>((left - 8) / 7 + 1) : 0;
}

/** Decodes 5 codes of each stream per round into 20 output bytes from `op` while every stream and the output have
 *  room (the tails are left to finishStream). Returns the first byte not written. */
function decodeSideBySide(start: usize, outEnd: usize, context: u32): usize {
  let op = start;
  let q0 = load<u64>(READERS), q1 = load<u64>(READERS + 16), q2 = load<u64>(READERS + 32), q3 = load<u64>(READERS + 48);
  const e0 = load<u64>(READERS, 8), e1 = load<u64>(READERS + 16, 8), e2 = load<u64>(READERS + 32, 8), e3 = load<u64>(READERS + 48, 8);
  // Positions 0–3 take table 0: their streams have no byte before them, taken as one that is not m.
  let p0: u32 = context ^ 1, p1 = p0, p2 = p0, p3 = p0;
  while (true) {
    let rounds = (outEnd - op) / (CODES_PER_REFILL * STREAMS);
    rounds = min(rounds, safeRounds(q0, e0));
    rounds = min(rounds, safeRounds(q1, e1));
    rounds = min(rounds, safeRounds(q2, e2));
    rounds = min(rounds, safeRounds(q3, e3));
    if (rounds == 0) break;
    do {
      let b0 = peekAt(q0), b1 = peekAt(q1), b2 = peekAt(q2), b3 = peekAt(q3);
      for (let k: usize = 0; k < CODES_PER_REFILL; k++) {
        const x0 = <u32>load<u16>(entryAt(b0, p0, context));
        const x1 = <u32>load<u16>(entryAt(b1, p1, context));
        const x2 = <u32>load<u16>(entryAt(b2, p2, context));
        const x3 = <u32>load<u16>(entryAt(b3, p3, context));
        p0 = x0 & 0xff; p1 = x1 & 0xff; p2 = x2 & 0xff; p3 = x3 & 0xff;
        store<u8>(op, <u8>x0, 0); store<u8>(op, <u8>x1, 1); store<u8>(op, <u8>x2, 2); store<u8>(op, <u8>x3, 3);
        const n0 = <u64>(x0 >> 8), n1 = <u64>(x1 >> 8), n2 = <u64>(x2 >> 8), n3 = <u64>(x3 >> 8);
        b0 >>= n0; q0 += n0; b1 >>= n1; q1 += n1; b2 >>= n2; q2 += n2; b3 >>= n3; q3 += n3;
        op += STREAMS;
      }
    } while (--rounds);
  }
  store<u64>(READERS, q0);
  store<u64>(READERS + 16, q1);
  store<u64>(READERS + 32, q2);
  store<u64>(READERS + 48, q3);
  return op;
}

// @ts-ignore: decorator
@inline function peekAt(pos: u64): u64 {
  return load<u64>(<usize>(pos >> 3)) >> (pos & 7);
}

/** Decodes the rest of one stream (every 4th byte from `op` below `outEnd`; its first byte at `first`) a code at a
 *  time, then checks that exactly its bytes were used and its padding bits are 0. */
function finishStream(reader: usize, op: usize, outEnd: usize, first: usize, context: u32): i32 {
  let pos = load<u64>(reader);
  const end = load<u64>(reader, 8);
  const endBits = end << 3;
  while (op < outEnd) {
    const previous: u32 = op == first ? context ^ 1 : <u32>load<u8>(op - STREAMS);
    const entry = <u32>load<u16>(entryAt(peekNearEnd(pos, end), previous, context));
    store<u8>(op, <u8>entry);
    pos += <u64>(entry >> 8);
    if (pos > endBits) return STATUS_TRUNCATED;
    op += STREAMS;
  }
  if ((pos + 7) >> 3 != end) return STATUS_CORRUPT;
  const padding = <u32>pos & 7;
  return padding == 0 || load<u8>(<usize>(end - 1)) >> padding == 0 ? 0 : STATUS_CORRUPT;
}
