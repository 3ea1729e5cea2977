// A slow, plain decoder of format 1.2's regroup stage, written from docs/FORMAT.md ("The regroup stage"), not from
// the kernel. It throws an Error whose message starts with TRUNCATED or CORRUPT.
import { referenceHuffmanStage } from './stages-1.1';

function fail(kind: 'TRUNCATED' | 'CORRUPT', why: string): never {
  throw new Error(`${kind}: ${why}`);
}

/** Bit j of the bytes: bit (j mod 8) of byte ⌊j / 8⌋. */
const bit = (bytes: Uint8Array, j: number) => (bytes[Math.floor(j / 8)] >> (j % 8)) & 1;

/** The regroup stage: a label of log2(groups) bits per channel, then each group's elements in increasing position;
 *  position i belongs to channel ⌊i / run⌋ mod channels and takes the next element of that channel's group. */
export function referenceRegroupStage(bytes: Uint8Array, groups: number, channels: number, run: number): Uint8Array {
  const bits = Math.log2(groups);
  const labelBytes = Math.ceil((channels * bits) / 8);
  if (bytes.length < labelBytes) fail('TRUNCATED', `${bytes.length} bytes hold no ${labelBytes} bytes of labels`);
  for (let j = channels * bits; j < 8 * labelBytes; j++) if (bit(bytes, j)) fail('CORRUPT', `unused label bit ${j} is set`);
  const label = (channel: number) => {
    let value = 0;
    for (let k = 0; k < bits; k++) value += bit(bytes, channel * bits + k) << k;
    return value;
  };
  const n = bytes.length - labelBytes;
  const positions: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < n; i++) positions[label(Math.floor(i / run) % channels)].push(i);
  const out = new Uint8Array(n);
  let next = labelBytes;
  for (const group of positions) for (const i of group) out[i] = bytes[next++];
  return out;
}

/** Decodes a chunk of a [regroup, huffman] pipeline: the huffman stage, then the regroup stage. */
export function referenceRegroupHuffman(chunk: Uint8Array, groups: number, channels: number, run: number, planes: number): Uint8Array {
  return referenceRegroupStage(referenceHuffmanStage(chunk, planes), groups, channels, run);
}
