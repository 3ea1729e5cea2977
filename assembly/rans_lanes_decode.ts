// The rans_lanes block (format 1.5): a rANS block of rans_decode.ts (modes 0–4), or mode 5, static rANS over 64
// interleaved states that read one shared stream of words.
//
// Mode 5 (integers little-endian):
//
//   offset  size      field
//   0       1         mode: 5
//   1       4         n, the decoded length (u32, at most 2^31 - 1)
//   5       1         T, tables: 1 or 2
//   6       1         m, the context byte value (T = 2); 0 when T = 1
//   7                 T tables, as mode 4's
//   then    256       the starting states of lanes 0..63 (u32 each)
//   then              u16 words to the block's end
//
// Position i belongs to lane i mod 64 and takes table 1 when T = 2 and the byte 64 positions before is m. Positions
// are decoded in increasing order, each as a mode 4 stream decodes one (slot = x & 4095, the byte s whose slot range
// holds it, x = f(s)·(x >> 12) + slot − c(s)), and when its lane's x < 2^16, x = x << 16 | the next word.
//
// Status, in this order: mode 4's header and table checks (TRUNCATED / CORRUPT), the 256 bytes of states (TRUNCATED),
// the capacity (OUTPUT_FULL), an odd number of bytes of words (CORRUPT), a starting state below 2^16 (CORRUPT), then
// the decoding: a word past the end TRUNCATED; a final state other than 2^16 or words left over CORRUPT.
// test/reference/rans.ts is a plain decoder of docs/FORMAT.md's words for it.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap), for any input. Bytes of
// [dst, dst + n) may be written before a status.
//
// Decoding (SIMD build): a step decodes 64 positions as 16 groups of 4 lanes, a group's states in one v128: the slots
// masked and turned into table addresses in vector, the 4 entries loaded lane by lane (WebAssembly SIMD has no
// gather), the multiply and renormalization in vector — the lanes that need a word take the next ones of the shared
// stream through a swizzle chosen by their mask. The 16 groups' chains are independent, so they overlap: about twice
// the speed of mode 4's four scalar streams (measured 1.1 vs 0.55 GB/s on the 2-core EPYC VM; eight groups ran 10%
// slower, the groups in a loop over states in memory 18% slower). The scalar build, and the positions the loop
// leaves (it runs while 128 bytes of words are left), decode a position at a time.

import { STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { BLOCK_HEADER, MAX_DECODED } from './huffman_format';
import { PROB_BITS, SLOT_MASK, STATE_LOW, TABLES, TABLE_BYTES, advance, entryAt, ransDecode, tablesEnd } from './rans_decode';

export const MODE_RANS_LANES: u8 = 5;
export const LANES: usize = 64;
/** The starting states' bytes. */
export const LANE_STATES: usize = LANES * 4;
/** Each lane's state (u32), between calls of the loops below. */
const STATES: usize = memory.data(<i32>LANE_STATES, 16);
/** Per mask of a group's lanes that take a word (4 bits), the swizzle that moves the next words into those lanes'
 *  low halves (index 0xff: a zero byte). */
const REFILLS: usize = memory.data(16 * 16, 16);
/** The next word to read, and the end of the words. */
let wordAt: usize = 0;
let wordsEnd: usize = 0;

/**
 * Decodes the rans_lanes block of `srcLen` bytes at `src` into `dst`; returns its decoded length or a status
 * (TRUNCATED, CORRUPT, OUTPUT_FULL when it passes `dstCap`).
 */
export function ransLanesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  if (srcLen < BLOCK_HEADER || load<u8>(src) != MODE_RANS_LANES) return ransDecode(src, srcLen, dst, dstCap);
  const n = <usize>load<u32>(src, 1);
  if (n > MAX_DECODED) return STATUS_CORRUPT;
  const tablesAt = tablesEnd(src, srcLen, false);
  if (tablesAt < 0) return <i32>tablesAt;
  const states = src + <usize>tablesAt;
  const end = src + srcLen;
  if (end - states < LANE_STATES) return STATUS_TRUNCATED;
  if (n > dstCap) return STATUS_OUTPUT_FULL;
  if ((end - states - LANE_STATES) & 1) return STATUS_CORRUPT;
  for (let k: usize = 0; k < LANE_STATES; k += 4) {
    const x = load<u32>(states + k);
    if (x < STATE_LOW) return STATUS_CORRUPT;
    store<u32>(STATES + k, x);
  }
  tablesEnd(src, srcLen, true);
  wordAt = states + LANE_STATES;
  wordsEnd = end;
  // One table: no byte is 256, so table 1 is never chosen (and never built).
  const context = load<u8>(src, BLOCK_HEADER) == 2 ? <u32>load<u8>(src, BLOCK_HEADER + 1) : 256;
  const from = ASC_FEATURE_SIMD ? decodeSteps(dst, dst + n, context) : dst;
  const status = decodePositions(dst, from, dst + n, context);
  if (status < 0) return status;
  for (let k: usize = 0; k < LANE_STATES; k += 4) if (load<u32>(STATES + k) != STATE_LOW) return STATUS_CORRUPT;
  return wordAt == wordsEnd ? <i32>n : STATUS_CORRUPT;
}

/** Decodes positions [from, outEnd) of the output at `dst` one at a time; TRUNCATED when one needs a word past the
 *  end, else 0. */
function decodePositions(dst: usize, from: usize, outEnd: usize, context: u32): i32 {
  let w = wordAt;
  for (let op = from; op < outEnd; op++) {
    const i = op - dst;
    const lane = STATES + ((i & (LANES - 1)) << 2);
    let x = load<u32>(lane);
    const entry = entryAt(x, i >= LANES ? <u32>load<u8>(op - LANES) : context ^ 1, context);
    store<u8>(op, <u8>entry);
    x = advance(x, entry);
    if (x < STATE_LOW) {
      if (wordsEnd - w < 2) return STATUS_TRUNCATED;
      x = (x << 16) | <u32>load<u16>(w);
      w += 2;
    }
    store<u32>(lane, x);
  }
  wordAt = w;
  return 0;
}

/** A group's four entries: each state's slot in table 1 when its lane's byte before is `m` (splat), else table 0. */
// @ts-ignore: decorator
@inline function entries(x: v128, before: v128, m: v128): v128 {
  const slots = i32x4.shl(v128.and(x, i32x4.splat(SLOT_MASK)), 2);
  const at = i32x4.add(i32x4.add(slots, i32x4.splat(<i32>TABLES)), v128.and(i32x4.eq(before, m), i32x4.splat(<i32>TABLE_BYTES)));
  let e = v128.load32_zero(<usize>i32x4.extract_lane(at, 0));
  e = v128.load32_lane(<usize>i32x4.extract_lane(at, 1), e, 1);
  e = v128.load32_lane(<usize>i32x4.extract_lane(at, 2), e, 2);
  return v128.load32_lane(<usize>i32x4.extract_lane(at, 3), e, 3);
}

/** A group's states after their entries' bytes, before renormalizing (as rans_decode.ts advance, lane by lane). */
// @ts-ignore: decorator
@inline function advanceGroup(x: v128, e: v128): v128 {
  const q = i32x4.shr_u(x, PROB_BITS);
  return i32x4.add(i32x4.add(i32x4.mul(i32x4.shr_u(e, 20), q), q), v128.and(i32x4.shr_u(e, 8), i32x4.splat(SLOT_MASK)));
}

/** The lanes (all ones) whose state is below 2^16. */
// @ts-ignore: decorator
@inline function needsWord(x: v128): v128 {
  return i32x4.eq(i32x4.shr_u(x, 16), i32x4.splat(0));
}

/** The states with the next words shifted in where `low` (mask bits `bits`), the words read from `w`. */
// @ts-ignore: decorator
@inline function refill(x: v128, low: v128, bits: i32, w: usize): v128 {
  const words = i8x16.swizzle(v128.load64_zero(w), v128.load(REFILLS + (<usize>bits << 4)));
  return v128.bitselect(v128.or(i32x4.shl(x, 16), words), x, low);
}

/** Each entry's byte. */
// @ts-ignore: decorator
@inline function lowByte(e: v128): v128 {
  return v128.and(e, i32x4.splat(0xff));
}

/** The low bytes of 16 lanes' entries, in lane order. */
// @ts-ignore: decorator
@inline function lowBytes(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d));
}

/**
 * Decodes 64 positions per step from `start` (position 0) while the output has room and 128 bytes of words are left
 * (a step reads at most 64 words; each group reads 8 bytes at its first word); returns the first position not
 * decoded. The states come from and go back to STATES, the word pointer to wordAt.
 */
function decodeSteps(start: usize, outEnd: usize, context: u32): usize {
  if (!refillsReady) fillRefills();
  let x0 = v128.load(STATES), x1 = v128.load(STATES, 16), x2 = v128.load(STATES, 32), x3 = v128.load(STATES, 48);
  let x4 = v128.load(STATES, 64), x5 = v128.load(STATES, 80), x6 = v128.load(STATES, 96), x7 = v128.load(STATES, 112);
  let x8 = v128.load(STATES, 128), x9 = v128.load(STATES, 144), x10 = v128.load(STATES, 160), x11 = v128.load(STATES, 176);
  let x12 = v128.load(STATES, 192), x13 = v128.load(STATES, 208), x14 = v128.load(STATES, 224), x15 = v128.load(STATES, 240);
  const m = i32x4.splat(<i32>context);
  // The first step's bytes have no byte before them: table 0.
  let p0 = i32x4.splat(<i32>(context ^ 1)), p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
  let p8 = p0, p9 = p0, p10 = p0, p11 = p0, p12 = p0, p13 = p0, p14 = p0, p15 = p0;
  let op = start;
  let w = wordAt;
  while (true) {
    let steps = min((outEnd - op) / LANES, (wordsEnd - w) >> 7);
    if (steps == 0) break;
    do {
      let e: v128, low: v128, bits: i32;
      e = entries(x0, p0, m); p0 = lowByte(e); x0 = advanceGroup(x0, e);
      low = needsWord(x0); bits = i32x4.bitmask(low); x0 = refill(x0, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x1, p1, m); p1 = lowByte(e); x1 = advanceGroup(x1, e);
      low = needsWord(x1); bits = i32x4.bitmask(low); x1 = refill(x1, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x2, p2, m); p2 = lowByte(e); x2 = advanceGroup(x2, e);
      low = needsWord(x2); bits = i32x4.bitmask(low); x2 = refill(x2, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x3, p3, m); p3 = lowByte(e); x3 = advanceGroup(x3, e);
      low = needsWord(x3); bits = i32x4.bitmask(low); x3 = refill(x3, low, bits, w); w += <usize>popcnt(bits) << 1;
      v128.store(op, lowBytes(p0, p1, p2, p3));
      e = entries(x4, p4, m); p4 = lowByte(e); x4 = advanceGroup(x4, e);
      low = needsWord(x4); bits = i32x4.bitmask(low); x4 = refill(x4, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x5, p5, m); p5 = lowByte(e); x5 = advanceGroup(x5, e);
      low = needsWord(x5); bits = i32x4.bitmask(low); x5 = refill(x5, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x6, p6, m); p6 = lowByte(e); x6 = advanceGroup(x6, e);
      low = needsWord(x6); bits = i32x4.bitmask(low); x6 = refill(x6, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x7, p7, m); p7 = lowByte(e); x7 = advanceGroup(x7, e);
      low = needsWord(x7); bits = i32x4.bitmask(low); x7 = refill(x7, low, bits, w); w += <usize>popcnt(bits) << 1;
      v128.store(op, lowBytes(p4, p5, p6, p7), 16);
      e = entries(x8, p8, m); p8 = lowByte(e); x8 = advanceGroup(x8, e);
      low = needsWord(x8); bits = i32x4.bitmask(low); x8 = refill(x8, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x9, p9, m); p9 = lowByte(e); x9 = advanceGroup(x9, e);
      low = needsWord(x9); bits = i32x4.bitmask(low); x9 = refill(x9, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x10, p10, m); p10 = lowByte(e); x10 = advanceGroup(x10, e);
      low = needsWord(x10); bits = i32x4.bitmask(low); x10 = refill(x10, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x11, p11, m); p11 = lowByte(e); x11 = advanceGroup(x11, e);
      low = needsWord(x11); bits = i32x4.bitmask(low); x11 = refill(x11, low, bits, w); w += <usize>popcnt(bits) << 1;
      v128.store(op, lowBytes(p8, p9, p10, p11), 32);
      e = entries(x12, p12, m); p12 = lowByte(e); x12 = advanceGroup(x12, e);
      low = needsWord(x12); bits = i32x4.bitmask(low); x12 = refill(x12, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x13, p13, m); p13 = lowByte(e); x13 = advanceGroup(x13, e);
      low = needsWord(x13); bits = i32x4.bitmask(low); x13 = refill(x13, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x14, p14, m); p14 = lowByte(e); x14 = advanceGroup(x14, e);
      low = needsWord(x14); bits = i32x4.bitmask(low); x14 = refill(x14, low, bits, w); w += <usize>popcnt(bits) << 1;
      e = entries(x15, p15, m); p15 = lowByte(e); x15 = advanceGroup(x15, e);
      low = needsWord(x15); bits = i32x4.bitmask(low); x15 = refill(x15, low, bits, w); w += <usize>popcnt(bits) << 1;
      v128.store(op, lowBytes(p12, p13, p14, p15), 48);
      op += LANES;
    } while (--steps);
  }
  v128.store(STATES, x0); v128.store(STATES, x1, 16); v128.store(STATES, x2, 32); v128.store(STATES, x3, 48);
  v128.store(STATES, x4, 64); v128.store(STATES, x5, 80); v128.store(STATES, x6, 96); v128.store(STATES, x7, 112);
  v128.store(STATES, x8, 128); v128.store(STATES, x9, 144); v128.store(STATES, x10, 160); v128.store(STATES, x11, 176);
  v128.store(STATES, x12, 192); v128.store(STATES, x13, 208); v128.store(STATES, x14, 224); v128.store(STATES, x15, 240);
  wordAt = w;
  return op;
}

let refillsReady = false;

/** REFILLS: for mask bits b, lane j (bit j set) takes word k, k the set bits below j — bytes 2k, 2k + 1. */
function fillRefills(): void {
  for (let bits: usize = 0; bits < 16; bits++) {
    let k: u8 = 0;
    for (let lane: usize = 0; lane < 4; lane++) {
      const at = REFILLS + (bits << 4) + (lane << 2);
      if (bits & (<usize>1 << lane)) {
        store<u32>(at, 0xffff0000 | (<u32>(2 * k + 1) << 8) | <u32>(2 * k));
        k++;
      } else store<u32>(at, 0xffffffff);
    }
  }
  refillsReady = true;
}
