// Byte-level mutations: bit flips, interesting bytes and words, truncation, extension, splices with another input,
// and rewrites of ASCII numbers (npy headers, JSON) to huge, negative, long or malformed ones.
export type Random = () => number;

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const below = (rng: Random, n: number) => Math.floor(rng() * n);

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x0f, 0xf0, 0x10, 0x20, 0x40];
const INTERESTING_WORDS = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x20000000, 0x40000000];
const NUMBER_TEXTS = ['0', '1', '-1', '-8', '3', '255', '65536', '2147483647', '2147483648', '4294967296',
  '9007199254740993', '1e308', '1.5', '-0', '536870912', '1'.repeat(26), '9'.repeat(40), '0x10', ''];

const MAX_LENGTH = 1 << 20;

export function mutateBytes(input: Uint8Array, rng: Random, others: readonly Uint8Array[]): Uint8Array {
  const b = input.slice();
  const at = b.length === 0 ? 0 : below(rng, b.length);
  switch (below(rng, 11)) {
    case 0: // flip 1–4 bits
      for (let n = 1 + below(rng, 4); n > 0 && b.length > 0; n--) b[below(rng, b.length)] ^= 1 << below(rng, 8);
      return b;
    case 1:
      if (b.length > 0) b[at] = pick(rng, INTERESTING_BYTES);
      return b;
    case 2:
      if (b.length > 0) b[at] = below(rng, 256);
      return b;
    case 3: { // a 32-bit little-endian word (or the high half of a 64-bit one) set to an interesting value
      const word = pick(rng, INTERESTING_WORDS);
      for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (word >>> (8 * i)) & 255;
      return b;
    }
    case 4: // truncate
      return b.subarray(0, below(rng, b.length + 1));
    case 5: { // extend with zeros, random bytes or a copy of itself
      const extra = 1 + below(rng, 256);
      const tail = rng() < 0.5 ? new Uint8Array(extra) : Uint8Array.from({ length: extra }, () => below(rng, 256));
      return concat(b, rng() < 0.3 ? b.subarray(at) : tail);
    }
    case 6: { // splice: a prefix of this input, a suffix of another
      const other = others.length > 0 ? pick(rng, others) : b;
      return concat(b.subarray(0, at), other.subarray(below(rng, other.length + 1)));
    }
    case 7: { // delete a range
      const end = Math.min(b.length, at + 1 + below(rng, 64));
      return concat(b.subarray(0, at), b.subarray(end));
    }
    case 8: { // duplicate a range in place
      const end = Math.min(b.length, at + 1 + below(rng, 64));
      return concat(b.subarray(0, end), b.subarray(at));
    }
    case 9: // copy a range over another place
      if (b.length > 1) b.copyWithin(below(rng, b.length), at, at + 1 + below(rng, 32));
      return b;
    default:
      return mutateNumberText(b, rng) ?? b;
  }
}

/** Replaces a run of ASCII digits (with its sign) by an interesting number text. */
function mutateNumberText(b: Uint8Array, rng: Random): Uint8Array | undefined {
  const runs: [number, number][] = [];
  for (let i = 0; i < b.length && runs.length < 256; i++) {
    if (b[i] >= 0x30 && b[i] <= 0x39) {
      let end = i;
      while (end < b.length && b[end] >= 0x30 && b[end] <= 0x39) end++;
      runs.push([b[i - 1] === 0x2d ? i - 1 : i, end]);
      i = end;
    }
  }
  if (runs.length === 0) return undefined;
  const [start, end] = pick(rng, runs);
  const text = new TextEncoder().encode(pick(rng, NUMBER_TEXTS) + (rng() < 0.2 ? 'x' : ''));
  return concat(b.subarray(0, start), text, b.subarray(end));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const length = Math.min(MAX_LENGTH, parts.reduce((n, p) => n + p.length, 0));
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, length - at);
    out.set(p.subarray(0, take), at);
    at += take;
  }
  return out;
}
