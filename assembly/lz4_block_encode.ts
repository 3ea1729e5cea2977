// LZ4 block compressor, fast mode (spec: lz4/lz4 doc/lz4_Block_format.md).
//
// Greedy single-probe matching through a hash table of recent positions, with the search step growing the longer no
// match is found (`acceleration` makes it grow sooner: faster, larger output). Inputs below 64 KiB hash 4 bytes into
// 8192 u16 slots; larger inputs hash 5 bytes into 4096 u32 slots, the same trade the reference makes, so sizes stay
// close to `lz4 -1`. Output follows the block end rules: the last 5 bytes are literals and the last match starts at
// least 12 bytes before the end.
//
// Safety: never writes outside [dst, dst + dstCap) nor reads outside [src, src + srcLen), for any input; returns
// STATUS_OUTPUT_FULL when the block does not fit (give `lz4Bound(srcLen)` bytes to make that impossible).

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import { commonLength, copyLiterals } from './memops';

const MIN_MATCH: usize = 4;
const LAST_LITERALS: usize = 5;
const MATCH_FIND_LIMIT: usize = 12;
const MAX_DISTANCE: usize = 65535;
const SMALL_INPUT_LIMIT: usize = 65536 + MATCH_FIND_LIMIT - 1;
/** The largest input a block may hold (LZ4_MAX_INPUT_SIZE). */
export const MAX_INPUT: usize = 0x7e000000;
/** After 2^SKIP_TRIGGER failed probes the search step grows by one. */
const SKIP_TRIGGER: u32 = 6;

const TABLE_BYTES: usize = 16384;
const TABLE: usize = memory.data(<i32>TABLE_BYTES, 16);

/** Worst-case compressed size of `n` input bytes (LZ4_COMPRESSBOUND), or 0 when `n` is too large. */
export function lz4Bound(n: usize): usize {
  return n > MAX_INPUT ? 0 : n + n / 255 + 16;
}

// @ts-ignore: decorator
@inline function hashAt<T>(p: usize): usize {
  if (sizeof<T>() == 2) return <usize>((load<u32>(p) * 2654435761) >> 19); // 13 bits
  return <usize>(((load<u64>(p) << 24) * 889523592379) >> 52); // 12 bits
}

// @ts-ignore: decorator
@inline function lengthBytes(n: usize): usize {
  return n >= 15 ? (n - 15) / 255 + 1 : 0;
}

/** Writes the extension bytes of a length whose nibble was 15; returns the new output position. */
// @ts-ignore: decorator
@inline function writeLength(op: usize, n: usize): usize {
  n -= 15;
  while (n >= 255) {
    store<u8>(op++, 255);
    n -= 255;
  }
  store<u8>(op++, <u8>n);
  return op;
}

function compressWith<T>(src: usize, srcLen: usize, dst: usize, dstCap: usize, acceleration: u32): i32 {
  const srcEnd = src + srcLen;
  const dstEnd = dst + dstCap;
  let op = dst;
  let anchor = src;

  if (srcLen > MATCH_FIND_LIMIT) {
    const findLimit = srcEnd - MATCH_FIND_LIMIT;
    const matchLimit = srcEnd - LAST_LITERALS;
    memory.fill(TABLE, 0, TABLE_BYTES);
    let ip = src;
    store<T>(TABLE + (hashAt<T>(ip) << alignof<T>()), <T>0);
    ip++;
    let forwardHash = hashAt<T>(ip);

    let searching = true;
    while (searching) {
      let ref: usize = 0;
      let forward = ip;
      let step: u32 = 1;
      let attempts: u32 = acceleration << SKIP_TRIGGER;
      do {
        const slot = TABLE + (forwardHash << alignof<T>());
        ip = forward;
        forward += step;
        step = attempts++ >> SKIP_TRIGGER;
        if (forward > findLimit) {
          searching = false;
          break;
        }
        ref = src + <usize>load<T>(slot);
        forwardHash = hashAt<T>(forward);
        store<T>(slot, <T>(ip - src));
      } while (ref + MAX_DISTANCE < ip || load<u32>(ref) != load<u32>(ip));
      if (!searching) break;

      // Extend the match backwards over literals that also match.
      while (ip > anchor && ref > src && load<u8>(ip - 1) == load<u8>(ref - 1)) {
        ip--;
        ref--;
      }

      const literals = ip - anchor;
      if (op + 1 + lengthBytes(literals) + literals + 2 > dstEnd) return STATUS_OUTPUT_FULL;
      let token = op++;
      if (literals >= 15) {
        store<u8>(token, 15 << 4);
        op = writeLength(op, literals);
      } else {
        store<u8>(token, <u8>(literals << 4));
      }
      copyLiterals(op, anchor, literals, dstEnd, srcEnd);
      op += literals;

      // Emit the match, then keep emitting while the next position matches straight away.
      while (true) {
        store<u16>(op, <u16>(ip - ref));
        op += 2;
        const matchLength = MIN_MATCH + commonLength(ip + MIN_MATCH, ref + MIN_MATCH, matchLimit);
        ip += matchLength;
        const code = matchLength - MIN_MATCH;
        if (code >= 15) {
          if (op + lengthBytes(code) > dstEnd) return STATUS_OUTPUT_FULL;
          store<u8>(token, load<u8>(token) | 15);
          op = writeLength(op, code);
        } else {
          store<u8>(token, load<u8>(token) | <u8>code);
        }
        anchor = ip;
        if (ip > findLimit) {
          searching = false;
          break;
        }

        store<T>(TABLE + (hashAt<T>(ip - 2) << alignof<T>()), <T>(ip - 2 - src));
        const slot = TABLE + (hashAt<T>(ip) << alignof<T>());
        ref = src + <usize>load<T>(slot);
        store<T>(slot, <T>(ip - src));
        if (ref + MAX_DISTANCE < ip || load<u32>(ref) != load<u32>(ip)) break;
        if (op + 3 > dstEnd) return STATUS_OUTPUT_FULL;
        token = op++;
        store<u8>(token, 0);
      }
      if (searching) {
        ip++;
        forwardHash = hashAt<T>(ip);
      }
    }
  }

  const lastRun = srcEnd - anchor;
  if (op + 1 + lengthBytes(lastRun) + lastRun > dstEnd) return STATUS_OUTPUT_FULL;
  if (lastRun >= 15) {
    store<u8>(op++, 15 << 4);
    op = writeLength(op, lastRun);
  } else {
    store<u8>(op++, <u8>(lastRun << 4));
  }
  memory.copy(op, anchor, lastRun);
  op += lastRun;
  return <i32>(op - dst);
}

/**
 * Compresses `srcLen` bytes at `src` into one LZ4 block at `dst`. `acceleration` ≥ 1 (1 = best ratio of this mode;
 * values above 65537 act as 65537). Returns the block size, STATUS_OUTPUT_FULL or STATUS_ARGUMENT.
 */
export function lz4CompressBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, acceleration: u32): i32 {
  if (srcLen > MAX_INPUT || dstCap > <usize>i32.MAX_VALUE) return STATUS_ARGUMENT;
  if (acceleration < 1) acceleration = 1;
  if (acceleration > 65537) acceleration = 65537;
  if (srcLen < SMALL_INPUT_LIMIT) return compressWith<u16>(src, srcLen, dst, dstCap, acceleration);
  return compressWith<u32>(src, srcLen, dst, dstCap, acceleration);
}
