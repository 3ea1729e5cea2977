// The regroup stage's encoder (layout: assembly/regroup.ts, docs/FORMAT.md "The regroup stage"): each channel is
// labelled by the rank of its codes' spread (variance), `groups` equal parts of the channels from the narrowest to
// the widest; then the labels, then the bytes of group 0 in increasing position, group 1's, … The loops over the
// bytes are kernels (assembly/regroup_encode.ts); the ranking and the labels are here.
import type { Kernels } from '../../wasm/kernels';
import { regroupLabelBytes, type RegroupGroups } from './stages';

export interface RegroupLayout {
  groups: RegroupGroups;
  channels: number;
  run: number;
}

/** Each channel's rank by the variance of the `len` bytes at `at` in the kernels' memory (position ⌊i / run⌋ mod
 *  channels), ties by channel. */
export function channelRanks(kernels: Kernels, at: number, len: number, channels: number, run: number): Uint32Array {
  const sumsAt = kernels.alloc(16 * channels);
  try {
    kernels.exports.channelSums(at, len, channels, run, sumsAt);
    // Sum, then sum of squares, per channel: exact integers, as float64.
    const sums = new Float64Array(kernels.heap.buffer, sumsAt, 2 * channels);
    // Each channel's bytes: a run per whole period, and what the last period holds of its run.
    const period = channels * run;
    const periods = Math.floor(len / period);
    const rest = len - periods * period;
    const variance = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      const count = periods * run + Math.min(run, Math.max(0, rest - c * run));
      variance[c] = count === 0 ? 0 : sums[2 * c + 1] / count - (sums[2 * c] / count) ** 2;
    }
    const ranks = new Uint32Array(channels);
    Array.from({ length: channels }, (_, c) => c).sort((a, b) => variance[a] - variance[b] || a - b).forEach((c, rank) => { ranks[c] = rank; });
    return ranks;
  } finally {
    kernels.release(sumsAt);
  }
}

/**
 * The regroup stage's bytes for the `len` bytes at `at` in the kernels' memory (one byte per element), written to new
 * room taken there; returns where they are and their length.
 */
export function regroupEncode(kernels: Kernels, at: number, len: number, layout: RegroupLayout): { at: number; len: number } {
  const { groups, channels, run } = layout;
  const ranks = channelRanks(kernels, at, len, channels, run);
  const labels = Uint8Array.from(ranks, (rank) => Math.floor((rank * groups) / channels));
  // Each group's channels in increasing order, and where each group ends among them.
  const order = Uint32Array.from({ length: channels }, (_, c) => c).sort((a, b) => labels[a] - labels[b] || a - b);
  const groupEnds = new Uint32Array(groups);
  for (const g of labels) groupEnds[g]++;
  for (let g = 1; g < groups; g++) groupEnds[g] += groupEnds[g - 1];
  const labelBytes = regroupLabelBytes(layout);
  const out = kernels.alloc(labelBytes + len);
  const orderAt = kernels.alloc(4 * channels);
  const endsAt = kernels.alloc(4 * groups);
  const heap = kernels.heap;
  heap.fill(0, out, out + labelBytes);
  const bits = Math.log2(groups);
  labels.forEach((g, c) => {
    const bit = c * bits;
    heap[out + (bit >> 3)] |= g << (bit & 7);
    if ((bit & 7) + bits > 8) heap[out + (bit >> 3) + 1] |= g >> (8 - (bit & 7));
  });
  new Uint32Array(heap.buffer, orderAt, channels).set(order);
  new Uint32Array(heap.buffer, endsAt, groups).set(groupEnds);
  kernels.exports.regroupGather(at, len, channels, run, orderAt, endsAt, groups, out + labelBytes);
  kernels.release(orderAt);
  return { at: out, len: labelBytes + len };
}
