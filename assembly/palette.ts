// The palette stage of a chunk pipeline: elements of `width` bytes (2, 4 or 8) stored as a table of distinct values
// and one index per element (docs/FORMAT.md, "The palette stage"):
//
//   offset 0          u32          K, the number of table entries, 1 ≤ K ≤ 65,536
//   4                 K × width    the table
//   4 + K × width     indices      one per element: a byte when K ≤ 256, else a u16; they fill the rest exactly
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap). Status: fewer bytes than
// K and the table need is TRUNCATED; K out of range, a partial index or an index ≥ K is CORRUPT; more elements than
// dstCap holds is OUTPUT_FULL (nothing written). The indices are checked in a pass of their own before any is used
// (16 bytes a step in the SIMD build), so the lookups need no clamp: a load and a store per element (no SIMD form
// without a gather); a bad index writes nothing.

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
  // Every index checked first (CORRUPT with nothing written), so the lookups need no clamp.
  if ((wide ? largestIndex<u16>(indices, count) : largestIndex<u8>(indices, count)) >= entries) return STATUS_CORRUPT;
  if (wide) {
    if (width == 2) lookup<u16, u16>(indices, count, table, dst);
    else if (width == 4) lookup<u32, u16>(indices, count, table, dst);
    else lookup<u64, u16>(indices, count, table, dst);
  } else {
    if (width == 2) lookup<u16, u8>(indices, count, table, dst);
    else if (width == 4) lookup<u32, u8>(indices, count, table, dst);
    else lookup<u64, u8>(indices, count, table, dst);
  }
  return <i32>(count * width);
}

/** Where largestIndex leaves its vector of maxima. */
const MAXIMA: usize = memory.data(16, 16);

/** The largest of `count` indices of type I (u8 or u16), 16 bytes at a time in the SIMD build. */
function largestIndex<I>(indices: usize, count: usize): u32 {
  let i: usize = 0;
  let largest: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const perVector: usize = 16 / sizeof<I>();
    let most = i32x4.splat(0);
    for (; i + perVector <= count; i += perVector) {
      const v = v128.load(indices + i * sizeof<I>());
      most = sizeof<I>() == 1 ? i8x16.max_u(most, v) : i16x8.max_u(most, v);
    }
    v128.store(MAXIMA, most);
    for (let lane: usize = 0; lane < perVector; lane++) largest = max(largest, <u32>load<I>(MAXIMA + lane * sizeof<I>()));
  }
  for (; i < count; i++) largest = max(largest, <u32>load<I>(indices + i * sizeof<I>()));
  return largest;
}

/** out[i] = table[index[i]] for `count` indices of type I, every one below the table's entries. */
// @ts-ignore: decorator
@inline function lookup<T, I>(indices: usize, count: usize, table: usize, dst: usize): void {
  for (let i: usize = 0; i < count; i++) {
    store<T>(dst + i * sizeof<T>(), load<T>(table + <usize>load<I>(indices + i * sizeof<I>()) * sizeof<T>()));
  }
}
