// The rANS block encoder (format: rans_decode.ts). Two counting passes give the byte histogram and, for m each of the
// 4 most frequent bytes, the histogram of the bytes 4 after an m. From them alone it bounds the Huffman block
// huffmanContextEncode would write (package-merge code lengths: exact bits, streams not yet rounded to bytes; its
// 1/128 rule for a second table) and estimates a mode 4 block with one table and with two (m each candidate), then
// codes only the block it keeps: the smallest mode 4 estimate when it beats that bound, else the context block (raw
// and run blocks stay). Frequencies are the counts scaled to 4096 with integer arithmetic only, and the estimate's
// logarithms are the same f64 operations in both builds, so the SIMD and scalar builds write identical blocks.
//
// Coding a byte s from state x: x = ⌊x / f⌋ · 4096 + (x mod f) + c(s) = x + q · (4096 − f) + c(s), q = ⌊x / f⌋ taken
// without a division: with k = ⌈log2 f⌉ and r = ⌈2^(32 + k) / f⌉ − 2^32 (below 2^32), q = (⌊x · r / 2^32⌋ + x) >> k,
// exact for every x < 2^32 (Granlund–Montgomery: the rounding error of r, under f ≤ 2^k, times x stays below 2^(32+k)).
//
// Safety: reads only [src, src + srcLen), writes only [dst, dst + dstCap); dstCap must be at least huffmanBound(srcLen)
// (a mode 4 block is kept only when smaller than the context block, which fits that bound).

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import { BLOCK_HEADER, JUMP_TABLE, STREAMS, jumpTableOffset, streamCount } from './huffman_format';
import { huffmanBound } from './huffman_encode';
import { huffmanContextEncode } from './huffman_context_encode';
import { codeBits } from './huffman_lengths';
import { MODE_RANS, PROB_BITS, PROB_SCALE, RANS_HEADER, STATE_LOW } from './rans_decode';
import { LANES, LANE_STATES, MODE_RANS_LANES } from './rans_lanes_decode';

/** Byte counts: all bytes, then those 4 after each candidate m (the 4 most frequent bytes). */
const COUNTS: usize = memory.data(<i32>(5 * 256 * 4), 16);
/** The counting passes' histograms, one set per position mod 4 (no store waits on the one before it): in pass 1 one
 *  histogram per set, in pass 2 five (0: after no candidate, 1–4: after candidate 1–4). */
const LANES_COUNTS: usize = memory.data(<i32>(4 * 5 * 256 * 4), 16);
/** Per byte value, its histogram in pass 2: 0, or 1 + its rank among the candidates. */
const CLASS: usize = memory.data(256, 16);
/** Table 0's counts for the candidate being measured (all bytes minus those after m). */
const OTHER: usize = memory.data(<i32>(256 * 4), 16);
/** normalize's heap of the byte values whose frequencies may change (u32 each). */
const HEAP: usize = memory.data(<i32>(256 * 4), 16);
/** Per table: frequencies (u32 each). */
const FREQS: usize = memory.data(<i32>(2 * 256 * 4), 16);
/** Per table and byte value, what coding it takes (16 bytes): r, f, c(s), k. */
const SYMBOLS: usize = memory.data(<i32>(2 * 256 * 16), 16);
const CANDIDATES: usize = 4;
const RANKED: usize = memory.data(<i32>(CANDIDATES * 4), 16);
/** Below this many bytes a rANS table costs more than it can save over a Huffman code. */
const MIN_INPUT: usize = 64;
/** Below this many bytes huffmanContextEncode tries no second table. */
const CONTEXT_MIN_INPUT: usize = 256;
/** A one-table block's candidate number. */
const ORDER0: i32 = -1;
const NO_CODE: u64 = u64.MAX_VALUE;

/** Encodes [src, src + srcLen) as a rANS block at `dst`; returns its size, ARGUMENT or OUTPUT_FULL as huffmanEncode. */
export function ransEncode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  return encodeBlock(src, srcLen, dst, dstCap, false);
}

/** Encodes [src, src + srcLen) as a rans_lanes block at `dst` (format 1.5): mode 5 where ransEncode would write mode 4
 *  and the input has at least LANES_MIN_INPUT bytes, else ransEncode's block. */
export function ransLanesEncode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  return encodeBlock(src, srcLen, dst, dstCap, true);
}

/** Below this many bytes the 256 bytes of a mode 5 block's states cost more than its decode speed is worth. */
const LANES_MIN_INPUT: usize = 16384;
/** Mode 5 is kept over mode 4 when at most 1/this larger. At 1/32 face-api's seven models (lossless) take 8,318,701
 *  bytes, 28 KB more (3 KB under brotli-11's), and its int8 codes decode no measurably faster (their one mode 4 plane
 *  of 576 KiB moves to regroup + rans_lanes); with mode 5 for every plane of 16 KiB and more, 8,328,184 (over it). */
const LANES_MAX_COST: f64 = 200;

/** The estimated size (header and tables, without streams' states) of the best rANS block for the counts in COUNTS. */
let bestSize: f64 = 0;

/** The candidate (ORDER0: one table) whose rANS block is estimated smallest from COUNTS; its estimate in bestSize. */
function bestTables(): i32 {
  let best = ORDER0;
  bestSize = estimate(COUNTS, 0) + RANS_HEADER;
  for (let c: usize = 0; c < CANDIDATES; c++) {
    const after = COUNTS + ((c + 1) << 10);
    if (total(after) == 0) continue;
    subtract(after);
    const size = estimate(OTHER, 0) + estimate(after, 1) + RANS_HEADER;
    if (size < bestSize) {
      best = <i32>c;
      bestSize = size;
    }
  }
  return best;
}

function encodeBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, lanes: bool): i32 {
  if (srcLen < MIN_INPUT) return huffmanContextEncode(src, srcLen, dst, dstCap);
  const bound = huffmanBound(srcLen);
  if (bound == 0) return STATUS_ARGUMENT;
  if (dstCap < bound) return STATUS_OUTPUT_FULL;
  countBytes(src, srcLen);
  countAfter(src, srcLen, STREAMS);
  const context = huffmanBlockLowerBound(srcLen);
  // One byte value (a run block), or no Huffman code smaller than the bytes themselves (a raw block): those stay.
  if (context == 0 || context >= <u64>(BLOCK_HEADER + srcLen)) return huffmanContextEncode(src, srcLen, dst, dstCap);
  let best = bestTables();
  let wide = false;
  if (lanes && srcLen >= LANES_MIN_INPUT) {
    // Mode 5: its second table chosen by the byte before in its lane, 64 positions back, and 256 bytes of states.
    // Kept when at most 1/LANES_MAX_COST larger than mode 4 (it decodes about twice as fast).
    const narrowSize = bestSize + <f64>(JUMP_TABLE + 4 * STREAMS);
    const narrowBest = best;
    countAfter(src, srcLen, LANES);
    best = bestTables();
    wide = bestSize + <f64>LANE_STATES <= narrowSize + narrowSize / LANES_MAX_COST;
    if (!wide) {
      countAfter(src, srcLen, STREAMS);
      best = narrowBest;
      bestSize = narrowSize - <f64>(JUMP_TABLE + 4 * STREAMS);
    }
  }
  const states: usize = wide ? LANE_STATES : JUMP_TABLE + 4 * STREAMS;
  if (bestSize + <f64>states >= <f64>context) return huffmanContextEncode(src, srcLen, dst, dstCap);
  const size = writeBlock(src, srcLen, dst, dstCap, best, wide);
  if (size > 0 && <u64>size < context) return size;
  // Near the bound (rare): code the context block to know its size, and the rANS block again if it is smaller.
  const plain = huffmanContextEncode(src, srcLen, dst, dstCap);
  if (size <= 0 || plain <= size) return plain;
  return writeBlock(src, srcLen, dst, dstCap, best, wide);
}

/** Counts all bytes into COUNTS, and ranks the 4 most frequent into RANKED and CLASS. */
function countBytes(src: usize, srcLen: usize): void {
  memory.fill(LANES_COUNTS, 0, 4 * 1024);
  const words = srcLen & ~(<usize>3);
  for (let p: usize = 0; p < words; p += 4) {
    const w = load<u32>(src + p);
    bump(LANES_COUNTS + ((w & 0xff) << 2));
    bump(LANES_COUNTS + 1024 + (((w >> 8) & 0xff) << 2));
    bump(LANES_COUNTS + 2048 + (((w >> 16) & 0xff) << 2));
    bump(LANES_COUNTS + 3072 + ((w >> 24) << 2));
  }
  for (let p = words; p < srcLen; p++) bump(LANES_COUNTS + (<usize>load<u8>(src + p) << 2));
  for (let v: usize = 0; v < 1024; v += 4) {
    store<u32>(COUNTS + v, load<u32>(LANES_COUNTS + v) + load<u32>(LANES_COUNTS + 1024 + v) + load<u32>(LANES_COUNTS + 2048 + v) + load<u32>(LANES_COUNTS + 3072 + v));
  }
  // The candidates, most frequent first (ties: the lower value).
  memory.fill(CLASS, 0, 256);
  for (let c: usize = 0; c < CANDIDATES; c++) {
    let top: u32 = 256; // none: fewer distinct bytes than candidates, and no byte is 256
    let topCount: u32 = 0;
    for (let v: u32 = 0; v < 256; v++) {
      const n = load<u32>(COUNTS + (<usize>v << 2));
      if (n > topCount && load<u8>(CLASS + v) == 0) {
        top = v;
        topCount = n;
      }
    }
    store<u32>(RANKED + (c << 2), top);
    if (top < 256) store<u8>(CLASS + top, <u8>(c + 1));
  }
}

/** For each candidate m, counts the bytes `distance` (a multiple of 4) after an m into COUNTS' histograms 1–4. */
function countAfter(src: usize, srcLen: usize, distance: usize): void {
  // Lane j's histogram h counts the bytes at positions ≡ j (mod 4) whose byte `distance` before is of class h.
  memory.fill(LANES_COUNTS, 0, 4 * 5 * 1024);
  const words = srcLen & ~(<usize>3);
  for (let p: usize = distance; p < words; p += 4) {
    const w = load<u32>(src + p);
    const before = load<u32>(src + p - distance);
    bump(LANES_COUNTS + (<usize>load<u8>(CLASS + (before & 0xff)) << 10) + ((w & 0xff) << 2));
    bump(LANES_COUNTS + 5120 + (<usize>load<u8>(CLASS + ((before >> 8) & 0xff)) << 10) + (((w >> 8) & 0xff) << 2));
    bump(LANES_COUNTS + 10240 + (<usize>load<u8>(CLASS + ((before >> 16) & 0xff)) << 10) + (((w >> 16) & 0xff) << 2));
    bump(LANES_COUNTS + 15360 + (<usize>load<u8>(CLASS + (before >> 24)) << 10) + ((w >> 24) << 2));
  }
  for (let p = max(words, distance); p < srcLen; p++) {
    bump(LANES_COUNTS + (<usize>load<u8>(CLASS + load<u8>(src + p - distance)) << 10) + (<usize>load<u8>(src + p) << 2));
  }
  for (let v: usize = 1024; v < 5120; v += 4) {
    store<u32>(COUNTS + v, load<u32>(LANES_COUNTS + v) + load<u32>(LANES_COUNTS + 5120 + v) + load<u32>(LANES_COUNTS + 10240 + v) + load<u32>(LANES_COUNTS + 15360 + v));
  }
}

// @ts-ignore: decorator
@inline function bump(a: usize): void {
  store<u32>(a, load<u32>(a) + 1);
}

/** OTHER = COUNTS − `after`: table 0's counts when table 1 takes the bytes after m. */
function subtract(after: usize): void {
  for (let v: usize = 0; v < 1024; v += 4) store<u32>(OTHER + v, load<u32>(COUNTS + v) - load<u32>(after + v));
}

function total(counts: usize): u64 {
  let n: u64 = 0;
  for (let v: usize = 0; v < 256; v++) n += <u64>load<u32>(counts + (v << 2));
  return n;
}

/**
 * At most the size of a Huffman block huffmanContextEncode may write for these counts (its streams round up to whole
 * bytes each, the bits counted here once): the order-0 block, or a smaller two-table block (from 256 bytes) of a
 * candidate m that may pass its rule (saving 1/128 of the order-0 block, whose size is known here to 3 bytes).
 * 0 for one byte value (a run block).
 */
function huffmanBlockLowerBound(srcLen: usize): u64 {
  const order0 = huffmanBits(COUNTS);
  if (order0 == NO_CODE) return 0;
  const plain = <u64>(jumpTableOffset(<usize>codedLast) + JUMP_TABLE) + ((order0 + 7) >> 3);
  let least = plain;
  if (srcLen < CONTEXT_MIN_INPUT) return least;
  const plainAtMost = min(plain + STREAMS - 1, <u64>(BLOCK_HEADER + srcLen));
  for (let c: usize = 0; c < CANDIDATES; c++) {
    const after = COUNTS + ((c + 1) << 10);
    subtract(after);
    const bits0 = huffmanBits(OTHER);
    const lengths0 = 1 + ((codedLast + 2) >> 1); // `last` and the code lengths, 4 bits each
    const bits1 = huffmanBits(after);
    const lengths1 = 1 + ((codedLast + 2) >> 1);
    if (bits0 == NO_CODE || bits1 == NO_CODE) continue;
    // Mode, n, m, both tables' lengths, the jump table and the code bits; huffmanContextEncode counts 4 more bytes for
    // the streams' rounding when it applies its rule.
    const size = <u64>(BLOCK_HEADER + 1 + JUMP_TABLE + lengths0 + lengths1) + ((bits0 + bits1 + 7) >> 3);
    if (size + STREAMS + (plainAtMost >> 7) < plainAtMost) least = min(least, size);
  }
  return least;
}

/** The highest byte value with a code, of the last huffmanBits. */
let codedLast: u32 = 0;

/** The bits of the Huffman code of `counts` (package-merge lengths, as huffmanEncode's), its highest coded value in
 *  codedLast; NO_CODE when fewer than two byte values have counts. */
function huffmanBits(counts: usize): u64 {
  let distinct: u32 = 0;
  for (let v: usize = 0; v < 256; v++) {
    if (load<u32>(counts + (v << 2)) != 0) {
      distinct++;
      codedLast = <u32>v;
    }
  }
  return distinct < 2 ? NO_CODE : codeBits(counts);
}

/**
 * Scales `counts` (not all 0) to frequencies summing to 4096 in table `t` of FREQS, each present byte at least 1: each
 * rounded to nearest, then the sum corrected one step at a time on the byte whose code length changes least
 * (the largest count per frequency to grow, the smallest to shrink).
 */
function normalize(counts: usize, t: usize): void {
  const freqs = FREQS + (t << 10);
  const n = total(counts);
  let sum: u32 = 0;
  for (let v: usize = 0; v < 256; v++) {
    const c = <u64>load<u32>(counts + (v << 2));
    const f = c == 0 ? 0 : max<u32>(1, <u32>((c * <u64>PROB_SCALE + (n >> 1)) / n));
    store<u32>(freqs + (v << 2), f);
    sum += f;
  }
  if (sum == PROB_SCALE) return;
  // The bytes that may change, in a heap whose top is the next to: one step then costs a sift, not a scan of 256.
  const grow = sum < PROB_SCALE;
  let size: usize = 0;
  for (let v: usize = 0; v < 256; v++) {
    const f = load<u32>(freqs + (v << 2));
    if (f != 0 && (grow || f > 1)) store<u32>(HEAP + (size++ << 2), <u32>v);
  }
  for (let i = size >> 1; i > 0; i--) siftDown(i - 1, size, counts, freqs, grow);
  while (sum != PROB_SCALE) {
    const a = freqs + (<usize>load<u32>(HEAP) << 2);
    store<u32>(a, grow ? load<u32>(a) + 1 : load<u32>(a) - 1);
    sum = grow ? sum + 1 : sum - 1;
    if (!grow && load<u32>(a) == 1) store<u32>(HEAP, load<u32>(HEAP + (--size << 2)));
    siftDown(0, size, counts, freqs, grow);
  }
}

/** Whether byte a's frequency changes before byte b's: the larger count per frequency to grow, the smaller to
 *  shrink; the lower byte value on a tie. */
// @ts-ignore: decorator
@inline function changesFirst(a: usize, b: usize, counts: usize, freqs: usize, grow: bool): bool {
  const x = <u64>load<u32>(counts + (a << 2)) * <u64>load<u32>(freqs + (b << 2));
  const y = <u64>load<u32>(counts + (b << 2)) * <u64>load<u32>(freqs + (a << 2));
  return x != y ? (grow ? x > y : x < y) : a < b;
}

/** Moves HEAP's item at `at` down to its place among the `size` items (each before its children by changesFirst). */
function siftDown(at: usize, size: usize, counts: usize, freqs: usize, grow: bool): void {
  const item = <usize>load<u32>(HEAP + (at << 2));
  while (true) {
    let child: usize = 2 * at + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && changesFirst(<usize>load<u32>(HEAP + (right << 2)), <usize>load<u32>(HEAP + (child << 2)), counts, freqs, grow)) child = right;
    const next = <usize>load<u32>(HEAP + (child << 2));
    if (!changesFirst(next, item, counts, freqs, grow)) break;
    store<u32>(HEAP + (at << 2), <u32>next);
    at = child;
  }
  store<u32>(HEAP + (at << 2), <u32>item);
}

/** Bytes of table `t` once normalized from `counts`, plus the bytes its codes take (an estimate, in f64). */
function estimate(counts: usize, t: usize): f64 {
  normalize(counts, t);
  const freqs = FREQS + (t << 10);
  let bits: f64 = 0;
  for (let v: usize = 0; v < 256; v++) {
    const f = load<u32>(freqs + (v << 2));
    if (f != 0) bits += <f64>load<u32>(counts + (v << 2)) * (<f64>PROB_BITS - Math.log2(<f64>f));
  }
  return <f64>tableBytes(t) + bits / 8;
}

/** The lowest and highest byte values with a frequency in table t, as (first << 8) | last. */
function span(t: usize): u32 {
  const freqs = FREQS + (t << 10);
  let first: u32 = 255, last: u32 = 0;
  for (let v: u32 = 0; v < 256; v++) {
    if (load<u32>(freqs + (<usize>v << 2)) == 0) continue;
    if (v < first) first = v;
    last = v;
  }
  return (first << 8) | last;
}

function tableBytes(t: usize): usize {
  const freqs = FREQS + (t << 10);
  const s = span(t);
  let bytes: usize = 2;
  for (let v = s >> 8; v <= (s & 0xff); v++) bytes += load<u32>(freqs + (<usize>v << 2)) < 128 ? 1 : 2;
  return bytes;
}

/** Writes table t (first, last, varints) at `at` and fills its coding entries in SYMBOLS; returns its end. */
function writeTable(at: usize, t: usize): usize {
  const freqs = FREQS + (t << 10);
  const symbols = SYMBOLS + (t << 12);
  const s = span(t);
  store<u8>(at++, <u8>(s >> 8));
  store<u8>(at++, <u8>s);
  let c: u32 = 0;
  for (let v: usize = 0; v < 256; v++) {
    const f = load<u32>(freqs + (v << 2));
    const entry = symbols + (v << 4);
    if (f != 0) {
      const k = 32 - clz(f - 1); // ⌈log2 f⌉
      store<u32>(entry, <u32>((((<u64>1 << (32 + <u64>k)) + <u64>f - 1) / <u64>f) - (<u64>1 << 32)));
      store<u32>(entry, f, 4);
      store<u32>(entry, c, 8);
      store<u32>(entry, k, 12);
    }
    c += f;
    if (<u32>v < (s >> 8) || <u32>v > (s & 0xff)) continue;
    if (f < 128) store<u8>(at++, <u8>f);
    else {
      store<u8>(at++, <u8>(128 + (f & 127)));
      store<u8>(at++, <u8>(f >> 7));
    }
  }
  return at;
}

/**
 * Writes the mode 4 block (mode 5 when `wide`) of candidate `best` (ORDER0: one table) at `dst`: its header and
 * tables, then its streams or words, encoded from the last byte back into the top of [dst, dst + dstCap) and moved
 * down after the jump table or the states. Returns its size, or OUTPUT_FULL when they do not fit.
 */
function writeBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, best: i32, wide: bool): i32 {
  const tables: usize = best == ORDER0 ? 1 : 2;
  const context: u32 = best == ORDER0 ? 0 : load<u32>(RANKED + (<usize>best << 2));
  if (best == ORDER0) normalize(COUNTS, 0);
  else {
    const after = COUNTS + ((<usize>best + 1) << 10);
    subtract(after);
    normalize(OTHER, 0);
    normalize(after, 1);
  }
  store<u8>(dst, wide ? MODE_RANS_LANES : MODE_RANS);
  store<u32>(dst, <u32>srcLen, 1);
  store<u8>(dst, <u8>tables, BLOCK_HEADER);
  store<u8>(dst, <u8>context, BLOCK_HEADER + 1);
  let at = dst + RANS_HEADER;
  for (let t: usize = 0; t < tables; t++) at = writeTable(at, t);
  const low = at + (wide ? LANE_STATES : JUMP_TABLE);
  const top = dst + dstCap;
  if (low > top) return STATUS_OUTPUT_FULL;
  let p = top;
  if (wide) {
    p = writeLanes(src, srcLen, p, low, tables == 2 ? context : 256);
    if (p == 0) return STATUS_OUTPUT_FULL;
    memory.copy(at, LANE_X, LANE_STATES);
  } else {
    for (let k = <i32>STREAMS - 1; k >= 0; k--) {
      const end = p;
      p = writeStream(src, <usize>k, srcLen, p, low, tables == 2 ? context : 256);
      if (p == 0) return STATUS_OUTPUT_FULL;
      if (k < <i32>STREAMS - 1) store<u32>(at + (<usize>k << 2), <u32>(end - p));
    }
  }
  memory.copy(low, p, top - p);
  return <i32>(low - dst + (top - p));
}

/** The byte `s` coded into state `x` (renormalized): x = ⌊x / f⌋ · 4096 + (x mod f) + c(s), from its entry. */
// @ts-ignore: decorator
@inline function encodeByte(x: u32, entry: usize): u32 {
  const q = <u32>((((<u64>x * <u64>load<u32>(entry)) >> 32) + <u64>x) >> <u64>load<u32>(entry, 12));
  return x + q * (PROB_SCALE - load<u32>(entry, 4)) + load<u32>(entry, 8);
}

/** The table entry (SYMBOLS) of byte `s` whose byte before (in its stream or lane) is `before`. */
// @ts-ignore: decorator
@inline function symbolEntry(s: u32, before: u32, context: u32): usize {
  return SYMBOLS + select<usize>(4096, 0, before == context) + (<usize>s << 4);
}

/** Each lane's state while writeLanes encodes. */
const LANE_X: usize = memory.data(<i32>LANE_STATES, 16);

/** Encodes every byte into its lane's state (mode 5), from the last, the words downwards from `p`, not below `low`;
 *  returns where the words start, the final states in LANE_X; 0 when they do not fit. */
function writeLanes(src: usize, srcLen: usize, p: usize, low: usize, context: u32): usize {
  for (let k: usize = 0; k < LANE_STATES; k += 4) store<u32>(LANE_X + k, STATE_LOW);
  let i = srcLen;
  while (i > 0) {
    // Down to the round's first position: at most a word each, so the room is checked once per round. Positions from
    // LANES on take the table their byte LANES before chooses; the first LANES take table 0.
    const stop = (i - 1) & ~(LANES - 1);
    if (p - low < ((i - stop) << 1) + 2) return 0;
    if (stop > 0) {
      do {
        i--;
        p = encodeLane(src + i, LANE_X + ((i & (LANES - 1)) << 2), <u32>load<u8>(src + i - LANES), context, p);
      } while (i > stop);
    } else {
      do {
        i--;
        p = encodeLane(src + i, LANE_X + (i << 2), context ^ 1, context, p);
      } while (i > 0);
    }
  }
  return p;
}

/** Encodes the byte at `at` into the state at `lane`, its word (if any) just below `p` (the caller checked the room
 *  for it and one more byte pair: the word is written whether it goes out or not, which saves a branch that half
 *  the bytes mispredict); returns the new `p`. */
// @ts-ignore: decorator
@inline function encodeLane(at: usize, lane: usize, before: u32, context: u32, p: usize): usize {
  let x = load<u32>(lane);
  const entry = symbolEntry(<u32>load<u8>(at), before, context);
  const out = x >> 20 >= load<u32>(entry, 4); // x ≥ f · 2^20: a word out, as x < f · 2^20 keeps the next state below 2^32
  store<u16>(p - 2, <u16>x);
  x = select<u32>(x >> 16, x, out);
  store<u32>(lane, encodeByte(x, entry));
  return p - (<usize>out << 1);
}

/** Encodes stream k (bytes k, k + 4, … of the input, from the last) downwards from `p`, not below `low`; returns where
 *  it starts (its starting state), or 0 when it does not fit. `context` is m, or 256 for one table. */
function writeStream(src: usize, k: usize, srcLen: usize, p: usize, low: usize, context: u32): usize {
  let x: u32 = STATE_LOW;
  const count = streamCount(srcLen, k);
  if (count > 0) {
    let i = k + ((count - 1) << 2);
    let s = <u32>load<u8>(src + i);
    while (true) {
      // The byte before in the stream chooses the table; it is the next one coded.
      const before: u32 = i >= STREAMS ? <u32>load<u8>(src + i - STREAMS) : context ^ 1;
      const entry = symbolEntry(s, before, context);
      if (x >> 20 >= load<u32>(entry, 4)) {
        if (p - low < 2) return 0;
        p -= 2;
        store<u16>(p, <u16>x);
        x >>= 16;
      }
      x = encodeByte(x, entry);
      if (i < STREAMS) break;
      i -= STREAMS;
      s = before;
    }
  }
  if (p - low < 4) return 0;
  p -= 4;
  store<u32>(p, x);
  return p;
}
