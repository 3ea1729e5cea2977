// Delta filter for little-endian integers of 1, 2, 4 or 8 bytes: out[0] = x[0], out[i] = x[i] − x[i−1], wrapping
// modulo 2^(8·width), so it is exact for signed and unsigned values alike. Decoding is the running sum.
// Kernels take element counts, return `count` or STATUS_ARGUMENT (width) / STATUS_OUTPUT_FULL, and touch only
// `count` elements at src and dst, which must not overlap.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';

// @ts-ignore: decorator
@inline function encode<T>(src: usize, count: usize, dst: usize, from: usize): void {
  let previous: T = from > 0 ? load<T>(src + (from - 1) * sizeof<T>()) : <T>0;
  for (let i = from; i < count; i++) {
    const x = load<T>(src + i * sizeof<T>());
    store<T>(dst + i * sizeof<T>(), x - previous);
    previous = x;
  }
}

// @ts-ignore: decorator
@inline function decode<T>(src: usize, count: usize, dst: usize, from: usize): void {
  let sum: T = from > 0 ? load<T>(dst + (from - 1) * sizeof<T>()) : <T>0;
  for (let i = from; i < count; i++) {
    sum += load<T>(src + i * sizeof<T>());
    store<T>(dst + i * sizeof<T>(), sum);
  }
}

/** Delta-encodes `count` integers of `width` bytes. */
export function deltaEncode(src: usize, count: usize, dst: usize, dstCap: usize, width: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  if (width == 1) encode<u8>(src, count, dst, 0);
  else if (width == 2) encode<u16>(src, count, dst, 0);
  else if (width == 4) encode<u32>(src, count, dst, ASC_FEATURE_SIMD ? encode32x4(src, count, dst) : 0);
  else if (width == 8) encode<u64>(src, count, dst, 0);
  else return STATUS_ARGUMENT;
  return <i32>count;
}

/** The inverse of deltaEncode. */
export function deltaDecode(src: usize, count: usize, dst: usize, dstCap: usize, width: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  if (width == 1) decode<u8>(src, count, dst, 0);
  else if (width == 2) decode<u16>(src, count, dst, 0);
  else if (width == 4) decode<u32>(src, count, dst, ASC_FEATURE_SIMD ? decode32x4(src, count, dst) : 0);
  else if (width == 8) decode<u64>(src, count, dst, 0);
  else return STATUS_ARGUMENT;
  return <i32>count;
}

// 4-byte bodies, four lanes per step; they return how many elements they did.
function encode32x4(src: usize, count: usize, dst: usize): usize {
  let before = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    const x = v128.load(src + (i << 2));
    // [x3 of the previous step, x0, x1, x2]
    const previous = i8x16.shuffle(before, x, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
    v128.store(dst + (i << 2), i32x4.sub(x, previous));
    before = x;
  }
  return i;
}

function decode32x4(src: usize, count: usize, dst: usize): usize {
  const zero = i32x4.splat(0);
  let carry = zero;
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    let x = v128.load(src + (i << 2));
    x = i32x4.add(x, i8x16.shuffle(zero, x, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
    x = i32x4.add(x, i8x16.shuffle(zero, x, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
    x = i32x4.add(x, carry);
    v128.store(dst + (i << 2), x);
    carry = i32x4.shuffle(x, x, 3, 3, 3, 3);
  }
  return i;
}
