// The SIMD body of the regroup decoder for run 1 (regroup.ts): whole rows of `channels` output bytes, 16 channels (a
// block) per store. Within a row, the channels of one group that fall in a block have consecutive ranks in that
// group, so group g's bytes for the block are the next bytes of its stream; one swizzle puts them in their lanes
// (lane 0xff, a channel of another group, gives 0) and the block is the OR over the groups present in it:
//
//   out[row][block] = OR over the block's entries (address, mask): swizzle(load(address + row · k), mask)
//
// when every group that has channels has the same number k of them (the writer's equal parts). Only groups with a
// channel in the block are read; each block gets the same number of entries (padded with ones that give 0), so the
// inner loop always runs the same length. This runs on the first rows whose loads stay inside the source.
// With many groups a block (16 groups: 13 to 16 swizzles a block) 16 × 16 byte transposes do better, when every group
// has a multiple of 16 channels (transposedRows). The caller's scalar loop does the rows left, or all of them.

/** The widest rows this path takes: its tables hold channels / 16 blocks of up to 16 entries. */
export const SIMD_MAX_CHANNELS: u32 = 4096;
const MAX_GROUPS: u32 = 16;
const ENTRY: usize = 20;
/** Entries: a swizzle mask, then a u32 (while building: the rank of the group's first channel in the block, or
 *  ABSENT; then: the address of those bytes in row 0). Built dense ([block][group]), then compacted and padded in
 *  place to `width` entries per block. */
const ENTRIES: usize = memory.data(<i32>(SIMD_MAX_CHANNELS / 16 * MAX_GROUPS * <u32>ENTRY), 16);
/** Groups present per block (u8). */
const PRESENT: usize = memory.data(<i32>(SIMD_MAX_CHANNELS / 16), 16);
const ABSENT: u32 = 0xffffffff;
/** Past 8 entries a block (a swizzle each) the byte loop is faster: with 16 groups of 8 to 64 channels each, blocks
 *  need 13 to 16 entries and this path ran at 0.7x of it. */
const MOST_ENTRIES: u32 = 8;

/** Group g's channels: ends[g] − ends[g − 1] (ends[−1] = 0). */
// @ts-ignore: decorator
@inline function channelsOf(ends: usize, g: u32): u32 {
  return load<u32>(ends + (<usize>g << 2)) - (g == 0 ? 0 : load<u32>(ends + (<usize>(g - 1) << 2)));
}

/**
 * Writes rows [0, rows) of the output at dst and returns how many it wrote: all of them unless a 16-byte load of a
 * later row would pass srcEnd; none when the groups with channels differ in size or a block draws from more than
 * MOST_ENTRIES groups. Group g's channels, increasing, are order[ends[g − 1] … ends[g]) (u16; ends u32, ends[−1] = 0);
 * its elements start at starts[g] (u32). Needs channels a multiple of 16 and at most SIMD_MAX_CHANNELS, groups ≤ 16.
 */
export function regroupRowsSimd(order: usize, ends: usize, starts: usize, groups: u32, channels: u32, dst: usize, rows: usize, srcEnd: usize): usize {
  const swizzled = swizzledRows(order, ends, starts, groups, channels, dst, rows, srcEnd);
  return swizzled != DECLINED ? swizzled : transposedRows(order, ends, starts, groups, channels, dst, rows);
}

/** What swizzledRows returns when the groups differ in size or a block draws from more than MOST_ENTRIES groups. */
const DECLINED: usize = <usize>-1;

function swizzledRows(order: usize, ends: usize, starts: usize, groups: u32, channels: u32, dst: usize, rows: usize, srcEnd: usize): usize {
  let k: usize = 0;
  let fit = rows;
  for (let g: u32 = 0; g < groups; g++) {
    const size = <usize>(load<u32>(ends + (<usize>g << 2)) - (g == 0 ? 0 : load<u32>(ends + (<usize>(g - 1) << 2))));
    if (size == 0) continue;
    if (k != 0 && size != k) return DECLINED;
    k = size;
    // A load of row r reads below starts[g] + (r + 1)·k + 15.
    const start = <usize>load<u32>(starts + (<usize>g << 2));
    fit = srcEnd < start + 16 ? 0 : min(fit, (srcEnd - 16 - start) / k);
  }
  if (fit == 0) return 0;
  const blocks = channels >> 4;
  const dense = blocks * groups;
  for (let d: u32 = 0; d < dense; d++) {
    v128.store(ENTRIES + <usize>d * ENTRY, i8x16.splat(-1));
    store<u32>(ENTRIES + <usize>d * ENTRY, ABSENT, 16);
  }
  memory.fill(PRESENT, 0, blocks);
  // Group g's channel of rank j goes to lane c mod 16 of entry [c / 16][g] as j − (the rank of g's first channel there).
  for (let g: u32 = 0; g < groups; g++) {
    const last = load<u32>(ends + (<usize>g << 2));
    const first: u32 = g == 0 ? 0 : load<u32>(ends + (<usize>(g - 1) << 2));
    for (let j = first; j < last; j++) {
      const c = <u32>load<u16>(order + (<usize>j << 1));
      const entry = ENTRIES + <usize>((c >> 4) * groups + g) * ENTRY;
      if (load<u32>(entry, 16) == ABSENT) {
        store<u32>(entry, j - first, 16);
        store<u8>(PRESENT + (c >> 4), load<u8>(PRESENT + (c >> 4)) + 1);
      }
      store<u8>(entry + (c & 15), <u8>(j - first - load<u32>(entry, 16)));
    }
  }
  let width: u32 = 0;
  for (let b: u32 = 0; b < blocks; b++) width = max(width, <u32>load<u8>(PRESENT + b));
  if (width > MOST_ENTRIES) return DECLINED;
  // Compacted in place: block b's entries move to [b·width, (b + 1)·width), never up, so none is overwritten unread.
  for (let b: u32 = 0; b < blocks; b++) {
    let to = ENTRIES + <usize>(b * width) * ENTRY;
    for (let g: u32 = 0; g < groups; g++) {
      const from = ENTRIES + <usize>(b * groups + g) * ENTRY;
      const rank = load<u32>(from, 16);
      if (rank == ABSENT) continue;
      v128.store(to, v128.load(from));
      store<u32>(to, load<u32>(starts + (<usize>g << 2)) + rank, 16);
      to += ENTRY;
    }
    // Padding: a mask that takes nothing, at the block's first address (a load the bound above allows).
    for (let i = <u32>load<u8>(PRESENT + b); i < width; i++, to += ENTRY) {
      v128.store(to, i8x16.splat(-1));
      store<u32>(to, load<u32>(ENTRIES + <usize>(b * width) * ENTRY, 16), 16);
    }
  }
  const rowEntries = <usize>(blocks * width) * ENTRY;
  let out = dst;
  for (let shift: usize = 0, r: usize = 0; r < fit; r++, shift += k) {
    const end = ENTRIES + rowEntries;
    for (let entry = ENTRIES; entry < end; out += 16) {
      const blockEnd = entry + <usize>width * ENTRY;
      let bytes = i32x4.splat(0);
      for (; entry < blockEnd; entry += ENTRY) bytes = v128.or(bytes, i8x16.swizzle(v128.load(<usize>load<u32>(entry, 16) + shift), v128.load(entry)));
      v128.store(out, bytes);
    }
  }
  return fit;
}

/** Row l of the 16 × 16 transpose of the rows at `src` (`stride` apart) goes to `dst + l · dstStride`, or with `ranks`
 *  not 0 to `dst + (ranks[l] << 4)` (u16 ranks). */
// @ts-ignore: decorator
@inline function rowAddress(dst: usize, dstStride: usize, ranks: usize, l: usize): usize {
  return ranks != 0 ? dst + (<usize>load<u16>(ranks + (l << 1)) << 4) : dst + l * dstStride;
}

// @ts-ignore: decorator
@inline function low(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

// @ts-ignore: decorator
@inline function high(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/**
 * Transposes the 16 × 16 bytes at src (rows `stride` apart) into the rows rowAddress gives, in four rounds that keep
 * the rows in locals (a round trip through memory per round took 1.6 times as long). Round m (m = 8, 4, 2, 1)
 * interleaves each row i that has bit m clear with row i + m, the low halves into row i and the high halves into row
 * i + m: the byte at (row, column) goes to the row whose bit m is the column's top bit, and the column shifts left
 * taking the row's bit m at its bottom. After the four rounds row and column have swapped, and each step needs only
 * one spare register.
 */
function transpose16(src: usize, stride: usize, dst: usize, dstStride: usize, ranks: usize): void {
  let r0 = v128.load(src), r1 = v128.load(src + stride), r2 = v128.load(src + 2 * stride), r3 = v128.load(src + 3 * stride);
  let r4 = v128.load(src + 4 * stride), r5 = v128.load(src + 5 * stride), r6 = v128.load(src + 6 * stride), r7 = v128.load(src + 7 * stride);
  let r8 = v128.load(src + 8 * stride), r9 = v128.load(src + 9 * stride), r10 = v128.load(src + 10 * stride), r11 = v128.load(src + 11 * stride);
  let r12 = v128.load(src + 12 * stride), r13 = v128.load(src + 13 * stride), r14 = v128.load(src + 14 * stride), r15 = v128.load(src + 15 * stride);
  let t: v128;
  t = low(r0, r8); r8 = high(r0, r8); r0 = t;
  t = low(r1, r9); r9 = high(r1, r9); r1 = t;
  t = low(r2, r10); r10 = high(r2, r10); r2 = t;
  t = low(r3, r11); r11 = high(r3, r11); r3 = t;
  t = low(r4, r12); r12 = high(r4, r12); r4 = t;
  t = low(r5, r13); r13 = high(r5, r13); r5 = t;
  t = low(r6, r14); r14 = high(r6, r14); r6 = t;
  t = low(r7, r15); r15 = high(r7, r15); r7 = t;
  t = low(r0, r4); r4 = high(r0, r4); r0 = t;
  t = low(r1, r5); r5 = high(r1, r5); r1 = t;
  t = low(r2, r6); r6 = high(r2, r6); r2 = t;
  t = low(r3, r7); r7 = high(r3, r7); r3 = t;
  t = low(r8, r12); r12 = high(r8, r12); r8 = t;
  t = low(r9, r13); r13 = high(r9, r13); r9 = t;
  t = low(r10, r14); r14 = high(r10, r14); r10 = t;
  t = low(r11, r15); r15 = high(r11, r15); r11 = t;
  t = low(r0, r2); r2 = high(r0, r2); r0 = t;
  t = low(r1, r3); r3 = high(r1, r3); r1 = t;
  t = low(r4, r6); r6 = high(r4, r6); r4 = t;
  t = low(r5, r7); r7 = high(r5, r7); r5 = t;
  t = low(r8, r10); r10 = high(r8, r10); r8 = t;
  t = low(r9, r11); r11 = high(r9, r11); r9 = t;
  t = low(r12, r14); r14 = high(r12, r14); r12 = t;
  t = low(r13, r15); r15 = high(r13, r15); r13 = t;
  t = low(r0, r1); r1 = high(r0, r1); r0 = t;
  t = low(r2, r3); r3 = high(r2, r3); r2 = t;
  t = low(r4, r5); r5 = high(r4, r5); r4 = t;
  t = low(r6, r7); r7 = high(r6, r7); r6 = t;
  t = low(r8, r9); r9 = high(r8, r9); r8 = t;
  t = low(r10, r11); r11 = high(r10, r11); r10 = t;
  t = low(r12, r13); r13 = high(r12, r13); r12 = t;
  t = low(r14, r15); r15 = high(r14, r15); r14 = t;
  v128.store(rowAddress(dst, dstStride, ranks, 0), r0); v128.store(rowAddress(dst, dstStride, ranks, 1), r1);
  v128.store(rowAddress(dst, dstStride, ranks, 2), r2); v128.store(rowAddress(dst, dstStride, ranks, 3), r3);
  v128.store(rowAddress(dst, dstStride, ranks, 4), r4); v128.store(rowAddress(dst, dstStride, ranks, 5), r5);
  v128.store(rowAddress(dst, dstStride, ranks, 6), r6); v128.store(rowAddress(dst, dstStride, ranks, 7), r7);
  v128.store(rowAddress(dst, dstStride, ranks, 8), r8); v128.store(rowAddress(dst, dstStride, ranks, 9), r9);
  v128.store(rowAddress(dst, dstStride, ranks, 10), r10); v128.store(rowAddress(dst, dstStride, ranks, 11), r11);
  v128.store(rowAddress(dst, dstStride, ranks, 12), r12); v128.store(rowAddress(dst, dstStride, ranks, 13), r13);
  v128.store(rowAddress(dst, dstStride, ranks, 14), r14); v128.store(rowAddress(dst, dstStride, ranks, 15), r15);
}

/**
 * The other way, for blocks that draw from many groups, when every group's channels are a multiple of 16: 16 rows at
 * a time, each group's 16 × k_g bytes are transposed 16 channels at a time into COLUMNS (16 bytes per output channel:
 * its 16 rows), and each block of 16 channels of COLUMNS is transposed back into the output rows. Loads stay inside
 * the group's own rows. Returns the rows written (a multiple of 16), or 0 when a group's channels are not a multiple
 * of 16. COLUMNS is the entries' memory (the swizzle path does not run then).
 */
function transposedRows(order: usize, ends: usize, starts: usize, groups: u32, channels: u32, dst: usize, rows: usize): usize {
  for (let g: u32 = 0; g < groups; g++) if ((channelsOf(ends, g) & 15) != 0) return 0;
  const COLUMNS = ENTRIES;
  const done = rows & ~(<usize>15);
  for (let r: usize = 0; r < done; r += 16) {
    for (let g: u32 = 0; g < groups; g++) {
      const k = <usize>channelsOf(ends, g);
      const last = load<u32>(ends + (<usize>g << 2));
      const group = <usize>load<u32>(starts + (<usize>g << 2)) + r * k;
      for (let q: usize = 0; q < k; q += 16) {
        transpose16(group + q, k, COLUMNS, 0, order + ((<usize>(last - <u32>k) + q) << 1));
      }
    }
    const out = dst + r * channels;
    for (let b: usize = 0; b < <usize>channels; b += 16) transpose16(COLUMNS + (b << 4), 16, out + b, channels, 0);
  }
  return done;
}
