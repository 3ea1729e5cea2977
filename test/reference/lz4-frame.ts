// Reference LZ4 frame reader, written from lz4/lz4 doc/lz4_Frame_format.md on top of referenceDecodeBlock: standard,
// skippable and legacy frames one after another. It trusts the checksums (the fuzz oracle only asks it to read
// frames tensorzip accepted) but checks every length and the declared content size.
import { referenceDecodeBlock } from './lz4-block';

const u32 = (b: Uint8Array, at: number) => {
  if (at + 4 > b.length) throw new Error('input ends inside a 32-bit field');
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
};

const LEGACY_BOUND = (8 << 20) + Math.floor((8 << 20) / 255) + 16;
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

export function referenceDecodeFrames(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let at = 0;
  do {
    const magic = u32(input, at);
    at += 4;
    if (magic >>> 4 === 0x184d2a5) {
      at += 4 + u32(input, at);
      if (at > input.length) throw new Error('skippable frame runs past the input');
    } else if (magic === 0x184c2102) {
      // Blocks up to the end, or to a word too large for a block size: the next frame's magic number.
      while (input.length - at >= 4 && u32(input, at) <= LEGACY_BOUND) {
        const size = u32(input, at);
        const block = input.subarray(at + 4, at + 4 + size);
        if (block.length !== size) throw new Error('legacy block runs past the input');
        for (const b of referenceDecodeBlock(block, 8 << 20)) out.push(b);
        at += 4 + size;
      }
    } else if (magic === 0x184d2204) {
      const flags = input[at];
      const bd = input[at + 1];
      at += 2;
      let contentSize: number | undefined;
      if (flags & 8) {
        contentSize = u32(input, at) + u32(input, at + 4) * 2 ** 32;
        at += 8;
      }
      if (flags & 1) at += 4;
      at += 1; // header checksum
      const blockMax = BLOCK_MAX[(bd >> 4) & 7];
      const start = out.length;
      for (;;) {
        const word = u32(input, at);
        at += 4;
        if (word === 0) break;
        const size = word & 0x7fffffff;
        const block = input.subarray(at, at + size);
        if (block.length !== size) throw new Error('block runs past the input');
        const data = word >>> 31 ? block : referenceDecodeBlock(block, blockMax);
        if (data.length > blockMax) throw new Error('block larger than the frame allows');
        for (const b of data) out.push(b);
        at += size + (flags & 0x10 ? 4 : 0);
      }
      if (flags & 4) at += 4;
      if (contentSize !== undefined && out.length - start !== contentSize) throw new Error('content size differs');
    } else {
      throw new Error(`unknown magic ${magic.toString(16)}`);
    }
    if (at > input.length) throw new Error('frame runs past the input');
  } while (at < input.length);
  return Uint8Array.from(out);
}
