// Reference LZ4 block decoder, written from lz4/lz4 doc/lz4_Block_format.md: one byte at a time, every rule checked,
// throwing a plain Error naming the rule. Tests use it as an independent judge of the blocks tensorzip writes.

/** Reads a length whose nibble is `base` (15: extension bytes follow at `at`); returns it and the next position. */
function readLength(block: Uint8Array, base: number, at: number): [number, number] {
  let length = base;
  if (base === 15) {
    let b: number;
    do {
      if (at >= block.length) throw new Error('length extension runs past the block');
      b = block[at++];
      length += b;
    } while (b === 255);
  }
  return [length, at];
}

export function referenceDecodeBlock(block: Uint8Array, maxOutput = 1 << 28): Uint8Array {
  const out: number[] = [];
  let i = 0;
  for (;;) {
    if (i >= block.length) throw new Error('block ends before a token');
    const token = block[i++];
    let literals: number;
    [literals, i] = readLength(block, token >> 4, i);
    if (i + literals > block.length) throw new Error('literals run past the block');
    for (let k = 0; k < literals; k++) out.push(block[i++]);
    if (out.length > maxOutput) throw new Error('output too large');
    if (i === block.length) return Uint8Array.from(out);
    if (i + 2 > block.length) throw new Error('offset runs past the block');
    const offset = block[i] | (block[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > out.length) throw new Error(`bad offset ${offset} at output ${out.length}`);
    let length: number;
    [length, i] = readLength(block, token & 15, i);
    length += 4;
    for (let k = 0; k < length; k++) out.push(out[out.length - offset]);
    if (out.length > maxOutput) throw new Error('output too large');
  }
}

/** Checks the end-of-block rules the spec asks encoders to follow: the last 5 bytes are literals, and the last match
 *  starts at least 12 bytes before the end. Returns a description of the first rule broken, or undefined. */
export function endOfBlockViolation(block: Uint8Array, decodedLength: number): string | undefined {
  let i = 0;
  let op = 0;
  let lastMatchStart = -1;
  let lastMatchEnd = 0;
  for (;;) {
    const token = block[i++];
    let literals: number;
    [literals, i] = readLength(block, token >> 4, i);
    i += literals;
    op += literals;
    if (i >= block.length) break;
    i += 2;
    let length: number;
    [length, i] = readLength(block, token & 15, i);
    length += 4;
    lastMatchStart = op;
    op += length;
    lastMatchEnd = op;
  }
  if (lastMatchStart >= 0 && decodedLength - lastMatchEnd < 5) return 'a match reaches into the last 5 bytes';
  if (lastMatchStart >= 0 && decodedLength - lastMatchStart < 12) return 'the last match starts within 12 bytes of the end';
  return undefined;
}
