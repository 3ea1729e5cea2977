// 4-bit codes packed two per byte, first element in the low nibble (ONNX int4/uint4 packing): byte k holds
// elements 2k (bits 0–3) and 2k+1 (bits 4–7); an odd count leaves the last high nibble 0.

import { STATUS_OUTPUT_FULL } from './status';

/** `count` one-byte codes at `src` (only their low 4 bits count) → ⌈count / 2⌉ packed bytes at `dst`. */
export function packNibbles(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  const bytes = (count + 1) >> 1;
  if (dstCap < bytes) return STATUS_OUTPUT_FULL;
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const low = i8x16.splat(0x0f);
    for (; (k << 1) + 32 <= count; k += 16) {
      const a = v128.load(src + (k << 1));
      const b = v128.load(src + (k << 1), 16);
      const even = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      const odd = i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      v128.store(dst + k, v128.or(v128.and(even, low), i8x16.shl(odd, 4)));
    }
  }
  for (; (k << 1) + 1 < count; k++) {
    store<u8>(dst + k, (load<u8>(src + (k << 1)) & 0x0f) | (load<u8>(src + (k << 1) + 1) << 4));
  }
  if (count & 1) store<u8>(dst + k, load<u8>(src + count - 1) & 0x0f);
  return <i32>bytes;
}

/** ⌈count / 2⌉ packed bytes at `src` → `count` one-byte codes at `dst`, sign-extended from 4 bits when `signed`. */
export function unpackNibbles(src: usize, count: usize, dst: usize, dstCap: usize, signed: bool): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  const flip: u32 = signed ? 8 : 0; // (v ^ 8) − 8 sign-extends a 4-bit value; with 0 it leaves v as it is
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const low = i8x16.splat(0x0f);
    const vFlip = i8x16.splat(<i8>flip);
    for (; (k << 1) + 32 <= count; k += 16) {
      const v = v128.load(src + k);
      const lo = i8x16.sub(v128.xor(v128.and(v, low), vFlip), vFlip);
      const hi = i8x16.sub(v128.xor(i8x16.shr_u(v, 4), vFlip), vFlip);
      v128.store(dst + (k << 1), i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
      v128.store(dst + (k << 1), i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), 16);
    }
  }
  for (let j = (k << 1); j < count; j++) {
    const byte = <u32>load<u8>(src + (j >> 1));
    const v = (j & 1) ? byte >> 4 : byte & 0x0f;
    store<u8>(dst + j, <u8>((v ^ flip) - flip));
  }
  return <i32>count;
}
