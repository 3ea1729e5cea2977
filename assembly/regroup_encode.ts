// The regroup stage's encoder side (docs/FORMAT.md, "The regroup stage"; the decoder is regroup.ts): byte element i
// belongs to channel ⌊i / run⌋ mod channels. pack() ranks the channels by the spread of their bytes (channelSums),
// estimates each number of groups from per-group histograms (channelHistograms), and writes each group's elements in
// increasing position (regroupGather). In JavaScript these loops took ~19% of a pack() of face-api's int8 codes.
// Each touches only the bytes its arguments name; the caller checks channels ≥ 1 and run ≥ 1.

/**
 * Each channel's sum of bytes and sum of squared bytes over `len` bytes at src, as float64 pairs at `out` (16 bytes a
 * channel: sum, then squares). Exact: integer sums, below 2^53 for any length a chunk has.
 */
export function channelSums(src: usize, len: usize, channels: u32, run: u32, out: usize): void {
  memory.fill(out, 0, <usize>channels << 4);
  const period = <usize>channels * run;
  for (let start: usize = 0; start < len; start += period) {
    const end = min(start + period, len);
    let at = start;
    for (let c: usize = 0; at < end; c++) {
      const runEnd = min(at + <usize>run, end);
      let sum: u64 = 0;
      let squares: u64 = 0;
      for (; at < runEnd; at++) {
        const b = <u64>load<u8>(src + at);
        sum += b;
        squares += b * b;
      }
      const p = out + (c << 4);
      store<u64>(p, load<u64>(p) + sum);
      store<u64>(p, load<u64>(p, 8) + squares, 8);
    }
  }
  for (let c: usize = 0; c < <usize>channels; c++) {
    const p = out + (c << 4);
    store<f64>(p, <f64>load<u64>(p));
    store<f64>(p, <f64>load<u64>(p, 8), 8);
  }
}

/**
 * Adds each byte at src to the u32 counts at `counts`, in the row of 256 its channel's u32 at `rows` starts (an index
 * into counts, a multiple of 256).
 */
export function channelHistograms(src: usize, len: usize, channels: u32, run: u32, rows: usize, counts: usize): void {
  const period = <usize>channels * run;
  for (let start: usize = 0; start < len; start += period) {
    const end = min(start + period, len);
    let at = start;
    for (let c: usize = 0; at < end; c++) {
      const row = counts + (<usize>load<u32>(rows + (c << 2)) << 2);
      for (const runEnd = min(at + <usize>run, end); at < runEnd; at++) {
        const p = row + (<usize>load<u8>(src + at) << 2);
        store<u32>(p, load<u32>(p) + 1);
      }
    }
  }
}

/**
 * Writes the `len` bytes at src to dst group by group: `order` holds the channels (u32) sorted by group, then by
 * channel, and `groupEnds` where each of the `groups` groups ends in it (u32); within a group, the channels' runs
 * period by period. Returns `len`.
 */
export function regroupGather(src: usize, len: usize, channels: u32, run: u32, order: usize, groupEnds: usize, groups: u32, dst: usize): i32 {
  const runs = (len + <usize>run - 1) / <usize>run;
  let to = dst;
  let first: usize = 0;
  for (let g: usize = 0; g < <usize>groups; g++) {
    const last = <usize>load<u32>(groupEnds + (g << 2));
    for (let base: usize = 0; base < runs; base += <usize>channels) {
      for (let j = first; j < last; j++) {
        const r = base + <usize>load<u32>(order + (j << 2));
        if (r >= runs) break;
        if (run == 1) {
          store<u8>(to++, load<u8>(src + r));
        } else {
          const at = r * <usize>run;
          const n = min(at + <usize>run, len) - at;
          memory.copy(to, src + at, n);
          to += n;
        }
      }
    }
    first = last;
  }
  return <i32>(to - dst);
}
