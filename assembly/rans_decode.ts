// The rANS block (format 1.4, the `rans` stage): a context block of huffman_context_decode.ts (modes 0–3), or mode 4,
// static rANS with one or two tables of 12-bit frequencies, the table chosen by the byte before in its stream.
//
// Mode 4 (integers little-endian):
//
//   offset  size      field
//   0       1         mode: 4
//   1       4         n, the decoded length (u32, at most 2^31 - 1)
//   5       1         T, tables: 1 or 2
//   6       1         m, the context byte value (T = 2); 0 when T = 1
//   7                 T tables: `first`, `last` (first <= last), then the frequencies of byte values first..last, a
//                     varint each (b < 128: b; b >= 128 then c < 128: (b - 128) + 128·c); they sum to exactly 4096
//   then    12        jump table: the byte lengths of streams 0, 1 and 2; stream 3 takes the rest
//   then              the four streams
//
// Stream k codes the bytes at positions k, k + 4, … : a u32 starting state x (>= 2^16), then u16 words. Per position:
// slot = x & 4095, the byte s whose slot range [c(s), c(s) + f(s)) holds it (table 1 when T = 2 and the byte 4 positions
// before is m), x = f(s)·(x >> 12) + slot − c(s), and when x < 2^16, x = x << 16 | the next word. The stream ends with
// x = 2^16 and no word left; its length is 4 + 2·words.
//
// Status, in this order: mode and n against the block's size (TRUNCATED before the tables and jump table end), T, m,
// each table's first/last, varints and sum (CORRUPT), the capacity (OUTPUT_FULL), each stream's size (TRUNCATED past
// the block, or under 4 bytes; CORRUPT when odd) and starting state (CORRUPT below 2^16), then each stream's decode (a
// word past its end TRUNCATED; a final state other than 2^16 or words left over CORRUPT), streams 0 to 3.
// test/reference/rans.ts is a plain decoder of docs/FORMAT.md's words for it.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap), for any input; every step
// consumes input or writes a byte of at most dstCap. Bytes of [dst, dst + n) may be written before a status.
//
// Decoding: per byte, one load of a u32 entry (byte value, slot − c(s), frequency − 1) from a 4096-entry table, a
// multiply and a conditional 16-bit read. The four streams decode side by side (each waits on its own state only); a
// round takes 1 byte from each, and at most 2 bytes of each stream, so the fast loop checks the streams' room once per
// run of rounds. Both builds run this scalar code: WebAssembly SIMD has no gather, and four states in one v128 add the
// lane moves to each round's chain (measured 1.35x with four v128s of states; rans_lanes_decode.ts's mode 5, 16 of
// them, is 2x, but needs its own layout). About 0.55 GB/s in V8 on the 2-core EPYC VM (Huffman 1.4): each stream's chain — mask, table
// load, shift, multiply, add, compare, select — is ~15 cycles per byte, so four streams give ~4 cycles per byte
// whatever the instruction count (two states per stream, eight chains, measured no faster and cost 4 bytes per
// stream; the state kept as x >> 12 and its slot bits, so the next load waits on the compare only, spilled
// registers and ran 20% slower).

import { STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { BLOCK_HEADER, JUMP_TABLE, MAX_DECODED, STREAMS } from './huffman_format';
import { huffmanContextDecode } from './huffman_context_decode';

export const MODE_RANS: u8 = 4;
export const PROB_BITS: u32 = 12;
export const PROB_SCALE: u32 = 1 << PROB_BITS;
/** The state's lower bound: a state below it takes a 16-bit word. */
export const STATE_LOW: u32 = 1 << 16;
/** Mode, n, T and m. */
export const RANS_HEADER: usize = BLOCK_HEADER + 2;
export const SLOT_MASK: u32 = PROB_SCALE - 1;
/** Two tables of 4096 u32 entries: byte | (slot − c) << 8 | (f − 1) << 20 (f − 1 on top: one shift from the load to
 *  the multiply). */
export const TABLE_BYTES: usize = <usize>PROB_SCALE * 4;
export const TABLES: usize = memory.data(2 * 4 * 4096, 16);
/** Each stream's word pointer, end, and state (u32 each, 4 apart, per stream 16 bytes). */
const STREAM_STATE: usize = memory.data(<i32>(STREAMS * 16), 16);

/** Writes the `f` entries of byte `s` from `entry` (SIMD: 4 a step). */
// @ts-ignore: decorator
@inline function fillEntries(entry: usize, s: u32, f: u32): void {
  const base = s | ((f - 1) << 20);
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    let four = i32x4.add(i32x4.splat(<i32>base), v128(0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0));
    for (; j + 4 <= f; j += 4) {
      v128.store(entry + (<usize>j << 2), four);
      four = i32x4.add(four, i32x4.splat(4 << 8));
    }
  }
  for (; j < f; j++) store<u32>(entry + (<usize>j << 2), base | (j << 8));
}

/**
 * Reads the table at `at` (its first/last and varints, not past `end`) into table slot `t` (when `build`); returns the
 * offset after it, or a status: TRUNCATED when it passes `end`, CORRUPT for a bad table.
 */
function readTable(at: usize, end: usize, t: usize, build: bool): i64 {
  if (end - at < 2) return STATUS_TRUNCATED;
  const first = <u32>load<u8>(at);
  const last = <u32>load<u8>(at, 1);
  if (first > last) return STATUS_CORRUPT;
  at += 2;
  const table = TABLES + t * TABLE_BYTES;
  let sum: u32 = 0;
  for (let s = first; s <= last; s++) {
    if (at >= end) return STATUS_TRUNCATED;
    let f = <u32>load<u8>(at++);
    if (f >= 128) {
      if (at >= end) return STATUS_TRUNCATED;
      const high = <u32>load<u8>(at++);
      if (high >= 128) return STATUS_CORRUPT;
      f = (f - 128) + (high << 7);
    }
    if (sum + f > PROB_SCALE) return STATUS_CORRUPT;
    if (build) fillEntries(table + (<usize>sum << 2), s, f);
    sum += f;
  }
  return sum == PROB_SCALE ? <i64>at : STATUS_CORRUPT;
}

/** Where a mode 4 block's jump table starts (its tables read, and built when `build`), or a status. */
export function tablesEnd(src: usize, srcLen: usize, build: bool): i64 {
  if (srcLen < RANS_HEADER) return STATUS_TRUNCATED;
  const tables = <usize>load<u8>(src, BLOCK_HEADER);
  if (tables != 1 && tables != 2) return STATUS_CORRUPT;
  if (tables == 1 && load<u8>(src, BLOCK_HEADER + 1) != 0) return STATUS_CORRUPT;
  let at = src + RANS_HEADER;
  for (let t: usize = 0; t < tables; t++) {
    const next = readTable(at, src + srcLen, t, build);
    if (next < 0) return next;
    at = <usize>next;
  }
  return <i64>(at - src);
}

/**
 * Decodes the rANS block of `srcLen` bytes at `src` into `dst`; returns its decoded length or a status (TRUNCATED,
 * CORRUPT, OUTPUT_FULL when it passes `dstCap`).
 */
export function ransDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  if (srcLen < BLOCK_HEADER || load<u8>(src) != MODE_RANS) return huffmanContextDecode(src, srcLen, dst, dstCap);
  const n = <usize>load<u32>(src, 1);
  if (n > MAX_DECODED) return STATUS_CORRUPT;
  const tablesAt = tablesEnd(src, srcLen, false);
  if (tablesAt < 0) return <i32>tablesAt;
  const jump = src + <usize>tablesAt;
  if (jump + JUMP_TABLE > src + srcLen) return STATUS_TRUNCATED;
  if (n > dstCap) return STATUS_OUTPUT_FULL;
  tablesEnd(src, srcLen, true);
  let at = jump + JUMP_TABLE;
  let left = <u64>(src + srcLen - at);
  for (let k: usize = 0; k < STREAMS; k++) {
    const length = k < STREAMS - 1 ? <u64>load<u32>(jump + (k << 2)) : left;
    if (length > left || length < 4) return STATUS_TRUNCATED;
    if (length & 1) return STATUS_CORRUPT;
    const state = load<u32>(at);
    if (state < STATE_LOW) return STATUS_CORRUPT;
    const reader = STREAM_STATE + (k << 4);
    store<u32>(reader, <u32>(at + 4));
    store<u32>(reader, <u32>(at + <usize>length), 4);
    store<u32>(reader, state, 8);
    at += <usize>length;
    left -= length;
  }
  // One table: no byte is 256, so table 1 is never chosen (and never built).
  const context = load<u8>(src, BLOCK_HEADER) == 2 ? <u32>load<u8>(src, BLOCK_HEADER + 1) : 256;
  const o = decodeSideBySide(dst, dst + n, context);
  // The tails, then each stream's end: its state back at 2^16 and every word read.
  for (let k: usize = 0; k < STREAMS; k++) {
    const reader = STREAM_STATE + (k << 4);
    const status = decodeSteps(reader, o + k, dst + n, dst + k, context);
    if (status < 0) return status;
    if (load<u32>(reader, 8) != STATE_LOW || load<u32>(reader) != load<u32>(reader, 4)) return STATUS_CORRUPT;
  }
  return <i32>n;
}

/** The table entry for state `x` of a byte whose stream's previous byte is `previous`. */
// @ts-ignore: decorator
@inline export function entryAt(x: u32, previous: u32, context: u32): u32 {
  return load<u32>(TABLES + select<usize>(TABLE_BYTES, 0, previous == context) + (<usize>(x & SLOT_MASK) << 2));
}

/** The state after the byte of `entry`, before renormalizing. */
// @ts-ignore: decorator
@inline export function advance(x: u32, entry: u32): u32 {
  const q = x >> PROB_BITS;
  return (entry >> 20) * q + (q + ((entry >> 8) & SLOT_MASK));
}

/** Decodes one byte of each stream per round into 4 output bytes from `start` while every stream has 2 bytes per
 *  round left and the output has room; returns the first byte not written (the tails are left to decodeSteps). The
 *  first round goes through decodeSteps (its bytes have no byte before them); the others read the byte before from
 *  the output, which keeps the loop's values in registers. */
function decodeSideBySide(start: usize, outEnd: usize, context: u32): usize {
  if (roundsLeft(start, outEnd) == 0) return start;
  for (let k: usize = 0; k < STREAMS; k++) decodeSteps(STREAM_STATE + (k << 4), start + k, start + k + 1, start + k, context);
  let op = start + STREAMS;
  let w0 = <usize>load<u32>(STREAM_STATE), w1 = <usize>load<u32>(STREAM_STATE + 16);
  let w2 = <usize>load<u32>(STREAM_STATE + 32), w3 = <usize>load<u32>(STREAM_STATE + 48);
  let x0 = load<u32>(STREAM_STATE, 8), x1 = load<u32>(STREAM_STATE + 16, 8);
  let x2 = load<u32>(STREAM_STATE + 32, 8), x3 = load<u32>(STREAM_STATE + 48, 8);
  while (true) {
    let rounds = (outEnd - op) / STREAMS;
    rounds = min(rounds, (<usize>load<u32>(STREAM_STATE, 4) - w0) >> 1);
    rounds = min(rounds, (<usize>load<u32>(STREAM_STATE + 16, 4) - w1) >> 1);
    rounds = min(rounds, (<usize>load<u32>(STREAM_STATE + 32, 4) - w2) >> 1);
    rounds = min(rounds, (<usize>load<u32>(STREAM_STATE + 48, 4) - w3) >> 1);
    if (rounds == 0) break;
    do {
      // Stream by stream: each step's values die within it (fewer registers than four steps side by side, which
      // spill); out-of-order execution overlaps the four chains all the same.
      const a0 = entryAt(x0, <u32>load<u8>(op - STREAMS), context);
      store<u8>(op, <u8>a0, 0);
      x0 = advance(x0, a0);
      const r0 = x0 < STATE_LOW;
      x0 = select<u32>((x0 << 16) | <u32>load<u16>(w0), x0, r0);
      w0 += <usize>r0 << 1;
      const a1 = entryAt(x1, <u32>load<u8>(op - STREAMS + 1), context);
      store<u8>(op, <u8>a1, 1);
      x1 = advance(x1, a1);
      const r1 = x1 < STATE_LOW;
      x1 = select<u32>((x1 << 16) | <u32>load<u16>(w1), x1, r1);
      w1 += <usize>r1 << 1;
      const a2 = entryAt(x2, <u32>load<u8>(op - STREAMS + 2), context);
      store<u8>(op, <u8>a2, 2);
      x2 = advance(x2, a2);
      const r2 = x2 < STATE_LOW;
      x2 = select<u32>((x2 << 16) | <u32>load<u16>(w2), x2, r2);
      w2 += <usize>r2 << 1;
      const a3 = entryAt(x3, <u32>load<u8>(op - STREAMS + 3), context);
      store<u8>(op, <u8>a3, 3);
      x3 = advance(x3, a3);
      const r3 = x3 < STATE_LOW;
      x3 = select<u32>((x3 << 16) | <u32>load<u16>(w3), x3, r3);
      w3 += <usize>r3 << 1;
      op += STREAMS;
    } while (--rounds);
  }
  store<u32>(STREAM_STATE, <u32>w0); store<u32>(STREAM_STATE, x0, 8);
  store<u32>(STREAM_STATE + 16, <u32>w1); store<u32>(STREAM_STATE + 16, x1, 8);
  store<u32>(STREAM_STATE + 32, <u32>w2); store<u32>(STREAM_STATE + 32, x2, 8);
  store<u32>(STREAM_STATE + 48, <u32>w3); store<u32>(STREAM_STATE + 48, x3, 8);
  return op;
}

/** Rounds of 4 bytes the output has room for from `op` with every stream holding 2 bytes of words per round. */
function roundsLeft(op: usize, outEnd: usize): usize {
  let rounds = (outEnd - op) / STREAMS;
  for (let k: usize = 0; k < STREAMS; k++) {
    const reader = STREAM_STATE + (k << 4);
    rounds = min(rounds, (<usize>load<u32>(reader, 4) - <usize>load<u32>(reader)) >> 1);
  }
  return rounds;
}

/** Decodes one stream's bytes (every 4th byte from `op` below `outEnd`; its first byte at `first`) a byte at a time,
 *  its word pointer and state kept at `reader`; TRUNCATED when it needs a word past its end, else 0. */
function decodeSteps(reader: usize, op: usize, outEnd: usize, first: usize, context: u32): i32 {
  let w = <usize>load<u32>(reader);
  const end = <usize>load<u32>(reader, 4);
  let x = load<u32>(reader, 8);
  while (op < outEnd) {
    const previous: u32 = op == first ? context ^ 1 : <u32>load<u8>(op - STREAMS);
    const entry = entryAt(x, previous, context);
    store<u8>(op, <u8>entry);
    x = advance(x, entry);
    if (x < STATE_LOW) {
      if (end - w < 2) return STATUS_TRUNCATED;
      x = (x << 16) | <u32>load<u16>(w);
      w += 2;
    }
    op += STREAMS;
  }
  store<u32>(reader, <u32>w);
  store<u32>(reader, x, 8);
  return 0;
}
