// The rANS block encoder (format: rans_decode.ts). It writes the context block huffmanContextEncode gives, then
// estimates a mode 4 block with one table and with two (m each of the 4 most frequent bytes), and writes the
// smallest estimate instead when it comes out smaller than the context block. Frequencies are the counts scaled to
// 4096 with integer arithmetic only, and the estimate's logarithms are the same f64 operations in both builds, so
// the SIMD and scalar builds write identical blocks.
//
// Safety: reads only [src, src + srcLen), writes only [dst, dst + dstCap); dstCap must be at least huffmanBound(srcLen)
// (a mode 4 block is kept only when smaller than the context block, which fits that bound).

import { STATUS_OUTPUT_FULL } from './status';
import { BLOCK_HEADER, JUMP_TABLE, STREAMS, streamCount } from './huffman_format';
import { huffmanContextEncode } from './huffman_context_encode';
import { MODE_RANS, PROB_BITS, PROB_SCALE, RANS_HEADER, STATE_LOW } from './rans_decode';

/** Byte counts: all bytes, then those after each candidate m (the 4 most frequent bytes). */
const COUNTS: usize = memory.data(<i32>(5 * 256 * 4), 16);
/** Table 0's counts for the candidate being measured (all bytes minus those after m). */
const OTHER: usize = memory.data(<i32>(256 * 4), 16);
/** Per table: frequencies and cumulative frequencies (u32 each). */
const FREQS: usize = memory.data(<i32>(2 * 256 * 4), 16);
const STARTS: usize = memory.data(<i32>(2 * 256 * 4), 16);
const CANDIDATES: usize = 4;
const RANKED: usize = memory.data(<i32>(CANDIDATES * 4), 16);
/** Below this many bytes a rANS table costs more than it can save over a Huffman code. */
const MIN_INPUT: usize = 64;
/** A one-table block's candidate number. */
const ORDER0: i32 = -1;

/** Encodes [src, src + srcLen) as a rANS block at `dst`; returns its size, ARGUMENT or OUTPUT_FULL as huffmanEncode. */
export function ransEncode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const plain = huffmanContextEncode(src, srcLen, dst, dstCap);
  if (plain < 0 || srcLen < MIN_INPUT || load<u8>(dst) < 2) return plain; // raw and run blocks stay
  countAll(src, srcLen);
  let best = ORDER0;
  let bestSize = estimate(COUNTS, 0) + RANS_HEADER;
  for (let c: usize = 0; c < CANDIDATES; c++) {
    const after = COUNTS + ((c + 1) << 10);
    if (total(after) == 0) continue;
    for (let v: usize = 0; v < 256; v++) store<u32>(OTHER + (v << 2), load<u32>(COUNTS + (v << 2)) - load<u32>(after + (v << 2)));
    const size = estimate(OTHER, 0) + estimate(after, 1) + RANS_HEADER;
    if (size < bestSize) {
      best = <i32>c;
      bestSize = size;
    }
  }
  if (bestSize + JUMP_TABLE + 4 * STREAMS >= <f64>plain) return plain;
  const size = writeBlock(src, srcLen, dst, dstCap, best);
  return size > 0 && size < plain ? size : huffmanContextEncode(src, srcLen, dst, dstCap);
}

/** Counts all bytes into COUNTS and, for each of the 4 most frequent bytes m, the bytes 4 after an m. */
function countAll(src: usize, srcLen: usize): void {
  memory.fill(COUNTS, 0, 5 * 1024);
  for (let p: usize = 0; p < srcLen; p++) {
    const a = COUNTS + (<usize>load<u8>(src + p) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  // The candidates, most frequent first (ties: the lower value).
  for (let c: usize = 0; c < CANDIDATES; c++) {
    let top: u32 = 256; // none: fewer distinct bytes than candidates, and no byte is 256
    let topCount: u32 = 0;
    for (let v: u32 = 0; v < 256; v++) {
      const n = load<u32>(COUNTS + (<usize>v << 2));
      if (n > topCount && !taken(v, c)) {
        top = v;
        topCount = n;
      }
    }
    store<u32>(RANKED + (c << 2), top);
  }
  const m0 = load<u32>(RANKED), m1 = load<u32>(RANKED, 4), m2 = load<u32>(RANKED, 8), m3 = load<u32>(RANKED, 12);
  for (let p: usize = STREAMS; p < srcLen; p++) {
    const before = <u32>load<u8>(src + p - STREAMS);
    const v = <usize>load<u8>(src + p) << 2;
    const c = before == m0 ? 1 : before == m1 ? 2 : before == m2 ? 3 : before == m3 ? 4 : 0;
    if (c == 0) continue;
    const a = COUNTS + (<usize>c << 10) + v;
    store<u32>(a, load<u32>(a) + 1);
  }
}

/** Whether byte value `v` is one of the first `c` candidates. */
function taken(v: u32, c: usize): bool {
  for (let k: usize = 0; k < c; k++) if (load<u32>(RANKED + (k << 2)) == v) return true;
  return false;
}

function total(counts: usize): u64 {
  let n: u64 = 0;
  for (let v: usize = 0; v < 256; v++) n += <u64>load<u32>(counts + (v << 2));
  return n;
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
  while (sum != PROB_SCALE) {
    const grow = sum < PROB_SCALE;
    let pick: usize = 256;
    for (let v: usize = 0; v < 256; v++) {
      const f = <u64>load<u32>(freqs + (v << 2));
      if (f == 0 || (!grow && f == 1)) continue;
      if (pick == 256) { pick = v; continue; }
      const c = <u64>load<u32>(counts + (v << 2));
      const pc = <u64>load<u32>(counts + (pick << 2)), pf = <u64>load<u32>(freqs + (pick << 2));
      if (grow ? c * pf > pc * f : c * pf < pc * f) pick = v;
    }
    const a = freqs + (pick << 2);
    store<u32>(a, grow ? load<u32>(a) + 1 : load<u32>(a) - 1);
    sum = grow ? sum + 1 : sum - 1;
  }
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

/** Writes table t (first, last, varints) at `at`; returns its end. */
function writeTable(at: usize, t: usize): usize {
  const freqs = FREQS + (t << 10);
  const starts = STARTS + (t << 10);
  const s = span(t);
  store<u8>(at++, <u8>(s >> 8));
  store<u8>(at++, <u8>s);
  let c: u32 = 0;
  for (let v: usize = 0; v < 256; v++) {
    const f = load<u32>(freqs + (v << 2));
    store<u32>(starts + (v << 2), c);
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
 * Writes the mode 4 block of candidate `best` (ORDER0: one table) at `dst`: its header and tables, then the streams,
 * each encoded from its last byte back into the top of [dst, dst + dstCap) and moved down after the jump table.
 * Returns its size, or OUTPUT_FULL when the streams do not fit.
 */
function writeBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, best: i32): i32 {
  const tables: usize = best == ORDER0 ? 1 : 2;
  const context: u32 = best == ORDER0 ? 0 : load<u32>(RANKED + (<usize>best << 2));
  if (best == ORDER0) normalize(COUNTS, 0);
  else {
    const after = COUNTS + ((<usize>best + 1) << 10);
    for (let v: usize = 0; v < 256; v++) store<u32>(OTHER + (v << 2), load<u32>(COUNTS + (v << 2)) - load<u32>(after + (v << 2)));
    normalize(OTHER, 0);
    normalize(after, 1);
  }
  store<u8>(dst, MODE_RANS);
  store<u32>(dst, <u32>srcLen, 1);
  store<u8>(dst, <u8>tables, BLOCK_HEADER);
  store<u8>(dst, <u8>context, BLOCK_HEADER + 1);
  let at = dst + RANS_HEADER;
  for (let t: usize = 0; t < tables; t++) at = writeTable(at, t);
  const jump = at;
  const low = jump + JUMP_TABLE;
  const top = dst + dstCap;
  if (low > top) return STATUS_OUTPUT_FULL;
  let p = top;
  for (let k = <i32>STREAMS - 1; k >= 0; k--) {
    const end = p;
    p = writeStream(src, <usize>k, srcLen, p, low, tables == 2 ? context : 256);
    if (p == 0) return STATUS_OUTPUT_FULL;
    if (k < <i32>STREAMS - 1) store<u32>(jump + (<usize>k << 2), <u32>(end - p));
  }
  memory.copy(low, p, top - p);
  return <i32>(low - dst + (top - p));
}

/** Encodes stream k (bytes k, k + 4, … of the input, from the last) downwards from `p`, not below `low`; returns where
 *  it starts (its starting state), or 0 when it does not fit. */
function writeStream(src: usize, k: usize, srcLen: usize, p: usize, low: usize, context: u32): usize {
  let x: u32 = STATE_LOW;
  for (let j = <isize>streamCount(srcLen, k) - 1; j >= 0; j--) {
    const i = k + (<usize>j << 2);
    const t: usize = i >= STREAMS && <u32>load<u8>(src + i - STREAMS) == context ? 1024 : 0;
    const s = <usize>load<u8>(src + i) << 2;
    const f = load<u32>(FREQS + t + s);
    if (<u64>x >= <u64>f << 20) {
      if (p - low < 2) return 0;
      p -= 2;
      store<u16>(p, <u16>x);
      x >>= 16;
    }
    // ⌊x / f⌋ · 4096 + x mod f, with one division: x + q · (4096 − f).
    const q = x / f;
    x += q * (PROB_SCALE - f) + load<u32>(STARTS + t + s);
  }
  if (p - low < 4) return 0;
  p -= 4;
  store<u32>(p, x);
  return p;
}
