// The entropy block decoder (format and statuses: huffman_format.ts), safe for untrusted input.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap), for any input; every
// step consumes input or ends the call, so it cannot hang. Bytes of [dst, dst + n) may be written before a status
// reports that the block is bad.
//
// Decoding: one lookup per code in two tables of 2^11 entries (byte value, code length) indexed by the next 11 bits of
// a stream. Each stream's reader is one number, its position in bits from address 0; a refill loads the 8 bytes
// there and shifts out the bits already read, leaving at least 57, enough for 5 codes. The four streams decode side
// by side, each filling its byte of every 4-byte group, so their lookups overlap instead of waiting on one another
// and the loop keeps its 10 values in registers; its stores take their place in the 4-byte groups as constant offsets.
// Near the ends each stream goes on alone, the last 8 bytes of a stream read byte by byte. SIMD has nothing to offer a
// lookup per lane (no gather), so both builds run this code.
//
// Speed: each stream waits on one table load per code, so the loop runs at about 4 codes per load latency whatever
// else it does (1.2–1.4 GB/s in V8 on int8 codes). A stage of several blocks (huffman_planes.ts) decodes them two at a
// time (huffmanDecodePair): eight streams side by side, each a register of bits with a marker bit above them that
// tells, once a round's codes are shifted out, how many bits they took — V8 has too few registers for eight positions
// summed code by code beside eight bit buffers. On 1 MiB chunks of int8 codes in 16 planes, with the checksum:
// 1.55–1.67 GB/s against 1.38–1.43 one block at a time. Measured and dropped: a table of code pairs (int8 codes of
// trained weights take 6.5–7.5 bits, so a pair fits 12 bits in 0–33% of lookups: ≤ 1.33 bytes per wait); the marker
// in the four-stream loop (1.31–1.37 GB/s against 1.40–1.44 there); eight streams with positions summed code by code
// (1.21–1.28 GB/s: spilled registers); three blocks at once, twelve streams (1.08 GB/s on 3 planes against 1.39: the
// same); one u16 table of (length, byte) per block, a load per code instead of two (1.34–1.38 GB/s against 1.54–1.57).
// Also dropped: the regroup stage (regroup.ts) fused into the pair loop, each code's byte stored at its place in the
// output through a map of its group's channels: the 16-plane stage of face-api's int8 codes (7.7 MB) took 7.60 ms
// against 4.66, to save the regroup stage's 0.93 ms.

import { STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { xxh32StripeLanes } from './xxhash32';
import { SIDE_HASH_LANES, sideHashAdvance, sideHashEnd, sideHashNext } from './side_hash';
import {
  BLOCK_HEADER, JUMP_TABLE, MAX_CODE_BITS, MODE_HUFFMAN, MODE_RAW, MODE_RUN, STREAMS, huffmanDecodedSize, jumpTableOffset,
  streamCount,
} from './huffman_format';

const TABLE_SIZE: usize = 1 << MAX_CODE_BITS;
/** Per 11-bit index: the byte value of the code at its bottom, and that code's length, in two tables. A stream's next
 *  lookup waits on this one's length: from a table of its own it is one load with nothing to unpack, and the byte's
 *  load and store run beside that wait. Both are loaded at a constant offset from the index (no address arithmetic). */
const SYMBOLS: usize = memory.data(<i32>TABLE_SIZE, 16);
const LENGTHS: usize = memory.data(<i32>TABLE_SIZE, 16);
/** The tables of the second block of a pair (huffmanDecodePair), at constant offsets too. */
const SYMBOLS_B: usize = memory.data(<i32>TABLE_SIZE, 16);
const LENGTHS_B: usize = memory.data(<i32>TABLE_SIZE, 16);
const INDEX_MASK: u32 = <u32>(TABLE_SIZE - 1);
/** Codes per stream between refills in the fast loops: 5 × 11 bits ≤ the 57 a refill guarantees. */
const CODES_PER_REFILL: usize = 5;
/** Each stream's position (u64, in bits from address 0) and end (u64, a byte address): a block's four, then the
 *  second block's of a pair. */
const READERS: usize = memory.data(<i32>(STREAMS * 32), 16);
const READERS_B: usize = READERS + STREAMS * 16;

/**
 * Decodes the entropy block of `srcLen` bytes at `src` into `dst` and returns its decoded length, or a status:
 * TRUNCATED, CORRUPT, or OUTPUT_FULL when the length passes `dstCap`.
 */
export function huffmanDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  const size = huffmanDecodedSize(src, srcLen);
  if (size < 0) return size;
  const n = <usize>size;
  if (n > dstCap) return STATUS_OUTPUT_FULL;
  const mode = load<u8>(src);
  if (mode == MODE_RAW) {
    memory.copy(dst, src + BLOCK_HEADER, n);
    return size;
  }
  if (mode == MODE_RUN) {
    memory.fill(dst, load<u8>(src, BLOCK_HEADER), n);
    return size;
  }
  const status = prepareStreams(src, srcLen, n, SYMBOLS, LENGTHS, READERS);
  if (status < 0) return status;
  const ends = finishStreams(READERS, decodeSideBySide(dst, dst + n), dst + n, SYMBOLS, LENGTHS);
  return ends < 0 ? ends : size;
}

/**
 * Decodes two blocks into dst, the one at `b` after the one at `a`, and returns their decoded lengths' sum, or the
 * status that huffmanDecode of a, then of b after it, would give. When both are huffman blocks, their eight streams
 * decode side by side (decodePairSideBySide): twice the loads in flight of one block.
 */
export function huffmanDecodePair(a: usize, aLen: usize, b: usize, bLen: usize, dst: usize, dstCap: usize): i64 {
  const sizeA = huffmanDecodedSize(a, aLen);
  const sizeB = huffmanDecodedSize(b, bLen);
  if (sizeA < 0 || sizeB < 0 || load<u8>(a) != MODE_HUFFMAN || load<u8>(b) != MODE_HUFFMAN || <usize>sizeA > dstCap
    || <usize>sizeB > dstCap - <usize>sizeA) {
    const first = huffmanDecode(a, aLen, dst, dstCap);
    if (first < 0) return first;
    const second = huffmanDecode(b, bLen, dst + <usize>first, dstCap - <usize>first);
    return second < 0 ? second : <i64>first + second;
  }
  const nA = <usize>sizeA;
  const nB = <usize>sizeB;
  const statusA = prepareStreams(a, aLen, nA, SYMBOLS, LENGTHS, READERS);
  if (statusA < 0) return statusA;
  const statusB = prepareStreams(b, bLen, nB, SYMBOLS_B, LENGTHS_B, READERS_B);
  if (statusB < 0) {
    const endsA = finishStreams(READERS, decodeSideBySide(dst, dst + nA), dst + nA, SYMBOLS, LENGTHS);
    return endsA < 0 ? endsA : statusB;
  }
  decodePairSideBySide(dst, dst + nA, dst + nA, dst + nA + nB);
  // Block a goes on alone at full speed; block b (of about the same length, so little is left) stream by stream.
  const endsA = finishStreams(READERS, decodeSideBySide(<usize>load<u64>(PAIR_OUTPUTS), dst + nA), dst + nA, SYMBOLS, LENGTHS);
  if (endsA < 0) return endsA;
  const endsB = finishStreams(READERS_B, <usize>load<u64>(PAIR_OUTPUTS, 8), dst + nA + nB, SYMBOLS_B, LENGTHS_B);
  return endsB < 0 ? endsB : <i64>(nA + nB);
}

/**
 * Builds the tables of the huffman block of `srcLen` bytes at `src` (n decoded bytes, its header checked) into
 * `symbols` and `lengths`, and its four streams' readers from its jump table at `readers`; 0, or the status of the
 * first failing check (lengths, then each stream's size and count).
 */
function prepareStreams(src: usize, srcLen: usize, n: usize, symbols: usize, lengths: usize, readers: usize): i32 {
  const last = <usize>load<u8>(src, BLOCK_HEADER);
  if (!buildTable(src + BLOCK_HEADER + 1, last, symbols, lengths)) return STATUS_CORRUPT;
  const jump = src + jumpTableOffset(last);
  // The streams' bounds, from the jump table; the sizes are summed in 64 bits, so no sum wraps.
  let at = jump + JUMP_TABLE;
  let left = <u64>(src + srcLen - at);
  for (let k: usize = 0; k < STREAMS; k++) {
    const length = k < STREAMS - 1 ? <u64>load<u32>(jump + (k << 2)) : left;
    if (length > left) return STATUS_TRUNCATED;
    if (<u64>streamCount(n, k) > length * 8) return STATUS_CORRUPT;
    store<u64>(readers + (k << 4), <u64>at << 3);
    store<u64>(readers + (k << 4), <u64>at + length, 8);
    at += <usize>length;
    left -= length;
  }
  return 0;
}

/** Finishes the four streams at `readers`, whose side-by-side decode reached output byte `o`; 0 or a status. */
function finishStreams(readers: usize, o: usize, outEnd: usize, symbols: usize, lengths: usize): i32 {
  for (let k: usize = 0; k < STREAMS; k++) {
    const status = finishStream(readers + (k << 4), o + k, outEnd, symbols, lengths);
    if (status < 0) return status;
  }
  return 0;
}

/**
 * Fills the tables `symbols` and `codeLengths` (2^11 bytes each) from the 4-bit lengths of byte values 0..last at
 * `lengths`; false when they are not a complete code. The coded values are found as a bit mask per length
 * (lengthMasks), which lists them in canonical order (by length, then value) with no sort; then the tables grow by
 * doubling: once the codes of up to L bits are in, entries [0, 2^L) hold them, each at its code reversed (the stream
 * is read from its low bits); a copy of that half above it repeats them with their period, and the codes of L + 1
 * bits take the entries no shorter code covers. Entries no code covers yet are left as they are: a complete code
 * covers all of them by the last length.
 */
export function buildTable(lengths: usize, last: usize, symbols: usize, codeLengths: usize): bool {
  const words = (last >> 5) + 1;
  if (!lengthMasks(lengths, last, words)) return false;
  let kraft: u32 = 0;
  for (let length: u32 = 1; length <= MAX_CODE_BITS; length++) {
    let count: u32 = 0;
    for (let w: usize = 0; w < words; w++) count += popcnt(load<u32>(maskAt(length, w)));
    kraft += count << (MAX_CODE_BITS - length);
  }
  if (kraft != <u32>TABLE_SIZE) return false;
  // The next code with its bits reversed: shifting a code left as the length grows leaves its reversal as it is, and
  // adding 1 to the code flips the reversal's bits from its top one down to its highest 0.
  let reversedCode: u32 = 0;
  for (let length: u32 = 1; length <= MAX_CODE_BITS; length++) {
    if (length > 1) {
      const half = <usize>1 << (length - 1);
      memory.copy(symbols + half, symbols, half);
      memory.copy(codeLengths + half, codeLengths, half);
    }
    const ones: u32 = (1 << length) - 1;
    for (let w: usize = 0; w < words; w++) {
      let mask = load<u32>(maskAt(length, w));
      while (mask != 0) {
        store<u8>(symbols + <usize>reversedCode, <u8>((w << 5) + <usize>ctz(mask)));
        store<u8>(codeLengths + <usize>reversedCode, <u8>length);
        mask &= mask - 1;
        // Past the last code no 0 is left (clz 32): the shift by 31 (mod 32) then flips nothing.
        reversedCode ^= ones & ~((<u32>1 << (31 - clz(~reversedCode & ones))) - 1);
      }
    }
  }
  return true;
}

/** While a table is built: per code length 1..11, a bit per byte value of that length, in 8 u32 words of 32 values. */
const LENGTH_MASKS: usize = memory.data(<i32>((MAX_CODE_BITS + 1) * 32), 16);
/** The SIMD build's copy of a table's length nibbles, zero-padded to whole 16-byte steps. */
const NIBBLES: usize = memory.data(128, 16);

// @ts-ignore: decorator
@inline function maskAt(length: u32, w: usize): usize {
  return LENGTH_MASKS + (<usize>length << 5) + (w << 2);
}

/**
 * Fills words [0, words) of each length's mask from the 4-bit lengths of byte values 0..last at `lengths` (values
 * past `last` have none); false when a length is over 11. The SIMD build compares 32 lengths a step with each of the
 * 11 lengths (a bit per value set one by one took as long as the rest of the build); the scalar build sets a bit per
 * value.
 */
function lengthMasks(lengths: usize, last: usize, words: usize): bool {
  if (ASC_FEATURE_SIMD) {
    const bytes = (last + 2) >> 1;
    for (let w: usize = 0; w < words; w++) v128.store(NIBBLES + (w << 4), i32x4.splat(0));
    for (let i: usize = 0; i < bytes; i++) store<u8>(NIBBLES + i, load<u8>(lengths + i));
    // An even `last`: its byte's high nibble is no value's, and is ignored.
    if ((last & 1) == 0) store<u8>(NIBBLES + bytes - 1, load<u8>(NIBBLES + bytes - 1) & 15);
    const longest = i8x16.splat(<i8>MAX_CODE_BITS);
    for (let w: usize = 0; w < words; w++) {
      const packed = v128.load(NIBBLES + (w << 4));
      const even = v128.and(packed, i8x16.splat(15));
      const odd = i8x16.shr_u(packed, 4);
      const first = i8x16.shuffle(even, odd, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const second = i8x16.shuffle(even, odd, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      if (v128.any_true(v128.or(i8x16.gt_u(first, longest), i8x16.gt_u(second, longest)))) return false;
      for (let length: u32 = 1; length <= MAX_CODE_BITS; length++) {
        const l = i8x16.splat(<i8>length);
        store<u32>(maskAt(length, w), <u32>i8x16.bitmask(i8x16.eq(first, l)) | (<u32>i8x16.bitmask(i8x16.eq(second, l)) << 16));
      }
    }
    return true;
  }
  for (let length: u32 = 1; length <= MAX_CODE_BITS; length++) {
    for (let w: usize = 0; w < words; w++) store<u32>(maskAt(length, w), 0);
  }
  for (let v: usize = 0; v <= last; v++) {
    const length = lengthAt(lengths, v);
    if (length > MAX_CODE_BITS) return false;
    if (length != 0) store<u32>(maskAt(length, v >> 5), load<u32>(maskAt(length, v >> 5)) | (<u32>1 << <u32>(v & 31)));
  }
  return true;
}

// @ts-ignore: decorator
@inline function lengthAt(lengths: usize, v: usize): u32 {
  return (<u32>load<u8>(lengths + (v >> 1)) >> (<u32>(v & 1) << 2)) & 15;
}

/** The bits of a stream from bit position `pos` on, at least 57 of them (8 bytes must be readable there). */
// @ts-ignore: decorator
@inline function peek(pos: u64): u64 {
  return load<u64>(<usize>(pos >> 3)) >> (pos & 7);
}

/** The byte value of the code at the bottom of `bits`. */
// @ts-ignore: decorator
@inline function symbolAt(bits: u64): u8 {
  return load<u8>(<usize>(<u32>bits & INDEX_MASK), SYMBOLS);
}

/** The length of the code at the bottom of `bits`. */
// @ts-ignore: decorator
@inline function codeLength(bits: u64): u64 {
  return i64.load8_u(<usize>(<u32>bits & INDEX_MASK), LENGTHS);
}

/** symbolAt and codeLength in the second block's tables. */
// @ts-ignore: decorator
@inline function symbolAtB(bits: u64): u8 {
  return load<u8>(<usize>(<u32>bits & INDEX_MASK), SYMBOLS_B);
}

// @ts-ignore: decorator
@inline function codeLengthB(bits: u64): u64 {
  return i64.load8_u(<usize>(<u32>bits & INDEX_MASK), LENGTHS_B);
}

/** Looks up the code at the bottom of `bits` in the tables `symbols` and `lengths`, stores its byte at `op` and
 *  returns its length. */
// @ts-ignore: decorator
@inline function decodeOneFrom(bits: u64, op: usize, symbols: usize, lengths: usize): u64 {
  const index = <usize>(<u32>bits & INDEX_MASK);
  store<u8>(op, load<u8>(symbols + index));
  return <u64>load<u8>(lengths + index);
}

/** Rounds whose refills certainly load inside the stream: a round reads at most 55 bits, so moves at most 7 bytes. */
// @ts-ignore: decorator
@inline function safeRounds(pos: u64, end: u64): usize {
  const left = end - (pos >> 3);
  return left >= 8 ? <usize>((left - 8) / 7 + 1) : 0;
}

/**
 * Decodes 5 codes of every stream per round into 20 output bytes from `op`, for as many rounds as certainly keep
 * every stream's loads inside it and the output below `outEnd`, then again for what is left, until a stream or the
 * output gets near its end. Leaves the positions in READERS and returns the first output byte not written.
 */
function decodeSideBySide(op: usize, outEnd: usize): usize {
  let q0 = load<u64>(READERS), q1 = load<u64>(READERS + 16), q2 = load<u64>(READERS + 32), q3 = load<u64>(READERS + 48);
  const e0 = load<u64>(READERS, 8), e1 = load<u64>(READERS + 16, 8);
  const e2 = load<u64>(READERS + 32, 8), e3 = load<u64>(READERS + 48, 8);
  // The chunk's checksum, a stripe per round where a hash is started (side_hash.ts): free beside the lookups' waits.
  let hashed = sideHashNext();
  const hashEnd = sideHashEnd();
  while (true) {
    let rounds = (outEnd - op) / (CODES_PER_REFILL * STREAMS);
    rounds = min(rounds, safeRounds(q0, e0));
    rounds = min(rounds, safeRounds(q1, e1));
    rounds = min(rounds, safeRounds(q2, e2));
    rounds = min(rounds, safeRounds(q3, e3));
    if (rounds == 0) break;
    do {
      if (ASC_FEATURE_SIMD && hashed + 16 <= hashEnd) {
        v128.store(SIDE_HASH_LANES, xxh32StripeLanes(v128.load(SIDE_HASH_LANES), v128.load(hashed)));
        hashed += 16;
      }
      let b0 = peek(q0), b1 = peek(q1), b2 = peek(q2), b3 = peek(q3);
      let n0: u64, n1: u64, n2: u64, n3: u64;
      store<u8>(op, symbolAt(b0), 0); store<u8>(op, symbolAt(b1), 1); store<u8>(op, symbolAt(b2), 2); store<u8>(op, symbolAt(b3), 3);
      n0 = codeLength(b0); n1 = codeLength(b1); n2 = codeLength(b2); n3 = codeLength(b3);
      b0 >>= n0; q0 += n0; b1 >>= n1; q1 += n1; b2 >>= n2; q2 += n2; b3 >>= n3; q3 += n3;
      store<u8>(op, symbolAt(b0), 4); store<u8>(op, symbolAt(b1), 5); store<u8>(op, symbolAt(b2), 6); store<u8>(op, symbolAt(b3), 7);
      n0 = codeLength(b0); n1 = codeLength(b1); n2 = codeLength(b2); n3 = codeLength(b3);
      b0 >>= n0; q0 += n0; b1 >>= n1; q1 += n1; b2 >>= n2; q2 += n2; b3 >>= n3; q3 += n3;
      store<u8>(op, symbolAt(b0), 8); store<u8>(op, symbolAt(b1), 9); store<u8>(op, symbolAt(b2), 10); store<u8>(op, symbolAt(b3), 11);
      n0 = codeLength(b0); n1 = codeLength(b1); n2 = codeLength(b2); n3 = codeLength(b3);
      b0 >>= n0; q0 += n0; b1 >>= n1; q1 += n1; b2 >>= n2; q2 += n2; b3 >>= n3; q3 += n3;
      store<u8>(op, symbolAt(b0), 12); store<u8>(op, symbolAt(b1), 13); store<u8>(op, symbolAt(b2), 14); store<u8>(op, symbolAt(b3), 15);
      n0 = codeLength(b0); n1 = codeLength(b1); n2 = codeLength(b2); n3 = codeLength(b3);
      b0 >>= n0; q0 += n0; b1 >>= n1; q1 += n1; b2 >>= n2; q2 += n2; b3 >>= n3; q3 += n3;
      store<u8>(op, symbolAt(b0), 16); store<u8>(op, symbolAt(b1), 17); store<u8>(op, symbolAt(b2), 18); store<u8>(op, symbolAt(b3), 19);
      q0 += codeLength(b0); q1 += codeLength(b1); q2 += codeLength(b2); q3 += codeLength(b3);
      op += CODES_PER_REFILL * STREAMS;
    } while (--rounds);
  }
  sideHashAdvance(hashed);
  store<u64>(READERS, q0);
  store<u64>(READERS + 16, q1);
  store<u64>(READERS + 32, q2);
  store<u64>(READERS + 48, q3);
  return op;
}

/** The 56 bits of a stream from `pos` on, a 1 above them: once codes are shifted out, the 1 tells how many. */
// @ts-ignore: decorator
@inline function marked(pos: u64): u64 {
  return ((load<u64>(<usize>(pos >> 3)) << (8 - (pos & 7))) >> 8) | (<u64>1 << 56);
}

/** The bits shifted out of a `marked` value. */
// @ts-ignore: decorator
@inline function consumed(bits: u64): u64 {
  return clz(bits) - 7;
}

/** Where decodePairSideBySide left each block's output (u64 each). */
const PAIR_OUTPUTS: usize = memory.data(16, 16);

/**
 * decodeSideBySide for two blocks at once: 5 codes of each of their eight streams per round, block a's (READERS,
 * tables SYMBOLS) into 20 bytes from `oa`, block b's (READERS_B, tables SYMBOLS_B) into 20 from `ob`, while every
 * stream's loads stay inside it and both outputs below their ends. Eight chains of lookups hide more of each load's
 * latency than four. Leaves the positions in the readers and the next output bytes in PAIR_OUTPUTS.
 */
function decodePairSideBySide(oa: usize, outEndA: usize, ob: usize, outEndB: usize): void {
  let q0 = load<u64>(READERS), q1 = load<u64>(READERS + 16), q2 = load<u64>(READERS + 32), q3 = load<u64>(READERS + 48);
  let q4 = load<u64>(READERS_B), q5 = load<u64>(READERS_B + 16), q6 = load<u64>(READERS_B + 32), q7 = load<u64>(READERS_B + 48);
  let hashed = sideHashNext();
  const hashEnd = sideHashEnd();
  while (true) {
    let rounds = min((outEndA - oa) / (CODES_PER_REFILL * STREAMS), (outEndB - ob) / (CODES_PER_REFILL * STREAMS));
    rounds = min(rounds, safeRounds(q0, load<u64>(READERS, 8)));
    rounds = min(rounds, safeRounds(q1, load<u64>(READERS + 16, 8)));
    rounds = min(rounds, safeRounds(q2, load<u64>(READERS + 32, 8)));
    rounds = min(rounds, safeRounds(q3, load<u64>(READERS + 48, 8)));
    rounds = min(rounds, safeRounds(q4, load<u64>(READERS_B, 8)));
    rounds = min(rounds, safeRounds(q5, load<u64>(READERS_B + 16, 8)));
    rounds = min(rounds, safeRounds(q6, load<u64>(READERS_B + 32, 8)));
    rounds = min(rounds, safeRounds(q7, load<u64>(READERS_B + 48, 8)));
    if (rounds == 0) break;
    do {
      // Two stripes of the checksum per round: the round decodes about twice the bytes of decodeSideBySide's.
      if (ASC_FEATURE_SIMD && hashed + 32 <= hashEnd) {
        v128.store(SIDE_HASH_LANES, xxh32StripeLanes(xxh32StripeLanes(v128.load(SIDE_HASH_LANES), v128.load(hashed)), v128.load(hashed, 16)));
        hashed += 32;
      }
      let b0 = marked(q0), b1 = marked(q1), b2 = marked(q2), b3 = marked(q3), b4 = marked(q4), b5 = marked(q5), b6 = marked(q6), b7 = marked(q7);
      store<u8>(oa, symbolAt(b0), 0); store<u8>(oa, symbolAt(b1), 1); store<u8>(oa, symbolAt(b2), 2); store<u8>(oa, symbolAt(b3), 3);
      store<u8>(ob, symbolAtB(b4), 0); store<u8>(ob, symbolAtB(b5), 1); store<u8>(ob, symbolAtB(b6), 2); store<u8>(ob, symbolAtB(b7), 3);
      b0 >>= codeLength(b0); b1 >>= codeLength(b1); b2 >>= codeLength(b2); b3 >>= codeLength(b3);
      b4 >>= codeLengthB(b4); b5 >>= codeLengthB(b5); b6 >>= codeLengthB(b6); b7 >>= codeLengthB(b7);
      store<u8>(oa, symbolAt(b0), 4); store<u8>(oa, symbolAt(b1), 5); store<u8>(oa, symbolAt(b2), 6); store<u8>(oa, symbolAt(b3), 7);
      store<u8>(ob, symbolAtB(b4), 4); store<u8>(ob, symbolAtB(b5), 5); store<u8>(ob, symbolAtB(b6), 6); store<u8>(ob, symbolAtB(b7), 7);
      b0 >>= codeLength(b0); b1 >>= codeLength(b1); b2 >>= codeLength(b2); b3 >>= codeLength(b3);
      b4 >>= codeLengthB(b4); b5 >>= codeLengthB(b5); b6 >>= codeLengthB(b6); b7 >>= codeLengthB(b7);
      store<u8>(oa, symbolAt(b0), 8); store<u8>(oa, symbolAt(b1), 9); store<u8>(oa, symbolAt(b2), 10); store<u8>(oa, symbolAt(b3), 11);
      store<u8>(ob, symbolAtB(b4), 8); store<u8>(ob, symbolAtB(b5), 9); store<u8>(ob, symbolAtB(b6), 10); store<u8>(ob, symbolAtB(b7), 11);
      b0 >>= codeLength(b0); b1 >>= codeLength(b1); b2 >>= codeLength(b2); b3 >>= codeLength(b3);
      b4 >>= codeLengthB(b4); b5 >>= codeLengthB(b5); b6 >>= codeLengthB(b6); b7 >>= codeLengthB(b7);
      store<u8>(oa, symbolAt(b0), 12); store<u8>(oa, symbolAt(b1), 13); store<u8>(oa, symbolAt(b2), 14); store<u8>(oa, symbolAt(b3), 15);
      store<u8>(ob, symbolAtB(b4), 12); store<u8>(ob, symbolAtB(b5), 13); store<u8>(ob, symbolAtB(b6), 14); store<u8>(ob, symbolAtB(b7), 15);
      b0 >>= codeLength(b0); b1 >>= codeLength(b1); b2 >>= codeLength(b2); b3 >>= codeLength(b3);
      b4 >>= codeLengthB(b4); b5 >>= codeLengthB(b5); b6 >>= codeLengthB(b6); b7 >>= codeLengthB(b7);
      store<u8>(oa, symbolAt(b0), 16); store<u8>(oa, symbolAt(b1), 17); store<u8>(oa, symbolAt(b2), 18); store<u8>(oa, symbolAt(b3), 19);
      store<u8>(ob, symbolAtB(b4), 16); store<u8>(ob, symbolAtB(b5), 17); store<u8>(ob, symbolAtB(b6), 18); store<u8>(ob, symbolAtB(b7), 19);
      b0 >>= codeLength(b0); b1 >>= codeLength(b1); b2 >>= codeLength(b2); b3 >>= codeLength(b3);
      b4 >>= codeLengthB(b4); b5 >>= codeLengthB(b5); b6 >>= codeLengthB(b6); b7 >>= codeLengthB(b7);
      q0 += consumed(b0); q1 += consumed(b1); q2 += consumed(b2); q3 += consumed(b3);
      q4 += consumed(b4); q5 += consumed(b5); q6 += consumed(b6); q7 += consumed(b7);
      oa += CODES_PER_REFILL * STREAMS;
      ob += CODES_PER_REFILL * STREAMS;
    } while (--rounds);
  }
  sideHashAdvance(hashed);
  store<u64>(READERS, q0);
  store<u64>(READERS + 16, q1);
  store<u64>(READERS + 32, q2);
  store<u64>(READERS + 48, q3);
  store<u64>(READERS_B, q4);
  store<u64>(READERS_B + 16, q5);
  store<u64>(READERS_B + 32, q6);
  store<u64>(READERS_B + 48, q7);
  store<u64>(PAIR_OUTPUTS, <u64>oa);
  store<u64>(PAIR_OUTPUTS, <u64>ob, 8);
}

/**
 * Decodes the rest of one stream into every 4th byte from `op` below `outEnd`: 5 codes per refill while 8 bytes are
 * left, then one code at a time, the last bytes read one by one; then checks that exactly the stream's bytes were
 * used and its padding bits are 0.
 */
function finishStream(reader: usize, op: usize, outEnd: usize, symbols: usize, lengths: usize): i32 {
  let pos = load<u64>(reader);
  const end = load<u64>(reader, 8);
  while (end - (pos >> 3) >= 8 && op + (CODES_PER_REFILL - 1) * STREAMS < outEnd) {
    let bits = peek(pos);
    for (let i: usize = 0; i < CODES_PER_REFILL; i++) {
      const length = decodeOneFrom(bits, op, symbols, lengths);
      bits >>= length;
      pos += length;
      op += STREAMS;
    }
  }
  const endBits = end << 3;
  while (op < outEnd) {
    pos += decodeOneFrom(peekNearEnd(pos, end), op, symbols, lengths);
    if (pos > endBits) return STATUS_TRUNCATED;
    op += STREAMS;
  }
  if ((pos + 7) >> 3 != end) return STATUS_CORRUPT;
  const padding = <u32>pos & 7;
  return padding == 0 || load<u8>(<usize>(end - 1)) >> padding == 0 ? 0 : STATUS_CORRUPT;
}

/** The bits from `pos` on, 0 past the stream's `end` (a byte address). */
export function peekNearEnd(pos: u64, end: u64): u64 {
  const at = <usize>(pos >> 3);
  if (end - <u64>at >= 8) return peek(pos);
  let bits: u64 = 0;
  for (let p = at; <u64>p < end; p++) bits |= <u64>load<u8>(p) << (<u64>(p - at) << 3);
  return bits >> (pos & 7);
}
