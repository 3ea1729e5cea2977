// The context entropy block encoder (format: huffman_context_decode.ts). It writes the order-0 block huffmanEncode
// gives, then measures the two-table code with m each of the 4 most frequent bytes, and writes the smallest instead
// when it saves at least 1/128 of the block (it decodes slower). The same scalar code runs in both builds, so their blocks are identical.
//
// Safety: reads only [src, src + srcLen), writes only [dst, dst + dstCap); dstCap must be at least
// huffmanBound(srcLen) (a mode 3 block is written only when smaller than the order-0 block, which fits that bound).

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import { BLOCK_HEADER, JUMP_TABLE, STREAMS } from './huffman_format';
import { assignCodes, huffmanBound, huffmanEncode } from './huffman_encode';
import { codeBits, codeLengths } from './huffman_lengths';
import { MODE_CONTEXT } from './huffman_context_decode';

/** Values of m tried: the most frequent bytes. */
const CANDIDATES: usize = 4;
/** Per context: a histogram (256 u32), code lengths (256 bytes), codes (256 u32). */
const COUNTS: usize = memory.data(<i32>(2 * 256 * 4), 16);
/** Histograms of the bytes 4 after no candidate (0) and after candidate 1–4 (CLASS), 256 u32 each. */
const AFTER: usize = memory.data((1 + <i32>CANDIDATES) * 256 * 4, 16);
/** Per byte value, its histogram in AFTER: 0, or 1 + its rank among the candidates. */
const CLASS: usize = memory.data(256, 16);
const LENGTHS: usize = memory.data(<i32>(2 * 256), 16);
const CODES: usize = memory.data(<i32>(2 * 256 * 4), 16);
/** Per context: the highest byte value with a code (u32). */
const LASTS: usize = memory.data(8, 16);
/** Byte values, the CANDIDATES most frequent first. */
const RANKED: usize = memory.data(256, 16);
/** Below this many bytes a second table cannot pay for itself. */
const MIN_INPUT: usize = 256;

const NO_CODE: u64 = u64.MAX_VALUE;

/** Encodes [src, src + srcLen) as a context block at `dst`; returns its size, ARGUMENT or OUTPUT_FULL as huffmanEncode. */
export function huffmanContextEncode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const plain = huffmanEncode(src, srcLen, dst, dstCap);
  if (plain < 0 || srcLen < MIN_INPUT) return plain;
  rankByCount(src, srcLen);
  countAfter(src, srcLen);
  let context: u8 = 0;
  let chosen: usize = 0;
  let best = NO_CODE;
  for (let c: usize = 0; c < CANDIDATES; c++) {
    const size = contextSize(c, false);
    if (size < best) {
      best = size;
      chosen = c;
      context = load<u8>(RANKED + c);
    }
  }
  // No candidate can have two tables (NO_CODE, which the sum below would wrap): the order-0 block.
  if (best == NO_CODE) return plain;
  // The second table slows decoding: it has to save at least 1/128 of the block.
  if (best + (<u64>plain >> 7) >= <u64>plain) return plain;
  contextSize(chosen, true); // the chosen m's tables' lengths into LENGTHS
  if (dstCap < huffmanBound(srcLen)) return STATUS_OUTPUT_FULL;
  store<u8>(dst, MODE_CONTEXT);
  store<u32>(dst, <u32>srcLen, 1);
  store<u8>(dst, context, BLOCK_HEADER);
  let at = dst + BLOCK_HEADER + 1;
  for (let t: usize = 0; t < 2; t++) {
    const lengths = LENGTHS + t * 256;
    const top = <usize>load<u32>(LASTS + (t << 2));
    assignCodes(lengths, CODES + t * 1024, top);
    store<u8>(at++, <u8>top);
    for (let v: usize = 0; v <= top; v += 2) {
      const high = v + 1 <= top ? load<u8>(lengths + v + 1) : 0;
      store<u8>(at++, load<u8>(lengths + v) | (high << 4));
    }
  }
  const jump = at;
  let op = jump + JUMP_TABLE;
  for (let k: usize = 0; k < STREAMS; k++) {
    const end = writeStream(src, k, srcLen, op, context);
    if (k < STREAMS - 1) store<u32>(jump + (k << 2), <u32>(end - op));
    op = end;
  }
  return <i32>(op - dst);
}

/** The byte values into RANKED by count, most frequent first (ties: the lower value), and their classes into CLASS. */
function rankByCount(src: usize, srcLen: usize): void {
  memory.fill(COUNTS, 0, 1024);
  for (let p: usize = 0; p < srcLen; p++) {
    const a = COUNTS + (<usize>load<u8>(src + p) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let v: usize = 0; v < 256; v++) store<u8>(RANKED + v, <u8>v);
  for (let i: usize = 0; i < CANDIDATES; i++) {
    for (let j = i + 1; j < 256; j++) {
      const a = <usize>load<u8>(RANKED + i), b = <usize>load<u8>(RANKED + j);
      if (load<u32>(COUNTS + (b << 2)) > load<u32>(COUNTS + (a << 2))) {
        store<u8>(RANKED + i, <u8>b);
        store<u8>(RANKED + j, <u8>a);
      }
    }
  }
  memory.fill(CLASS, 0, 256);
  for (let c: usize = 0; c < CANDIDATES; c++) store<u8>(CLASS + <usize>load<u8>(RANKED + c), <u8>(c + 1));
}

/** Counts each byte into AFTER's histogram of the class of the byte 4 before it (the first 4 bytes: class 0). */
function countAfter(src: usize, srcLen: usize): void {
  memory.fill(AFTER, 0, (1 + CANDIDATES) * 1024);
  for (let p: usize = 0; p < srcLen; p++) {
    const after = p >= STREAMS ? <usize>load<u8>(CLASS + <usize>load<u8>(src + p - STREAMS)) << 10 : 0;
    const a = AFTER + after + (<usize>load<u8>(src + p) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
}

/** The size of the context block with candidate c as m, at most (each stream rounded up to whole bytes), with its
 *  tables' histograms in COUNTS, their highest values in LASTS and, when `withLengths`, their code lengths in LENGTHS;
 *  NO_CODE when a table has one value. */
function contextSize(c: usize, withLengths: bool): u64 {
  // Table 1: the bytes 4 after m; table 0: all others (those after no candidate, and after the other candidates).
  const after = AFTER + ((c + 1) << 10);
  for (let v: usize = 0; v < 1024; v += 4) {
    let other = load<u32>(AFTER + v);
    for (let k: usize = 1; k <= CANDIDATES; k++) if (k != c + 1) other += load<u32>(AFTER + (k << 10) + v);
    store<u32>(COUNTS + v, other);
    store<u32>(COUNTS + 1024 + v, load<u32>(after + v));
  }
  let bits: u64 = 0;
  let header: usize = BLOCK_HEADER + 1 + JUMP_TABLE + STREAMS;
  for (let t: usize = 0; t < 2; t++) {
    const counts = COUNTS + t * 1024;
    let distinct: usize = 0;
    for (let v: usize = 0; v < 256; v++) {
      if (load<u32>(counts + (v << 2)) != 0) {
        distinct++;
        store<u32>(LASTS + (t << 2), <u32>v);
      }
    }
    if (distinct < 2) return NO_CODE;
    const top = <usize>load<u32>(LASTS + (t << 2));
    if (withLengths) {
      codeLengths(counts, LENGTHS + t * 256);
      for (let v: usize = 0; v <= top; v++) bits += <u64>load<u32>(counts + (v << 2)) * <u64>load<u8>(LENGTHS + t * 256 + v);
    } else {
      bits += codeBits(counts);
    }
    header += 1 + ((top + 2) >> 1);
  }
  return <u64>header + ((bits + 7) >> 3);
}

/** Writes stream k (bytes k, k + 4, … of the input) at `op`; returns its end. */
function writeStream(src: usize, k: usize, srcLen: usize, op: usize, context: u8): usize {
  let acc: u64 = 0;
  let filled: u64 = 0;
  for (let p = k; p < srcLen; p += STREAMS) {
    const t: usize = p >= STREAMS && load<u8>(src + p - STREAMS) == context ? 1024 : 0;
    const code = load<u32>(CODES + t + (<usize>load<u8>(src + p) << 2));
    acc |= <u64>(code & 0xffff) << filled;
    filled += <u64>(code >> 16);
    if (filled >= 32) {
      store<u32>(op, <u32>acc);
      op += 4;
      acc >>= 32;
      filled -= 32;
    }
  }
  store<u64>(op, acc);
  return op + <usize>((filled + 7) >> 3);
}
