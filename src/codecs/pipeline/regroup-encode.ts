// The regroup stage's encoder (layout: assembly/regroup.ts, docs/FORMAT.md "The regroup stage"): each channel is
// labelled by the rank of its codes' spread (variance), `groups` equal parts of the channels from the narrowest to
// the widest; then the labels, then the bytes of group 0 in increasing position, group 1's, …
import { regroupLabelBytes, type RegroupGroups } from './stages';

export interface RegroupLayout {
  groups: RegroupGroups;
  channels: number;
  run: number;
}

/** Each channel's rank by the variance of its bytes (position ⌊i / run⌋ mod channels), ties by channel. */
export function channelRanks(bytes: Uint8Array, channels: number, run: number): Uint32Array {
  // Integer sums, exact in float64 whatever their order; a run of one byte (the channels last) gets its own loop.
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const period = channels * run;
  for (let start = 0; start < bytes.length; start += period) {
    const end = Math.min(start + period, bytes.length);
    if (run === 1) {
      for (let i = start, c = 0; i < end; i++, c++) {
        const b = bytes[i];
        sum[c] += b;
        squares[c] += b * b;
      }
      continue;
    }
    for (let at = start, c = 0; at < end; c++) {
      let s = 0;
      let q = 0;
      for (const runEnd = Math.min(at + run, end); at < runEnd; at++) {
        const b = bytes[at];
        s += b;
        q += b * b;
      }
      sum[c] += s;
      squares[c] += q;
    }
  }
  // Each channel's bytes: a run per whole period, and what the last period holds of its run.
  const periods = Math.floor(bytes.length / period);
  const rest = bytes.length - periods * period;
  const count = Float64Array.from({ length: channels }, (_, c) => periods * run + Math.min(run, Math.max(0, rest - c * run)));
  const variance = Float64Array.from(sum, (s, c) => (count[c] === 0 ? 0 : squares[c] / count[c] - (s / count[c]) ** 2));
  const ranks = new Uint32Array(channels);
  Array.from({ length: channels }, (_, c) => c).sort((a, b) => variance[a] - variance[b] || a - b).forEach((c, rank) => { ranks[c] = rank; });
  return ranks;
}

/** The regroup stage's bytes for `bytes` (one byte per element). */
export function regroupEncode(bytes: Uint8Array, layout: RegroupLayout): Uint8Array {
  const { groups, channels, run } = layout;
  const ranks = channelRanks(bytes, channels, run);
  const labels = Uint8Array.from(ranks, (rank) => Math.floor((rank * groups) / channels));
  const bits = Math.log2(groups);
  const labelBytes = regroupLabelBytes(layout);
  const out = new Uint8Array(labelBytes + bytes.length);
  labels.forEach((g, c) => {
    const at = c * bits;
    out[at >> 3] |= g << (at & 7);
    if ((at & 7) + bits > 8) out[(at >> 3) + 1] |= g >> (8 - (at & 7));
  });
  // Each group's channels in increasing order, then its elements period by period (a period: every channel's run).
  const order = Uint32Array.from({ length: channels }, (_, c) => c).sort((a, b) => labels[a] - labels[b] || a - b);
  const runs = Math.ceil(bytes.length / run);
  let to = labelBytes;
  let first = 0;
  for (let g = 0; g < groups; g++) {
    let last = first;
    while (last < channels && labels[order[last]] === g) last++;
    for (let base = 0; base < runs; base += channels) {
      for (let j = first; j < last; j++) {
        const r = base + order[j];
        if (r >= runs) break;
        if (run === 1) out[to++] = bytes[r];
        else {
          const at = r * run;
          const end = Math.min(at + run, bytes.length);
          out.set(bytes.subarray(at, end), to);
          to += end - at;
        }
      }
    }
    first = last;
  }
  return out;
}
