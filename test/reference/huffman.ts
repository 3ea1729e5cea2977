// A slow, plain decoder of entropy blocks, written from the format's description (assembly/huffman_format.ts), not
// from the kernel: it reads the fields one by one, builds the canonical codes as strings of '0' and '1', and reads
// each stream bit by bit. Throws an Error whose message starts with TRUNCATED or CORRUPT, or with LIMIT when the block
// is well formed up to its declared length and that length passes `limit` (checked before the output is made).

export interface ReferenceBlock {
  mode: 'raw' | 'run' | 'huffman';
  /** Code length of each byte value (huffman blocks only; 0 = no code). */
  lengths: number[];
  /** Byte length of each stream (huffman blocks only). */
  streamSizes: number[];
  decoded: Uint8Array;
}

const MAX_BITS = 11;
const STREAMS = 4;

function fail(kind: 'TRUNCATED' | 'CORRUPT' | 'LIMIT', why: string): never {
  throw new Error(`${kind}: ${why}`);
}

function u32(block: Uint8Array, at: number): number {
  if (at + 4 > block.length) fail('TRUNCATED', `no room for a u32 at ${at}`);
  return block[at] + block[at + 1] * 2 ** 8 + block[at + 2] * 2 ** 16 + block[at + 3] * 2 ** 24;
}

/** The canonical code of every byte value with a nonzero length, as a string of bits, first bit first. */
export function canonicalCodes(lengths: number[]): Map<string, number> {
  const order = lengths.map((length, value) => ({ length, value })).filter((s) => s.length > 0)
    .sort((a, b) => a.length - b.length || a.value - b.value);
  const codes = new Map<string, number>();
  let code = 0;
  let length = order.length > 0 ? order[0].length : 0;
  for (const s of order) {
    code <<= s.length - length;
    length = s.length;
    codes.set(code.toString(2).padStart(length, '0'), s.value);
    code++;
  }
  return codes;
}

export function referenceDecode(block: Uint8Array, limit = Infinity): ReferenceBlock {
  const checkLimit = (n: number) => {
    if (n > limit) fail('LIMIT', `${n} bytes, over the limit of ${limit}`);
  };
  if (block.length < 5) fail('TRUNCATED', 'no room for the mode and length');
  const mode = block[0];
  const n = u32(block, 1);
  if (n > 2 ** 31 - 1) fail('CORRUPT', `decoded length ${n}`);
  if (mode === 0) {
    if (block.length < 5 + n) fail('TRUNCATED', 'raw bytes missing');
    if (block.length > 5 + n) fail('CORRUPT', 'bytes after a raw block');
    checkLimit(n);
    return { mode: 'raw', lengths: [], streamSizes: [], decoded: block.slice(5) };
  }
  if (mode === 1) {
    if (block.length < 6) fail('TRUNCATED', 'no run byte');
    if (block.length > 6) fail('CORRUPT', 'bytes after a run');
    if (n === 0) fail('CORRUPT', 'an empty run');
    checkLimit(n);
    return { mode: 'run', lengths: [], streamSizes: [], decoded: new Uint8Array(n).fill(block[5]) };
  }
  if (mode !== 2) fail('CORRUPT', `mode ${mode}`);
  if (block.length < 6) fail('TRUNCATED', 'no last value');
  const last = block[5];
  const jumpAt = 6 + Math.ceil((last + 1) / 2);
  const streamsAt = jumpAt + 12;
  if (block.length < streamsAt) fail('TRUNCATED', 'code lengths or jump table missing');
  if (n > 8 * (block.length - streamsAt)) fail('CORRUPT', `${n} bytes from ${block.length - streamsAt} bytes of streams`);
  checkLimit(n);
  const lengths = new Array<number>(256).fill(0);
  for (let value = 0; value <= last; value++) {
    const byte = block[6 + (value >> 1)];
    lengths[value] = value % 2 === 0 ? byte & 15 : byte >> 4;
    if (lengths[value] > MAX_BITS) fail('CORRUPT', `a code of ${lengths[value]} bits`);
  }
  const kraft = lengths.reduce((sum, length) => sum + (length > 0 ? 2 ** (MAX_BITS - length) : 0), 0);
  if (kraft !== 2 ** MAX_BITS) fail('CORRUPT', `the code lengths' Kraft sum is ${kraft} / 2048`);
  // Stream sizes, each checked against what is left, in order.
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

  const codes = canonicalCodes(lengths);
  const decoded = new Uint8Array(n);
  let start = streamsAt;
  for (let k = 0; k < STREAMS; k++) {
    const stream = block.subarray(start, start + sizes[k]);
    start += sizes[k];
    const positions: number[] = [];
    for (let i = k; i < n; i += STREAMS) positions.push(i);
    let bit = 0;
    const nextBit = () => {
      if (bit >= stream.length * 8) fail('TRUNCATED', `stream ${k} ends inside a code`);
      const b = (stream[bit >> 3] >> (bit & 7)) & 1;
      bit++;
      return b;
    };
    for (const position of positions) {
      let code = '';
      while (!codes.has(code)) code += nextBit(); // a complete code: some prefix of ≤ 11 bits matches
      decoded[position] = codes.get(code)!;
    }
    if (Math.ceil(bit / 8) !== stream.length) fail('CORRUPT', `stream ${k} has ${stream.length} bytes, its codes ${bit} bits`);
    while (bit < stream.length * 8) if (nextBit() !== 0) fail('CORRUPT', `stream ${k} has a padding bit set`);
  }
  return { mode: 'huffman', lengths, streamSizes: sizes, decoded };
}
