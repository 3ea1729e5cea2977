// Bitmask + values: ⌈count / 8⌉ mask bytes — bit i mod 8 of byte ⌊i / 8⌋ set ⇔ element i is non-zero — then the
// non-zero elements in order. Elements are 1, 2 or 4 bytes; "zero" means every bit zero, so −0.0 and NaN are kept
// as values and a round trip is exact to the bit.
//
// The SIMD unpack expands 4 (4-byte), 8 (2-byte) or 8 (1-byte) elements per mask nibble or byte with one swizzle
// from a table of lane patterns; the scalar unpack goes bit by bit. Unpack checks the whole input first — the values
// must be exactly popcount(mask) elements and mask bits past `count` zero — so bad input writes nothing.

import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { copyElement, isNonZero, storeZero, validWidth } from './sparse_elements';

/** Swizzle patterns, 16 bytes each: 16 for 4-byte elements (by nibble), 256 each for 2- and 1-byte (by mask byte). */
const patterns4 = memory.data(16 * 16, 16);
const patterns2 = memory.data(256 * 16, 16);
const patterns1 = memory.data(256 * 16, 16);
let patternsReady = false;

/** Lane b of pattern m takes packed byte 4·(set bits of m below element b/width)… or 0x80 (→ 0) when not set. */
function fillPatterns(table: usize, masks: u32, width: u32, lanes: u32): void {
  for (let m: u32 = 0; m < masks; m++) {
    for (let b: u32 = 0; b < 16; b++) {
      const e = b / width;
      const set = b < lanes && ((m >> e) & 1) != 0;
      const index = popcnt<u32>(m & ((1 << e) - 1)) * width + b % width;
      store<u8>(table + (m << 4) + b, set ? <u8>index : 0x80);
    }
  }
}

function ensurePatterns(): void {
  if (patternsReady) return;
  fillPatterns(patterns4, 16, 4, 16);
  fillPatterns(patterns2, 256, 2, 16);
  fillPatterns(patterns1, 256, 1, 8);
  patternsReady = true;
}

/** Number of non-zero elements among `count` elements of `width` bytes at `src`. */
export function countNonZero(src: usize, count: usize, width: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  let nnz: usize = 0;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // Each zero element adds 1 to each of its `width` byte lanes (eq gives −1); ≤ 255 steps before a lane could wrap.
    const zero = i32x4.splat(0);
    const end = (count * width) & ~<usize>15;
    let zeroLanes: usize = 0;
    for (let b: usize = 0; b < end;) {
      let lanes = zero;
      for (const stop = min<usize>(end, b + 16 * 255); b < stop; b += 16) {
        const v = v128.load(src + b);
        lanes = i8x16.sub(lanes, width == 4 ? i32x4.eq(v, zero) : width == 2 ? i16x8.eq(v, zero) : i8x16.eq(v, zero));
      }
      const sums = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(lanes));
      zeroLanes += <usize>(i32x4.extract_lane(sums, 0) + i32x4.extract_lane(sums, 1) + i32x4.extract_lane(sums, 2) + i32x4.extract_lane(sums, 3));
    }
    i = end / width;
    nnz = i - zeroLanes / width;
  }
  for (; i < count; i++) nnz += <usize>isNonZero(src + i * width, width);
  return <i32>nnz;
}

/** Packs `count` elements of `width` bytes at `src` as mask + values into `dst`; returns the bytes written. */
export function bitmaskPack(src: usize, count: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  const maskBytes = (count + 7) >> 3;
  if (dstCap < maskBytes) return STATUS_OUTPUT_FULL;
  const end = dst + dstCap;
  let values = dst + maskBytes;
  for (let b: usize = 0; b < maskBytes; b++) {
    let mask: u32 = 0;
    const limit = min<usize>(8, count - (b << 3));
    for (let i: usize = 0; i < limit; i++) {
      const p = src + ((b << 3) + i) * width;
      if (isNonZero(p, width)) {
        if (values + width > end) return STATUS_OUTPUT_FULL;
        copyElement(values, p, width);
        values += width;
        mask |= 1 << <u32>i;
      }
    }
    store<u8>(dst + b, <u8>mask);
  }
  return <i32>(values - dst);
}

/** Unpacks mask + values (`srcLen` bytes at `src`) into `count` elements of `width` bytes at `dst`. */
export function bitmaskUnpack(src: usize, srcLen: usize, count: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  const maskBytes = (count + 7) >> 3;
  if (srcLen < maskBytes) return STATUS_TRUNCATED;
  const valueBytes = srcLen - maskBytes;
  const used = bitmaskExpand(src, count, src + maskBytes, valueBytes / width, width, dst, dstCap);
  if (used >= 0 && <usize>used * width != valueBytes) return STATUS_CORRUPT; // values left over
  return used < 0 ? used : <i32>count;
}

/**
 * Expands `count` elements from a mask at `src` and the non-zero values at `values` (`available` elements there,
 * of which it takes popcount(mask)); returns how many values it took. Lets a caller expand a long tensor a piece at a
 * time. STATUS_TRUNCATED when the mask wants more values than there are, STATUS_CORRUPT for mask bits past `count`.
 */
export function bitmaskExpand(src: usize, count: usize, values: usize, available: usize, width: usize, dst: usize,
  dstCap: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  const maskBytes = (count + 7) >> 3;
  if ((count & 7) != 0 && (<u32>load<u8>(src + maskBytes - 1) >> <u32>(count & 7)) != 0) return STATUS_CORRUPT;
  const nnz = popcount(src, maskBytes);
  if (nnz > available) return STATUS_TRUNCATED;
  const first = values;
  const valuesEnd = values + nnz * width;
  let b: usize = 0;
  if (ASC_FEATURE_SIMD) {
    ensurePatterns();
    const whole = count >> 3;
    if (width == 4) {
      // 16 elements per step from two mask bytes. Every load's offset is a popcount of the same 16 bits, so the only
      // chain from step to step is one add to `values` (one popcount per nibble in a chain would bound it at ~16 GB/s).
      for (; b + 2 <= whole && values + 64 <= valuesEnd; b += 2) {
        const mask = <u32>load<u16>(src + b);
        const to = dst + (b << 5);
        const o1 = popcnt<u32>(mask & 0xf) << 2;
        const o2 = popcnt<u32>(mask & 0xff) << 2;
        const o3 = popcnt<u32>(mask & 0xfff) << 2;
        v128.store(to, i8x16.swizzle(v128.load(values), v128.load(patterns4 + ((mask & 0xf) << 4))));
        v128.store(to, i8x16.swizzle(v128.load(values + o1), v128.load(patterns4 + ((mask >> 4 & 0xf) << 4))), 16);
        v128.store(to, i8x16.swizzle(v128.load(values + o2), v128.load(patterns4 + ((mask >> 8 & 0xf) << 4))), 32);
        v128.store(to, i8x16.swizzle(v128.load(values + o3), v128.load(patterns4 + ((mask >> 12) << 4))), 48);
        values += popcnt<u32>(mask) << 2;
      }
    } else if (width == 2) {
      for (; b + 2 <= whole && values + 32 <= valuesEnd; b += 2) {
        const mask = <u32>load<u16>(src + b);
        const to = dst + (b << 4);
        v128.store(to, i8x16.swizzle(v128.load(values), v128.load(patterns2 + ((mask & 0xff) << 4))));
        v128.store(to, i8x16.swizzle(v128.load(values + (popcnt<u32>(mask & 0xff) << 1)), v128.load(patterns2 + ((mask >> 8) << 4))), 16);
        values += popcnt<u32>(mask) << 1;
      }
    } else {
      for (; b < whole && values + 16 <= valuesEnd; b++) {
        const mask = <u32>load<u8>(src + b);
        v128.store64_lane(dst + (b << 3), i8x16.swizzle(v128.load(values), v128.load(patterns1 + (mask << 4))), 0);
        values += popcnt<u32>(mask);
      }
    }
  }
  for (; b < maskBytes; b++) {
    const mask = <u32>load<u8>(src + b);
    const first = b << 3;
    const limit = min<usize>(8, count - first);
    if (mask == 0) {
      memory.fill(dst + first * width, 0, limit * width);
      continue;
    }
    for (let i: usize = 0; i < limit; i++) {
      const to = dst + (first + i) * width;
      if ((mask >> <u32>i) & 1) {
        copyElement(to, values, width);
        values += width;
      } else {
        storeZero(to, width);
      }
    }
  }
  return <i32>((values - first) / width);
}

/** Set bits in `len` bytes at `p`: how many values a piece of mask selects. */
export function maskPopcount(p: usize, len: usize): i32 {
  return <i32>popcount(p, len);
}

function popcount(p: usize, len: usize): usize {
  let total: usize = 0;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) total += <usize>popcnt<u64>(load<u64>(p + i));
  for (; i < len; i++) total += <usize>popcnt<u32>(load<u8>(p + i));
  return total;
}
