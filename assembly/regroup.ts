// The regroup stage of a chunk pipeline (docs/FORMAT.md, "The regroup stage"): byte elements whose channels were put
// together by group, each channel labelled with its group in `bits` = log2(groups) bits:
//
//   offset 0                        labels      channel c's group in bits c·bits … c·bits + bits − 1 (LSB first)
//   ⌈channels · bits / 8⌉           n elements  group 0's in increasing position, then group 1's, …
//
// Output position i belongs to channel ⌊i / run⌋ mod channels and takes the next element of that channel's group.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap). Status: fewer bytes than
// the labels is TRUNCATED; set unused label bits are CORRUPT; more elements than dstCap is OUTPUT_FULL (nothing
// written). Parameters out of range are ARGUMENT (the caller checked them against the index). Runs are copied with
// memory.copy, single elements (run 1) one by one; the SIMD build does whole rows of up to 4,096 channels, 16 bytes a
// step, when 16 divides channels and the groups are of equal size (regroup_simd.ts), or 16 rows at a time when every
// group has a multiple of 16 channels. Both builds give the same bytes.

import { SIMD_MAX_CHANNELS, regroupRowsSimd } from './regroup_simd';
import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';

const MAX_GROUPS: u32 = 16;
const MAX_CHANNELS: u32 = 65536;
/** The channels in group order (a counting sort of the labels), u16 each, and where each group's list ends. */
const ORDER: usize = memory.data(<i32>(MAX_CHANNELS * 2), 16);
const GROUP_ENDS: usize = memory.data(<i32>((MAX_GROUPS + 1) * 4), 16);
/** For run 1: where each group's elements start in the source (u32). */
const GROUP_STARTS: usize = memory.data(<i32>(MAX_GROUPS * 4), 16);

/** log2(groups) for groups 2, 4, 8, 16; 0 otherwise. */
function labelBits(groups: u32): u32 {
  return groups == 2 ? 1 : groups == 4 ? 2 : groups == 8 ? 3 : groups == 16 ? 4 : 0;
}

// @ts-ignore: decorator
@inline function labelOf(labels: usize, channel: u32, bits: u32): u32 {
  const at = channel * bits;
  const within = at & 7;
  let word = <u32>load<u8>(labels + (at >> 3));
  // A 3-bit label may end in the next byte, which then holds its high bits.
  if (within + bits > 8) word |= <u32>load<u8>(labels + (at >> 3) + 1) << 8;
  return (word >> within) & ((1 << bits) - 1);
}

/** Decodes a regroup stage; returns the bytes written to dst or a status. */
export function regroupDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, groups: u32, channels: u32, run: u32): i32 {
  const bits = labelBits(groups);
  if (bits == 0 || channels == 0 || channels > MAX_CHANNELS || run == 0 || run > 0x7fffffff) return STATUS_ARGUMENT;
  const labelBytes = (<usize>channels * bits + 7) >> 3;
  if (srcLen < labelBytes) return STATUS_TRUNCATED;
  const usedBits = <u32>(<usize>channels * bits - ((labelBytes - 1) << 3));
  if (usedBits < 8 && (<u32>load<u8>(src + labelBytes - 1) >> usedBits) != 0) return STATUS_CORRUPT;
  const data = src + labelBytes;
  const n = srcLen - labelBytes;
  if (n > dstCap || n > 0x7fffffff) return STATUS_OUTPUT_FULL;
  // Counting sort of the channels by label: group g's channels, increasing, are ORDER[GROUP_ENDS[g] … GROUP_ENDS[g+1]).
  memory.fill(GROUP_ENDS, 0, (MAX_GROUPS + 1) * 4);
  for (let c: u32 = 0; c < channels; c++) {
    const at = GROUP_ENDS + ((<usize>labelOf(src, c, bits) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  for (let g: usize = 1; g <= MAX_GROUPS; g++) store<u32>(GROUP_ENDS + (g << 2), load<u32>(GROUP_ENDS + (g << 2)) + load<u32>(GROUP_ENDS + ((g - 1) << 2)));
  for (let c: u32 = 0; c < channels; c++) {
    const at = GROUP_ENDS + (<usize>labelOf(src, c, bits) << 2);
    const slot = load<u32>(at);
    store<u16>(ORDER + (<usize>slot << 1), <u16>c);
    store<u32>(at, slot + 1);
  }
  // The fill moved each group's start to its end: group g now starts at GROUP_ENDS[g − 1] (0 for g = 0).
  // Each group's elements are read in order: period by period, its channels in increasing order. Every output
  // position belongs to exactly one (period, channel), so the reads total n.
  if (run == 1) {
    scatterRows(src, bits, data, n, dst, groups, channels);
    return <i32>n;
  }
  let from = data;
  const runs = (<u64>n + run - 1) / run;
  for (let g: u32 = 0; g < groups; g++) {
    const first: u32 = g == 0 ? 0 : load<u32>(GROUP_ENDS + (<usize>(g - 1) << 2));
    const last: u32 = load<u32>(GROUP_ENDS + (<usize>g << 2));
    if (first == last) continue;
    for (let base: u64 = 0; base < runs; base += channels) {
      for (let j: u32 = first; j < last; j++) {
        const r = base + <u64>load<u16>(ORDER + (<usize>j << 1));
        if (r >= runs) break;
        const at = <usize>(r * run);
        const length = min<usize>(<usize>run, n - at);
        memory.copy(dst + at, from, length);
        from += length;
      }
    }
  }
  return <i32>n;
}

/**
 * The run 1 case: rows of `channels` output bytes, the last one maybe partial. Group g's elements start after those
 * of the groups before it (rows·k_g for k_g channels, plus its channels in the partial row), so each group has its
 * own pointer: the SIMD build fills the first rows 16 bytes a step (regroup_simd.ts), and the byte loop the rest.
 */
function scatterRows(labels: usize, bits: u32, data: usize, n: usize, dst: usize, groups: u32, channels: u32): void {
  const rows = n / channels;
  const partial = <u32>(n - rows * channels);
  memory.fill(GROUP_STARTS, 0, MAX_GROUPS * 4);
  for (let c: u32 = 0; c < partial; c++) {
    const at = GROUP_STARTS + (<usize>labelOf(labels, c, bits) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  let start = data;
  for (let g: u32 = 0; g < groups; g++) {
    const at = GROUP_STARTS + (<usize>g << 2);
    const elements = rows * channelsOf(g) + load<u32>(at);
    store<u32>(at, <u32>start);
    start += elements;
  }
  let done: usize = 0;
  if (ASC_FEATURE_SIMD && channels <= SIMD_MAX_CHANNELS && channels % 16 == 0) {
    done = regroupRowsSimd(ORDER, GROUP_ENDS, GROUP_STARTS, groups, channels, dst, rows, data + n);
  }
  for (let g: u32 = 0; g < groups; g++) {
    const last = load<u32>(GROUP_ENDS + (<usize>g << 2));
    const first = last - channelsOf(g);
    if (first == last) continue;
    let from = <usize>load<u32>(GROUP_STARTS + (<usize>g << 2)) + done * (last - first);
    let base = done * channels;
    for (; base < rows * channels; base += channels) {
      for (let j = first; j < last; j++) {
        store<u8>(dst + base + <usize>load<u16>(ORDER + (<usize>j << 1)), load<u8>(from));
        from++;
      }
    }
    for (let j = first; j < last; j++) {
      const at = base + <usize>load<u16>(ORDER + (<usize>j << 1));
      if (at >= n) break;
      store<u8>(dst + at, load<u8>(from));
      from++;
    }
  }
}

/** Group g's channels, once the counting sort is done. */
// @ts-ignore: decorator
@inline function channelsOf(g: u32): u32 {
  return load<u32>(GROUP_ENDS + (<usize>g << 2)) - (g == 0 ? 0 : load<u32>(GROUP_ENDS + (<usize>(g - 1) << 2)));
}
