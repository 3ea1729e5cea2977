// The decoder's lookup tables (assembly/huffman_decode.ts buildTable) for codes of every shape: complete codes of
// every depth from 1 to 11 bits, from 2 to 256 coded values spread over the byte range, written here by hand (not by
// the encoder, whose package-merge codes have shapes of their own) and read as test/reference/huffman.ts reads them.
import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { canonicalCodes, referenceDecode } from './reference/huffman';

/** Code lengths of a random complete prefix code: a random binary tree of `leaves` leaves, none deeper than `depth`
 *  and one at exactly `depth`, its leaves given to distinct random byte values. */
function randomCode(leaves: number, depth: number, next: () => number): number[] {
  const depths = [0];
  while (depths.length < leaves) {
    const open = depths.map((d, i) => [d, i]).filter(([d]) => d < depth);
    const deepest = Math.max(...depths);
    // Reach `depth` first (always splitting a deepest leaf), then split at random.
    const [d, i] = deepest < depth ? open.find(([od]) => od === deepest)! : open[Math.floor(next() * open.length)];
    depths.splice(i, 1, d + 1, d + 1);
  }
  const values = Array.from({ length: 256 }, (_, v) => v).sort(() => next() - 0.5).slice(0, leaves);
  const lengths = new Array<number>(256).fill(0);
  values.forEach((v, i) => (lengths[v] = depths[i]));
  return lengths;
}

/** An entropy block of `symbols` under the code `lengths` (4 streams, codes most significant bit first). */
function block(lengths: number[], symbols: Uint8Array): Uint8Array {
  const codes = new Map([...canonicalCodes(lengths)].map(([bits, value]) => [value, bits]));
  const streams = [0, 1, 2, 3].map((k) => {
    const bits = Array.from(symbols.filter((_, i) => i % 4 === k), (s) => codes.get(s)!).join('');
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    for (let i = 0; i < bits.length; i++) if (bits[i] === '1') bytes[i >> 3] |= 1 << (i & 7);
    return bytes;
  });
  let last = 255;
  while (lengths[last] === 0) last--;
  const nibbles = Array.from({ length: (last + 2) >> 1 }, (_, i) => lengths[2 * i] | ((2 * i + 1 <= last ? lengths[2 * i + 1] : 0) << 4));
  const u32 = (x: number) => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24];
  return Uint8Array.from([2, ...u32(symbols.length), last, ...nibbles, ...streams.slice(0, 3).flatMap((s) => u32(s.length)), ...streams.flatMap((s) => [...s])]);
}

describe.each(BUILDS)('huffman decode tables (%s build)', (_, engine) => {
  it('decode complete codes of every depth and size, as the reference reads them', () => {
    const next = random(1911);
    for (let depth = 1; depth <= 11; depth++) {
      for (const leaves of [2, 3, depth + 1, 17, 100, 256]) {
        if (leaves > 2 ** depth || leaves < depth + 1) continue;
        const lengths = randomCode(leaves, depth, next);
        const coded = lengths.flatMap((l, v) => (l > 0 ? [v] : []));
        const symbols = Uint8Array.from({ length: 777 }, () => coded[Math.floor(next() * coded.length)]);
        const b = block(lengths, symbols);
        const reference = referenceDecode(b);
        expect(reference.lengths, `depth ${depth}, ${leaves} values`).toEqual(lengths.slice(0, reference.lengths.length));
        expect(equalBytes(reference.decoded, symbols), `depth ${depth}, ${leaves} values: the reference`).toBe(true);
        expect(equalBytes(engine.entropy.decode(b), symbols), `depth ${depth}, ${leaves} values`).toBe(true);
      }
    }
  });

  it('rebuild the tables per block: a short code after a long one, and the reverse', () => {
    const next = random(7);
    const deep = randomCode(256, 11, next);
    const shallow = randomCode(2, 1, next);
    for (const lengths of [deep, shallow, deep, randomCode(5, 4, next), deep]) {
      const coded = lengths.flatMap((l, v) => (l > 0 ? [v] : []));
      const symbols = Uint8Array.from({ length: 333 }, () => coded[Math.floor(next() * coded.length)]);
      expect(equalBytes(engine.entropy.decode(block(lengths, symbols)), symbols)).toBe(true);
    }
  });
});
