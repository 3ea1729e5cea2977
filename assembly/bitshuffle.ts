// Bitshuffle (Blosc2 semantics). Of the E = ⌊len / typesize⌋ elements, the first E8 = E − E mod 8 are cut into
// 8·typesize bit planes of E8 / 8 bytes each: plane p = 8·j + k holds bit k of byte j of every element, element e in
// bit e mod 8 of byte ⌊e / 8⌋ (least significant bit first). The bytes after those E8 elements (whole leftover
// elements and the len mod typesize tail) are copied unchanged. Bitunshuffle is the inverse.
//
// The scalar body gathers byte j of 8 elements into a u64 and transposes it as an 8×8 bit matrix. The SIMD body
// gathers byte j of 16 elements into a v128 and takes one plane's two bytes per i8x16.bitmask. Both compute the same
// definition, so both builds give identical bytes. Kernels return `len` or STATUS_ARGUMENT / STATUS_OUTPUT_FULL and
// touch only [src, src+len) and [dst, dst+len) (plus 4.3 KiB of static scratch); the ranges must not overlap.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';
import { MAX_TYPESIZE, shuffle2, shuffle4, unshuffle2, unshuffle4, unshuffle8 } from './shuffle';

/** Byte j of 16 elements, for j < typesize: the rows the SIMD bodies work on. */
const rows = memory.data(16 * <i32>MAX_TYPESIZE, 16);
/** 32 bytes of each of up to 8·16 planes: 256 elements' worth, gathered before they are spread over the planes. */
const staged = memory.data(32 * 8 * <i32>MAX_TYPESIZE, 16);

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

/** Bit planes of 16 elements at `from`: plane p's two bytes go to out + p·stride. */
// @ts-ignore: decorator
@inline function planesOf16(from: usize, typesize: usize, out: usize, stride: usize): void {
  // Byte j of the 16 elements at rows + 16·j (for typesize 1 the input is that row already).
  const gathered = typesize == 1 ? from : rows;
  if (typesize == 2) shuffle2(from, 16, rows);
  else if (typesize == 4) shuffle4(from, 16, rows);
  else if (typesize > 1) {
    for (let i: usize = 0; i < 16; i++) {
      for (let j: usize = 0; j < typesize; j++) store<u8>(rows + (j << 4) + i, load<u8>(from + i * typesize + j));
    }
  }
  for (let j: usize = 0; j < typesize; j++) {
    const row = v128.load(gathered + (j << 4));
    const to = out + (j << 3) * stride;
    // bitmask takes each lane's top bit: shifting left by 7 − k brings bit k there.
    store<u16>(to, <u16>i8x16.bitmask(i8x16.shl(row, 7)));
    store<u16>(to + stride, <u16>i8x16.bitmask(i8x16.shl(row, 6)));
    store<u16>(to + 2 * stride, <u16>i8x16.bitmask(i8x16.shl(row, 5)));
    store<u16>(to + 3 * stride, <u16>i8x16.bitmask(i8x16.shl(row, 4)));
    store<u16>(to + 4 * stride, <u16>i8x16.bitmask(i8x16.shl(row, 3)));
    store<u16>(to + 5 * stride, <u16>i8x16.bitmask(i8x16.shl(row, 2)));
    store<u16>(to + 6 * stride, <u16>i8x16.bitmask(i8x16.shl(row, 1)));
    store<u16>(to + 7 * stride, <u16>i8x16.bitmask(row));
  }
}

/** The inverse of planesOf16: 16 elements to `to` from plane p's two bytes at from + p·stride. */
// @ts-ignore: decorator
@inline function elementsOf16(from: usize, stride: usize, typesize: usize, to: usize): void {
  // Lane i looks at bit i mod 8 of byte i / 8 of a plane's two bytes.
  const spread = i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const laneBit = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  for (let j: usize = 0; j < typesize; j++) {
    const planes = from + (j << 3) * stride;
    let row = i8x16.splat(0);
    for (let k: usize = 0; k < 8; k++) {
      const bits = i8x16.swizzle(i16x8.splat(load<u16>(planes + k * stride)), spread);
      const set = i8x16.eq(v128.and(bits, laneBit), laneBit);
      row = v128.or(row, v128.and(set, i8x16.splat(<i8>(<u8>1 << <u8>k))));
    }
    v128.store(rows + (j << 4), row);
  }
  if (typesize == 1) v128.store(to, v128.load(rows));
  else if (typesize == 2) unshuffle2(rows, 16, to);
  else if (typesize == 4) unshuffle4(rows, 16, to);
  else if (typesize == 8) unshuffle8(rows, 16, to);
  else {
    for (let i: usize = 0; i < 16; i++) {
      for (let j: usize = 0; j < typesize; j++) store<u8>(to + i * typesize + j, load<u8>(rows + (j << 4) + i));
    }
  }
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
    // 256 elements at a time through `staged`, so each plane gets 32 contiguous bytes per step instead of 16 stores
    // of 2 bytes to as many far-apart addresses (8·typesize planes, often a multiple of 4 KiB apart).
    for (; e + 256 <= n8; e += 256) {
      for (let g: usize = 0; g < 16; g++) planesOf16(src + (e + (g << 4)) * typesize, typesize, staged + (g << 1), 32);
      for (let p: usize = 0; p < (typesize << 3); p++) {
        const to = dst + p * planeBytes + (e >> 3);
        v128.store(to, v128.load(staged + (p << 5)));
        v128.store(to, v128.load(staged + (p << 5), 16), 16);
      }
    }
    for (; e + 16 <= n8; e += 16) planesOf16(src + e * typesize, typesize, dst + (e >> 3), planeBytes);
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
    for (; e + 256 <= n8; e += 256) {
      for (let p: usize = 0; p < (typesize << 3); p++) {
        const from = src + p * planeBytes + (e >> 3);
        v128.store(staged + (p << 5), v128.load(from));
        v128.store(staged + (p << 5), v128.load(from, 16), 16);
      }
      for (let g: usize = 0; g < 16; g++) elementsOf16(staged + (g << 1), 32, typesize, dst + (e + (g << 4)) * typesize);
    }
    for (; e + 16 <= n8; e += 16) elementsOf16(src + (e >> 3), planeBytes, typesize, dst + e * typesize);
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
