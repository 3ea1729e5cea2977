// The palette stage of a chunk pipeline: elements of `width` bytes (2, 4 or 8) stored as a table of distinct values
// and one index per element (docs/FORMAT.md, "The palette stage"):
//
//   offset 0          u32          K, the number of table entries, 1 ≤ K ≤ 65,536
//   4                 K × width    the table
//   4 + K × width     indices      one per element: a byte when K ≤ 256, else a u16; they fill the rest exactly
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap). Status: fewer bytes than
// K and the table need is TRUNCATED; K out of range, a partial index or an index ≥ K is CORRUPT; more elements than
// dstCap holds is OUTPUT_FULL (nothing written). Bytes of the output may be written before an index is found bad.
// Both builds run this code: a lookup per element has no SIMD form without a gather.

import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';

/** The most table entries: every index fits a u16. */
const PALETTE_MAX_ENTRIES: u32 = 65536;
/** The most entries indexed by one byte. */
const BYTE_INDEX_ENTRIES: u32 = 256;

/** Decodes a palette stage of `width`-byte elements; returns the bytes written to dst or a status. */
export function paletteDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, width: u32): i32 {
  if (width != 2 && width != 4 && width != 8) return STATUS_ARGUMENT;
  if (srcLen < 4) return STATUS_TRUNCATED;
  const entries = load<u32>(src);
  if (entries == 0 || entries > PALETTE_MAX_ENTRIES) return STATUS_CORRUPT;
  const table = src + 4;
  const tableBytes = <usize>entries * width;
  if (srcLen - 4 < tableBytes) return STATUS_TRUNCATED;
  const indices = table + tableBytes;
  const indexBytes = srcLen - 4 - tableBytes;
  const wide = entries > BYTE_INDEX_ENTRIES;
  if (wide && (indexBytes & 1) != 0) return STATUS_CORRUPT;
  const count = wide ? indexBytes >> 1 : indexBytes;
  if (<u64>count * width > <u64>dstCap || <u64>count * width > 0x7fffffff) return STATUS_OUTPUT_FULL;
  let ok = true;
  if (width == 2) ok = wide ? lookup<u16, u16>(indices, count, table, entries, dst) : lookup<u16, u8>(indices, count, table, entries, dst);
  else if (width == 4) ok = wide ? lookup<u32, u16>(indices, count, table, entries, dst) : lookup<u32, u8>(indices, count, table, entries, dst);
  else ok = wide ? lookup<u64, u16>(indices, count, table, entries, dst) : lookup<u64, u8>(indices, count, table, entries, dst);
  return ok ? <i32>(count * width) : STATUS_CORRUPT;
}

/** out[i] = table[index[i]] for `count` indices of type I; false when an index is ≥ entries (a bad index reads the
 *  last entry instead, so the loop has no branch and never reads past the table). */
// @ts-ignore: decorator
@inline function lookup<T, I>(indices: usize, count: usize, table: usize, entries: u32, dst: usize): bool {
  let bad: u32 = 0;
  for (let i: usize = 0; i < count; i++) {
    const index = <u32>load<I>(indices + i * sizeof<I>());
    bad |= <u32>(index >= entries);
    store<T>(dst + i * sizeof<T>(), load<T>(table + <usize>min(index, entries - 1) * sizeof<T>()));
  }
  return bad == 0;
}
