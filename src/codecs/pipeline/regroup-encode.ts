// The regroup stage's encoder (layout: assembly/regroup.ts, docs/FORMAT.md "The regroup stage"): each channel is
// labelled by the rank of its codes' spread (variance), `groups` equal parts of the channels from the narrowest to
// the widest; then the labels, then the bytes of group 0 in increasing position, group 1's, …
import { regroupLabelBytes, type RegroupGroups } from './stages';

export interface RegroupLayout {
  groups: RegroupGroups;
  channels: number;
  run: number;
}

/** Each channel's group: the channels ranked by the variance of their bytes, cut into `groups` equal parts. */
function labelChannels(bytes: Uint8Array, { groups, channels, run }: RegroupLayout): Uint8Array {
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const count = new Float64Array(channels);
  let channel = 0;
  for (let i = 0; i < bytes.length; i += run) {
    for (let k = i; k < Math.min(i + run, bytes.length); k++) {
      sum[channel] += bytes[k];
      squares[channel] += bytes[k] * bytes[k];
    }
    count[channel] += Math.min(run, bytes.length - i);
    channel = channel + 1 === channels ? 0 : channel + 1;
  }
  const variance = Array.from(sum, (s, c) => (count[c] === 0 ? 0 : squares[c] / count[c] - (s / count[c]) ** 2));
  const ranked = Array.from({ length: channels }, (_, c) => c).sort((a, b) => variance[a] - variance[b] || a - b);
  const labels = new Uint8Array(channels);
  ranked.forEach((c, rank) => { labels[c] = Math.floor((rank * groups) / channels); });
  return labels;
}

/** The regroup stage's bytes for `bytes` (one byte per element). */
export function regroupEncode(bytes: Uint8Array, layout: RegroupLayout): Uint8Array {
  const { groups, channels, run } = layout;
  const labels = labelChannels(bytes, layout);
  const bits = Math.log2(groups);
  const labelBytes = regroupLabelBytes(layout);
  const out = new Uint8Array(labelBytes + bytes.length);
  labels.forEach((g, c) => {
    const at = c * bits;
    out[at >> 3] |= g << (at & 7);
    if ((at & 7) + bits > 8) out[(at >> 3) + 1] |= g >> (8 - (at & 7));
  });
  const runs = Math.ceil(bytes.length / run);
  let to = labelBytes;
  for (let g = 0; g < groups; g++) {
    const members = Array.from(labels.keys()).filter((c) => labels[c] === g);
    for (let base = 0; base < runs; base += channels) {
      for (const c of members) {
        if (base + c >= runs) break;
        const at = (base + c) * run;
        const length = Math.min(run, bytes.length - at);
        out.set(bytes.subarray(at, at + length), to);
        to += length;
      }
    }
  }
  return out;
}
