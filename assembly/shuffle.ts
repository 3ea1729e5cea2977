// Byte shuffle (Blosc semantics). `len` bytes hold E = ⌊len / typesize⌋ elements; byte j of element i goes to
// j·E + i, so each "byte plane" (all the sign/exponent bytes, all the low mantissa bytes, …) is contiguous. The
// len mod typesize bytes that do not make a whole element are copied unchanged to the end. Unshuffle is the inverse.
//
// Typesizes 2, 4 and 8 have SIMD bodies (16 elements per step); every typesize from 1 to 16 has the plain loop, which
// also finishes the elements the SIMD steps leave. Both move the same bytes, so both builds give identical output.
// Kernels return `len` (bytes written) or STATUS_ARGUMENT / STATUS_OUTPUT_FULL; they touch only [src, src+len) and
// [dst, dst+len). The two ranges must not overlap.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';

export const MAX_TYPESIZE: usize = 16;

/** Blosc byte shuffle of `len` bytes at `src` into `dst`. */
export function byteShuffle(src: usize, len: usize, dst: usize, dstCap: usize, typesize: usize): i32 {
  if (typesize < 1 || typesize > MAX_TYPESIZE) return STATUS_ARGUMENT;
  if (dstCap < len) return STATUS_OUTPUT_FULL;
  const n = len / typesize;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    if (typesize == 2) i = shuffle2(src, n, dst);
    else if (typesize == 4) i = shuffle4(src, n, dst);
  }
  for (; i < n; i++) {
    for (let j: usize = 0; j < typesize; j++) store<u8>(dst + j * n + i, load<u8>(src + i * typesize + j));
  }
  const whole = n * typesize;
  memory.copy(dst + whole, src + whole, len - whole);
  return <i32>len;
}

/** The inverse of byteShuffle. */
export function byteUnshuffle(src: usize, len: usize, dst: usize, dstCap: usize, typesize: usize): i32 {
  if (typesize < 1 || typesize > MAX_TYPESIZE) return STATUS_ARGUMENT;
  if (dstCap < len) return STATUS_OUTPUT_FULL;
  const n = len / typesize;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    if (typesize == 2) i = unshuffle2(src, n, dst);
    else if (typesize == 4) i = unshuffle4(src, n, dst);
    else if (typesize == 8) i = unshuffle8(src, n, dst);
  }
  for (; i < n; i++) {
    for (let j: usize = 0; j < typesize; j++) store<u8>(dst + i * typesize + j, load<u8>(src + j * n + i));
  }
  const whole = n * typesize;
  memory.copy(dst + whole, src + whole, len - whole);
  return <i32>len;
}

// The SIMD bodies below each handle whole groups of 16 elements and return how many elements they did (bitshuffle.ts
// also uses them on single groups).

// @ts-ignore: decorator
@inline export function shuffle2(src: usize, n: usize, dst: usize): usize {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const a = v128.load(src + (i << 1));
    const b = v128.load(src + (i << 1), 16);
    v128.store(dst + i, i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
    v128.store(dst + n + i, i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
  }
  return i;
}

// @ts-ignore: decorator
@inline export function unshuffle2(src: usize, n: usize, dst: usize): usize {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const lo = v128.load(src + i);
    const hi = v128.load(src + n + i);
    v128.store(dst + (i << 1), i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    v128.store(dst + (i << 1), i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), 16);
  }
  return i;
}

// @ts-ignore: decorator
@inline export function shuffle4(src: usize, n: usize, dst: usize): usize {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + (i << 2);
    const x0 = v128.load(p);
    const x1 = v128.load(p, 16);
    const x2 = v128.load(p, 32);
    const x3 = v128.load(p, 48);
    // Bytes 0 and 1 of elements 0–7 (t0), bytes 2 and 3 (t1); the same for elements 8–15 (t2, t3).
    const t0 = i8x16.shuffle(x0, x1, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    const t1 = i8x16.shuffle(x0, x1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    const t2 = i8x16.shuffle(x2, x3, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    const t3 = i8x16.shuffle(x2, x3, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    v128.store(dst + i, i64x2.shuffle(t0, t2, 0, 2));
    v128.store(dst + n + i, i64x2.shuffle(t0, t2, 1, 3));
    v128.store(dst + 2 * n + i, i64x2.shuffle(t1, t3, 0, 2));
    v128.store(dst + 3 * n + i, i64x2.shuffle(t1, t3, 1, 3));
  }
  return i;
}

// @ts-ignore: decorator
@inline export function unshuffle4(src: usize, n: usize, dst: usize): usize {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const b0 = v128.load(src + i);
    const b1 = v128.load(src + n + i);
    const b2 = v128.load(src + 2 * n + i);
    const b3 = v128.load(src + 3 * n + i);
    const lo01 = i8x16.shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const hi01 = i8x16.shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const lo23 = i8x16.shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const hi23 = i8x16.shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const p = dst + (i << 2);
    v128.store(p, i16x8.shuffle(lo01, lo23, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(p, i16x8.shuffle(lo01, lo23, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    v128.store(p, i16x8.shuffle(hi01, hi23, 0, 8, 1, 9, 2, 10, 3, 11), 32);
    v128.store(p, i16x8.shuffle(hi01, hi23, 4, 12, 5, 13, 6, 14, 7, 15), 48);
  }
  return i;
}

// @ts-ignore: decorator
@inline export function unshuffle8(src: usize, n: usize, dst: usize): usize {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    // Interleave planes pairwise three times: bytes → 16-bit pairs → 32-bit quads → whole 64-bit elements.
    const s = src + i;
    const b0 = v128.load(s);
    const b1 = v128.load(s + n);
    const b2 = v128.load(s + 2 * n);
    const b3 = v128.load(s + 3 * n);
    const b4 = v128.load(s + 4 * n);
    const b5 = v128.load(s + 5 * n);
    const b6 = v128.load(s + 6 * n);
    const b7 = v128.load(s + 7 * n);
    const a01 = i8x16.shuffle(b0, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const c01 = i8x16.shuffle(b0, b1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const a23 = i8x16.shuffle(b2, b3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const c23 = i8x16.shuffle(b2, b3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const a45 = i8x16.shuffle(b4, b5, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const c45 = i8x16.shuffle(b4, b5, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const a67 = i8x16.shuffle(b6, b7, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const c67 = i8x16.shuffle(b6, b7, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    // Elements 0–3 (q0), 4–7 (q1), 8–11 (q2), 12–15 (q3), bytes 0–3 and 4–7 of each.
    const q0lo = i16x8.shuffle(a01, a23, 0, 8, 1, 9, 2, 10, 3, 11);
    const q1lo = i16x8.shuffle(a01, a23, 4, 12, 5, 13, 6, 14, 7, 15);
    const q2lo = i16x8.shuffle(c01, c23, 0, 8, 1, 9, 2, 10, 3, 11);
    const q3lo = i16x8.shuffle(c01, c23, 4, 12, 5, 13, 6, 14, 7, 15);
    const q0hi = i16x8.shuffle(a45, a67, 0, 8, 1, 9, 2, 10, 3, 11);
    const q1hi = i16x8.shuffle(a45, a67, 4, 12, 5, 13, 6, 14, 7, 15);
    const q2hi = i16x8.shuffle(c45, c67, 0, 8, 1, 9, 2, 10, 3, 11);
    const q3hi = i16x8.shuffle(c45, c67, 4, 12, 5, 13, 6, 14, 7, 15);
    const p = dst + (i << 3);
    v128.store(p, i32x4.shuffle(q0lo, q0hi, 0, 4, 1, 5));
    v128.store(p, i32x4.shuffle(q0lo, q0hi, 2, 6, 3, 7), 16);
    v128.store(p, i32x4.shuffle(q1lo, q1hi, 0, 4, 1, 5), 32);
    v128.store(p, i32x4.shuffle(q1lo, q1hi, 2, 6, 3, 7), 48);
    v128.store(p, i32x4.shuffle(q2lo, q2hi, 0, 4, 1, 5), 64);
    v128.store(p, i32x4.shuffle(q2lo, q2hi, 2, 6, 3, 7), 80);
    v128.store(p, i32x4.shuffle(q3lo, q3hi, 0, 4, 1, 5), 96);
    v128.store(p, i32x4.shuffle(q3lo, q3hi, 2, 6, 3, 7), 112);
  }
  return i;
}
