// A slow, plain decoder of rANS blocks (format 1.4, the rans stage; 1.5, the rans_lanes stage), written from
// docs/FORMAT.md ("The rans stage", "The rans_lanes stage"), not from the kernels: modes 0–3 are context blocks
// (reference/huffman-context.ts); mode 4 reads T, m, the tables and the jump table field by field, then each stream's
// state and words with BigInt-free arithmetic on whole numbers, finding each byte's slot by a scan of its table; mode 5
// the same header, then 64 lanes' states and one stream of words read position by position. Throws an Error whose
// message starts with TRUNCATED, CORRUPT or LIMIT.
import { referenceDecodeContext } from './huffman-context';

const STREAMS = 4;
const SCALE = 4096;
const LOW = 2 ** 16;

function fail(kind: 'TRUNCATED' | 'CORRUPT' | 'LIMIT', why: string): never {
  throw new Error(`${kind}: ${why}`);
}

function byteAt(block: Uint8Array, at: number, what: string): number {
  if (at >= block.length) fail('TRUNCATED', `no room for ${what} at ${at}`);
  return block[at];
}

function u32(block: Uint8Array, at: number, what: string): number {
  if (at + 4 > block.length) fail('TRUNCATED', `no room for ${what} at ${at}`);
  return block[at] + block[at + 1] * 2 ** 8 + block[at + 2] * 2 ** 16 + block[at + 3] * 2 ** 24;
}

/** One table from `at`: 256 frequencies; and where the next field starts. */
function readTable(block: Uint8Array, at: number): { freqs: number[]; next: number } {
  const first = byteAt(block, at, 'first');
  const last = byteAt(block, at + 1, 'last');
  if (first > last) fail('CORRUPT', `first ${first} > last ${last}`);
  at += 2;
  const freqs = new Array<number>(256).fill(0);
  for (let s = first; s <= last; s++) {
    const b = byteAt(block, at++, 'a frequency');
    if (b < 128) freqs[s] = b;
    else {
      const c = byteAt(block, at++, 'a frequency');
      if (c >= 128) fail('CORRUPT', `a frequency's second byte ${c}`);
      freqs[s] = b - 128 + 128 * c;
    }
  }
  const sum = freqs.reduce((a, b) => a + b, 0);
  if (sum !== SCALE) fail('CORRUPT', `frequencies sum to ${sum}, not 4096`);
  return { freqs, next: at };
}

/** Mode 4 and 5's header: n, T, m and the tables; and where the next field starts. */
export function readHeader(block: Uint8Array): { n: number; tableCount: number; m: number; tables: number[][]; next: number } {
  const n = u32(block, 1, 'n');
  if (n > 2 ** 31 - 1) fail('CORRUPT', `decoded length ${n}`);
  const tableCount = byteAt(block, 5, 'T');
  if (tableCount !== 1 && tableCount !== 2) fail('CORRUPT', `T = ${tableCount}`);
  const m = byteAt(block, 6, 'm');
  if (tableCount === 1 && m !== 0) fail('CORRUPT', `m = ${m} with one table`);
  const tables: number[][] = [];
  let at = 7;
  for (let t = 0; t < tableCount; t++) {
    const table = readTable(block, at);
    tables.push(table.freqs);
    at = table.next;
  }
  return { n, tableCount, m, tables, next: at };
}

/** One position's byte from state `x` with table `freqs`, and the state after it (before renormalizing). */
function decodeOne(x: number, freqs: number[]): { s: number; x: number } {
  const slot = x % SCALE;
  let s = 0;
  let c = 0;
  while (c + freqs[s] <= slot) c += freqs[s++];
  return { s, x: freqs[s] * Math.floor(x / SCALE) + slot - c };
}

export function referenceDecodeRans(block: Uint8Array, limit = Infinity): Uint8Array {
  if (block.length < 5 || block[0] !== 4) return referenceDecodeContext(block, limit);
  const { n, tableCount, m, tables, next: at } = readHeader(block);
  const jumpAt = at;
  const streamsAt = jumpAt + 12;
  if (block.length < streamsAt) fail('TRUNCATED', 'jump table missing');
  if (n > limit) fail('LIMIT', `${n} bytes, over the limit of ${limit}`);
  const sizes: number[] = [];
  let left = block.length - streamsAt;
  for (let k = 0; k < STREAMS; k++) {
    const size = k < STREAMS - 1 ? u32(block, jumpAt + 4 * k, 'a stream length') : left;
    if (size > left) fail('TRUNCATED', `stream ${k} passes the end of the block`);
    sizes.push(size);
    left -= size;
  }
  const decoded = new Uint8Array(n);
  let start = streamsAt;
  for (let k = 0; k < STREAMS; k++) {
    const stream = block.subarray(start, start + sizes[k]);
    start += sizes[k];
    if (stream.length < 4) fail('TRUNCATED', `stream ${k} has no starting state`);
    if (stream.length % 2 !== 0) fail('CORRUPT', `stream ${k} has an odd length`);
    let x = u32(stream, 0, 'the state');
    if (x < LOW) fail('CORRUPT', `stream ${k} starts at state ${x}`);
    let word = 4;
    for (let i = k; i < n; i += STREAMS) {
      const step = decodeOne(x, tables[tableCount === 2 && i >= STREAMS && decoded[i - STREAMS] === m ? 1 : 0]);
      decoded[i] = step.s;
      x = step.x;
      if (x < LOW) {
        if (word + 2 > stream.length) fail('TRUNCATED', `stream ${k} needs a word past its end`);
        x = x * LOW + stream[word] + 256 * stream[word + 1];
        word += 2;
      }
    }
    if (x !== LOW) fail('CORRUPT', `stream ${k} ends at state ${x}`);
    if (word !== stream.length) fail('CORRUPT', `stream ${k} has ${(stream.length - word) / 2} words left`);
  }
  return decoded;
}

const LANES = 64;

/** A rans_lanes block: mode 5, or any rANS block. */
export function referenceDecodeRansLanes(block: Uint8Array, limit = Infinity): Uint8Array {
  if (block.length < 5 || block[0] !== 5) return referenceDecodeRans(block, limit);
  const { n, tableCount, m, tables, next } = readHeader(block);
  const wordsAt = next + 4 * LANES;
  if (block.length < wordsAt) fail('TRUNCATED', 'the lanes\' states');
  if (n > limit) fail('LIMIT', `${n} bytes, over the limit of ${limit}`);
  if ((block.length - wordsAt) % 2 !== 0) fail('CORRUPT', 'an odd number of bytes of words');
  const states = Array.from({ length: LANES }, (_, k) => u32(block, next + 4 * k, 'a state'));
  states.forEach((x, k) => { if (x < LOW) fail('CORRUPT', `lane ${k} starts at state ${x}`); });
  const decoded = new Uint8Array(n);
  let word = wordsAt;
  for (let i = 0; i < n; i++) {
    const lane = i % LANES;
    const step = decodeOne(states[lane], tables[tableCount === 2 && i >= LANES && decoded[i - LANES] === m ? 1 : 0]);
    decoded[i] = step.s;
    let x = step.x;
    if (x < LOW) {
      if (word + 2 > block.length) fail('TRUNCATED', `position ${i} needs a word past the end`);
      x = x * LOW + block[word] + 256 * block[word + 1];
      word += 2;
    }
    states[lane] = x;
  }
  states.forEach((x, k) => { if (x !== LOW) fail('CORRUPT', `lane ${k} ends at state ${x}`); });
  if (word !== block.length) fail('CORRUPT', `${(block.length - word) / 2} words left`);
  return decoded;
}

/** A rans stage: (planes − 1) u32 block lengths, then the rANS blocks. */
export function referenceRansStage(bytes: Uint8Array, planes: number): Uint8Array {
  return referenceStage(bytes, planes, referenceDecodeRans);
}

/** A rans_lanes stage: the same, its blocks rans_lanes blocks. */
export function referenceRansLanesStage(bytes: Uint8Array, planes: number): Uint8Array {
  return referenceStage(bytes, planes, referenceDecodeRansLanes);
}

function referenceStage(bytes: Uint8Array, planes: number, decodeBlock: (block: Uint8Array) => Uint8Array): Uint8Array {
  if (bytes.length < 4 * (planes - 1)) fail('TRUNCATED', 'the length table');
  const parts: Uint8Array[] = [];
  let at = 4 * (planes - 1);
  for (let p = 0; p < planes; p++) {
    const length = p < planes - 1 ? u32(bytes, 4 * p, 'a block length') : bytes.length - at;
    if (at + length > bytes.length) fail('TRUNCATED', `block ${p} passes the stage's bytes`);
    parts.push(decodeBlock(bytes.subarray(at, at + length)));
    at += length;
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}
