// 2:4 structured sparsity: in every group of 4 elements at most 2 are non-zero. Stored as
//   positions  ⌈groups / 2⌉ bytes: group g in the low (g even) or high (g odd) nibble of byte ⌊g / 2⌋; a nibble is
//              i0 | i1 << 2 with i0 < i1, the in-group indices of the two kept elements (an unused high nibble is 0)
//   values     2 elements per group: element i0, then element i1
// A group with fewer than 2 non-zeros keeps the lowest free indices, whose values are zero. Elements are 1, 2 or 4
// bytes; `count` is a multiple of 4.

import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { copyElement, isNonZero, storeZero, validWidth } from './sparse_elements';

/** Bytes of the 2:4 form of `count` elements of `width` bytes. */
// @ts-ignore: decorator
@inline function packedBytes(count: usize, width: usize): usize {
  const groups = count >> 2;
  return ((groups + 1) >> 1) + groups * 2 * width;
}

/** Packs `count` elements at `src` as 2:4; returns the bytes written, or STATUS_ARGUMENT when a group has 3 or 4
 *  non-zeros or `count` is not a multiple of 4. */
export function pack24(src: usize, count: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width) || (count & 3) != 0) return STATUS_ARGUMENT;
  const groups = count >> 2;
  if (dstCap < packedBytes(count, width)) return STATUS_OUTPUT_FULL;
  const positions = dst;
  let values = dst + ((groups + 1) >> 1);
  for (let g: usize = 0; g < groups; g++) {
    const group = src + (g << 2) * width;
    let present: u32 = 0;
    for (let i: usize = 0; i < 4; i++) present |= <u32>isNonZero(group + i * width, width) << <u32>i;
    if (popcnt<u32>(present) > 2) return STATUS_ARGUMENT;
    // Fill up to two kept indices with the lowest free ones.
    let kept = present;
    for (let i: u32 = 0; popcnt<u32>(kept) < 2; i++) kept |= 1 << i;
    const i0 = <usize>ctz<u32>(kept);
    const i1 = <usize>(31 - clz<u32>(kept));
    copyElement(values, group + i0 * width, width);
    copyElement(values + width, group + i1 * width, width);
    values += 2 * width;
    const nibble = <u8>(i0 | (i1 << 2));
    const at = positions + (g >> 1);
    store<u8>(at, (g & 1) != 0 ? load<u8>(at) | (nibble << 4) : nibble);
  }
  return <i32>(values - dst);
}

/** Unpacks the 2:4 form (`srcLen` bytes at `src`) into `count` elements at `dst`; returns `count`. */
export function unpack24(src: usize, srcLen: usize, count: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width) || (count & 3) != 0) return STATUS_ARGUMENT;
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  const expected = packedBytes(count, width);
  if (srcLen < expected) return STATUS_TRUNCATED;
  if (srcLen > expected) return STATUS_CORRUPT;
  const groups = count >> 2;
  const positionBytes = (groups + 1) >> 1;
  for (let b: usize = 0; b < positionBytes; b++) {
    const byte = <u32>load<u8>(src + b);
    if (!validNibble(byte & 15)) return STATUS_CORRUPT;
    const lastAndAlone = b == positionBytes - 1 && (groups & 1) != 0;
    if (lastAndAlone ? (byte >> 4) != 0 : !validNibble(byte >> 4)) return STATUS_CORRUPT;
  }
  let values = src + positionBytes;
  for (let g: usize = 0; g < groups; g++) {
    const nibble = <usize>((<u32>load<u8>(src + (g >> 1)) >> (<u32>(g & 1) << 2)) & 15);
    const group = dst + (g << 2) * width;
    for (let i: usize = 0; i < 4; i++) storeZero(group + i * width, width);
    copyElement(group + (nibble & 3) * width, values, width);
    copyElement(group + (nibble >> 2) * width, values + width, width);
    values += 2 * width;
  }
  return <i32>count;
}

// @ts-ignore: decorator
@inline function validNibble(nibble: u32): bool {
  return (nibble & 3) < (nibble >> 2);
}
