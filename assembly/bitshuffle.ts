// Bitshuffle (Blosc2 semantics). Of the E = ⌊len / typesize⌋ elements, the first E8 = E − E mod 8 are cut into
// 8·typesize bit planes of E8 / 8 bytes each: plane p = 8·j + k holds bit k of byte j of every element, element e in
// bit e mod 8 of byte ⌊e / 8⌋ (least significant bit first). The bytes after those E8 elements (whole leftover
// elements and the len mod typesize tail) are copied unchanged. Bitunshuffle is the inverse.
//
// The scalar body gathers byte j of 8 elements into a u64 and transposes it as an 8×8 bit matrix. The SIMD body
// gathers byte j of 16 elements into a v128 and takes one plane's two bytes per i8x16.bitmask. Both compute the same
// definition, so both builds give identical bytes. Kernels return `len` or STATUS_ARGUMENT / STATUS_OUTPUT_FULL and
// touch only [src, src+len) and [dst, dst+len) (plus a 256-byte static scratch); the ranges must not overlap.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import { MAX_TYPESIZE } from './shuffle';

/** Byte j of 16 elements, for j < typesize: the rows the SIMD bodies work on. */
const rows = memory.data(16 * <i32>MAX_TYPESIZE, 16);

/** Bit k of byte i ⇄ bit i of byte k in a u64 holding 8 bytes (Hacker's Delight transpose8, in three swaps). */
// @ts-ignore: decorator
@inline function transpose8x8(x: u64): u64 {
  let t = (x ^ (x >> 7)) & 0x00aa00aa00aa00aa;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000cccc0000cccc;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000f0f0f0f0;
  return x ^ t ^ (t << 28);
}

function checkArguments(len: usize, dstCap: usize, typesize: usize): i32 {
  if (typesize < 1 || typesize > MAX_TYPESIZE) return STATUS_ARGUMENT;
  if (dstCap < len) return STATUS_OUTPUT_FULL;
  return 0;
}

/** Bitshuffle of `len` bytes at `src` into `dst`. */
export function bitShuffle(src: usize, len: usize, dst: usize, dstCap: usize, typesize: usize): i32 {
  const status = checkArguments(len, dstCap, typesize);
  if (status < 0) return status;
  const n = len / typesize;
  const n8 = n & ~<usize>7;
  const planeBytes = n8 >> 3;
  let e: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; e + 16 <= n8; e += 16) {
      const from = src + e * typesize;
      for (let i: usize = 0; i < 16; i++) {
        for (let j: usize = 0; j < typesize; j++) store<u8>(rows + (j << 4) + i, load<u8>(from + i * typesize + j));
      }
      for (let j: usize = 0; j < typesize; j++) {
        const row = v128.load(rows + (j << 4));
        const to = dst + (j << 3) * planeBytes + (e >> 3);
        // bitmask takes each lane's top bit: shifting left by 7 − k brings bit k there.
        store<u16>(to, <u16>i8x16.bitmask(i8x16.shl(row, 7)));
        store<u16>(to + planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 6)));
        store<u16>(to + 2 * planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 5)));
        store<u16>(to + 3 * planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 4)));
        store<u16>(to + 4 * planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 3)));
        store<u16>(to + 5 * planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 2)));
        store<u16>(to + 6 * planeBytes, <u16>i8x16.bitmask(i8x16.shl(row, 1)));
        store<u16>(to + 7 * planeBytes, <u16>i8x16.bitmask(row));
      }
    }
  }
  for (; e < n8; e += 8) {
    const from = src + e * typesize;
    for (let j: usize = 0; j < typesize; j++) {
      let x: u64 = 0;
      for (let i: usize = 0; i < 8; i++) x |= <u64>load<u8>(from + i * typesize + j) << (i << 3);
      x = transpose8x8(x);
      const to = dst + (j << 3) * planeBytes + (e >> 3);
      for (let k: usize = 0; k < 8; k++) store<u8>(to + k * planeBytes, <u8>(x >> (k << 3)));
    }
  }
  const done = n8 * typesize;
  memory.copy(dst + done, src + done, len - done);
  return <i32>len;
}

/** The inverse of bitShuffle. */
export function bitUnshuffle(src: usize, len: usize, dst: usize, dstCap: usize, typesize: usize): i32 {
  const status = checkArguments(len, dstCap, typesize);
  if (status < 0) return status;
  const n = len / typesize;
  const n8 = n & ~<usize>7;
  const planeBytes = n8 >> 3;
  let e: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // Lane i looks at bit i mod 8 of byte i / 8 of a plane's two bytes.
    const spread = i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    const laneBit = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
    for (; e + 16 <= n8; e += 16) {
      for (let j: usize = 0; j < typesize; j++) {
        const from = src + (j << 3) * planeBytes + (e >> 3);
        let row = i8x16.splat(0);
        for (let k: usize = 0; k < 8; k++) {
          const bits = i8x16.swizzle(i16x8.splat(load<u16>(from + k * planeBytes)), spread);
          const set = i8x16.eq(v128.and(bits, laneBit), laneBit);
          row = v128.or(row, v128.and(set, i8x16.splat(<i8>(<u8>1 << <u8>k))));
        }
        v128.store(rows + (j << 4), row);
      }
      const to = dst + e * typesize;
      for (let i: usize = 0; i < 16; i++) {
        for (let j: usize = 0; j < typesize; j++) store<u8>(to + i * typesize + j, load<u8>(rows + (j << 4) + i));
      }
    }
  }
  for (; e < n8; e += 8) {
    const to = dst + e * typesize;
    for (let j: usize = 0; j < typesize; j++) {
      const from = src + (j << 3) * planeBytes + (e >> 3);
      let x: u64 = 0;
      for (let k: usize = 0; k < 8; k++) x |= <u64>load<u8>(from + k * planeBytes) << (k << 3);
      x = transpose8x8(x);
      for (let i: usize = 0; i < 8; i++) store<u8>(to + i * typesize + j, <u8>(x >> (i << 3)));
    }
  }
  const done = n8 * typesize;
  memory.copy(dst + done, src + done, len - done);
  return <i32>len;
}
