// A slow, plain decoder of context blocks (format 1.3, the huffman_ctx stage), written from docs/FORMAT.md ("The
// huffman_ctx stage"), not from the kernel: modes 0–2 are entropy blocks (reference/huffman.ts); mode 3 reads m, two
// tables of code lengths and the jump table field by field, then each stream bit by bit, choosing each byte's table
// by the byte before it in its stream. Throws an Error whose message starts with TRUNCATED, CORRUPT or LIMIT.
import { canonicalCodes, referenceDecode } from './huffman';

const MAX_BITS = 11;
const STREAMS = 4;

function fail(kind: 'TRUNCATED' | 'CORRUPT' | 'LIMIT', why: string): never {
  throw new Error(`${kind}: ${why}`);
}

function u32(block: Uint8Array, at: number): number {
  if (at + 4 > block.length) fail('TRUNCATED', `no room for a u32 at ${at}`);
  return block[at] + block[at + 1] * 2 ** 8 + block[at + 2] * 2 ** 16 + block[at + 3] * 2 ** 24;
}

/** A table's code lengths from `at` (its `last` byte first); returns them and where the next field starts. */
function readTable(block: Uint8Array, at: number): { lengths: number[]; next: number } {
  if (at >= block.length) fail('TRUNCATED', `no last value at ${at}`);
  const last = block[at];
  const next = at + 1 + Math.ceil((last + 1) / 2);
  if (next > block.length) fail('TRUNCATED', 'code lengths missing');
  const lengths = new Array<number>(256).fill(0);
  for (let value = 0; value <= last; value++) {
    const byte = block[at + 1 + (value >> 1)];
    lengths[value] = value % 2 === 0 ? byte & 15 : byte >> 4;
  }
  return { lengths, next };
}

function checkTable(lengths: number[]): void {
  if (lengths.some((l) => l > MAX_BITS)) fail('CORRUPT', 'a code longer than 11 bits');
  const kraft = lengths.reduce((sum, length) => sum + (length > 0 ? 2 ** (MAX_BITS - length) : 0), 0);
  if (kraft !== 2 ** MAX_BITS) fail('CORRUPT', `a table's Kraft sum is ${kraft} / 2048`);
}

export function referenceDecodeContext(block: Uint8Array, limit = Infinity): Uint8Array {
  if (block.length < 5 || block[0] !== 3) return referenceDecode(block, limit).decoded;
  const n = u32(block, 1);
  if (n > 2 ** 31 - 1) fail('CORRUPT', `decoded length ${n}`);
  if (block.length < 6) fail('TRUNCATED', 'no context byte');
  const m = block[5];
  const table0 = readTable(block, 6);
  const table1 = readTable(block, table0.next);
  const jumpAt = table1.next;
  const streamsAt = jumpAt + 12;
  if (block.length < streamsAt) fail('TRUNCATED', 'jump table missing');
  if (n > 8 * (block.length - streamsAt)) fail('CORRUPT', `${n} bytes from ${block.length - streamsAt} bytes of streams`);
  if (n > limit) fail('LIMIT', `${n} bytes, over the limit of ${limit}`);
  checkTable(table0.lengths);
  checkTable(table1.lengths);
  const sizes: number[] = [];
  let left = block.length - streamsAt;
  for (let k = 0; k < STREAMS; k++) {
    const size = k < STREAMS - 1 ? u32(block, jumpAt + 4 * k) : left;
    if (size > left) fail('TRUNCATED', `stream ${k} passes the end of the block`);
    const count = n > k ? Math.ceil((n - k) / STREAMS) : 0;
    if (count > 8 * size) fail('CORRUPT', `stream ${k} codes ${count} bytes in ${size}`);
    sizes.push(size);
    left -= size;
  }
  const codes = [canonicalCodes(table0.lengths), canonicalCodes(table1.lengths)];
  const decoded = new Uint8Array(n);
  let start = streamsAt;
  for (let k = 0; k < STREAMS; k++) {
    const stream = block.subarray(start, start + sizes[k]);
    start += sizes[k];
    let bit = 0;
    const nextBit = () => {
      if (bit >= stream.length * 8) fail('TRUNCATED', `stream ${k} ends inside a code`);
      return (stream[bit >> 3] >> (bit++ & 7)) & 1;
    };
    for (let i = k; i < n; i += STREAMS) {
      const table = codes[i >= STREAMS && decoded[i - STREAMS] === m ? 1 : 0];
      let code = '';
      while (!table.has(code)) code += nextBit();
      decoded[i] = table.get(code)!;
    }
    if (Math.ceil(bit / 8) !== stream.length) fail('CORRUPT', `stream ${k} has ${stream.length} bytes, its codes ${bit} bits`);
    while (bit < stream.length * 8) if (nextBit() !== 0) fail('CORRUPT', `stream ${k} has a padding bit set`);
  }
  return decoded;
}

/** A huffman_ctx stage: (planes − 1) u32 block lengths, then the context blocks. */
export function referenceHuffmanContextStage(bytes: Uint8Array, planes: number): Uint8Array {
  if (bytes.length < 4 * (planes - 1)) fail('TRUNCATED', 'the length table');
  const parts: Uint8Array[] = [];
  let at = 4 * (planes - 1);
  for (let p = 0; p < planes; p++) {
    const length = p < planes - 1 ? u32(bytes, 4 * p) : bytes.length - at;
    if (at + length > bytes.length) fail('TRUNCATED', `block ${p} passes the stage's bytes`);
    parts.push(referenceDecodeContext(bytes.subarray(at, at + length)));
    at += length;
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}
