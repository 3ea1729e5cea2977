import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as lz4js from 'lz4js';
import { TensorzipError } from '../src/index';
import { BUILDS, equalBytes, hexBytes, scalarEngine, simdEngine } from './helpers/engines';
import { expectError } from './helpers/errors';
import { EDGE_SIZES, corpus, mixed, random, runs, structuredBinary, textLike } from './helpers/data';
import { endOfBlockViolation, referenceDecodeBlock } from './reference/lz4-block';

const CORPUS = corpus();

/** One LZ4 sequence: literal bytes, then a match (offset 0: none, for the block's last sequence). */
interface Sequence { literals: number[]; offset: number; length: number }

/** What sequences decode to: each match copies `length` bytes, one at a time, from `offset` back. */
function outputOf(sequences: Sequence[]): number[] {
  const out: number[] = [];
  for (const { literals, offset, length } of sequences) {
    for (const b of literals) out.push(b);
    for (let k = 0; offset && k < length; k++) out.push(out[out.length - offset]);
  }
  return out;
}

/** Writes sequences as an LZ4 block, following the format spec's token and length-extension rules. */
function blockOf(sequences: Sequence[]): Uint8Array {
  const bytes: number[] = [];
  const extension = (rest: number) => {
    for (; rest >= 255; rest -= 255) bytes.push(255);
    bytes.push(rest);
  };
  for (const { literals, offset, length } of sequences) {
    const matchNibble = offset ? Math.min(length - 4, 15) : 0;
    bytes.push((Math.min(literals.length, 15) << 4) | matchNibble);
    if (literals.length >= 15) extension(literals.length - 15);
    for (const b of literals) bytes.push(b);
    if (!offset) continue;
    bytes.push(offset & 255, offset >> 8);
    if (length - 4 >= 15) extension(length - 19);
  }
  return Uint8Array.from(bytes);
}

describe.each(BUILDS)('LZ4 blocks (%s build)', (_, { lz4 }) => {
  it('writes the blocks the format spec gives as examples', () => {
    expect(lz4.compressBlock(new TextEncoder().encode('hello'))).toEqual(hexBytes('50 68 65 6C 6C 6F'));
    expect(lz4.compressBlock(new Uint8Array(0))).toEqual(hexBytes('00'));
    expect(lz4.compressBlock(new TextEncoder().encode('abc'.repeat(10)))).toEqual(hexBytes('3F 61 62 63 03 00 03 50 62 63 61 62 63'));
  });

  it.each(Object.keys(CORPUS))('round-trips %s, and the reference decoder agrees', (name) => {
    const input = CORPUS[name];
    const block = lz4.compressBlock(input);
    expect(equalBytes(lz4.decompressBlock(block, { outputSize: input.length }), input)).toBe(true);
    expect(equalBytes(lz4.decompressBlock(block), input)).toBe(true);
    expect(equalBytes(referenceDecodeBlock(block), input)).toBe(true);
    expect(endOfBlockViolation(block, input.length)).toBeUndefined();
  });

  it('round-trips every edge size of every kind of data', () => {
    for (const size of EDGE_SIZES) {
      for (const input of [textLike(size, size), runs(size, size), mixed(size, size)]) {
        const block = lz4.compressBlock(input);
        expect(block.length).toBeLessThanOrEqual(input.length + Math.floor(input.length / 255) + 16);
        expect(equalBytes(lz4.decompressBlock(block, { outputSize: size }), input)).toBe(true);
        expect(endOfBlockViolation(block, size)).toBeUndefined();
      }
    }
  });

  it('decodes blocks written by lz4js', () => {
    for (const input of [CORPUS.text, CORPUS.runs, CORPUS.structured.subarray(0, 100_000)]) {
      const scratch = new Uint8Array(lz4js.compressBound(input.length));
      const size = lz4js.compressBlock(input, scratch, 0, input.length, new Uint32Array(1 << 16));
      expect(equalBytes(lz4.decompressBlock(scratch.subarray(0, size), { outputSize: input.length }), input)).toBe(true);
    }
  });

  it.each([5_000, 66_000])('decodes matches of every length at offsets around each copy path\'s bounds, after %i bytes', (start) => {
    // The decoder copies a match differently by offset (under 8, 16, 48, 64 and beyond) and length (under 19, up to
    // 64, past 273 where a second extension byte comes): every pair, with some literals before each match. Within
    // the first 64 KiB of output, offsets are checked against the window; past it, they are not.
    const offsets = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 20, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 4000, 65535];
    const lengths = [...Array.from({ length: 77 }, (_, i) => 4 + i), 200, 273, 274, 275, 600];
    const next = random(start);
    const sequences: Sequence[] = [{ literals: Array.from({ length: start }, () => Math.floor(next() * 256)), offset: 1, length: 4 }];
    // Literal counts of 0–4, 5–14 and 0–19: each of the decoder's loops gets to decode the grid.
    for (const [fewest, spread] of [[0, 5], [5, 10], [0, 20]]) {
      for (const offset of offsets.filter((offset) => offset <= start)) {
        for (const length of lengths) {
          const literals = Array.from({ length: fewest + Math.floor(next() * spread) }, () => 97 + Math.floor(next() * 26));
          sequences.push({ literals, offset, length });
        }
      }
    }
    sequences.push({ literals: [1, 2, 3, 4, 5], offset: 0, length: 0 });
    const block = blockOf(sequences);
    const expected = Uint8Array.from(outputOf(sequences));
    expect(equalBytes(referenceDecodeBlock(block), expected)).toBe(true);
    expect(equalBytes(lz4.decompressBlock(block, { outputSize: expected.length }), expected)).toBe(true);
    expect(equalBytes(lz4.decompressBlock(block, { maxOutputSize: expected.length + 1000 }), expected)).toBe(true);
  });

  it('keeps the ratio as acceleration grows, and stays decodable', () => {
    const sizes = [1, 4, 64, 65537].map((acceleration) => {
      const block = lz4.compressBlock(CORPUS.mixed, { acceleration });
      expect(equalBytes(lz4.decompressBlock(block), CORPUS.mixed)).toBe(true);
      return block.length;
    });
    expect(sizes[0]).toBeLessThan(sizes[2]);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
  });

  it('round-trips arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 40 }), (bytes, acceleration) => {
        const block = lz4.compressBlock(bytes, { acceleration });
        expect(equalBytes(lz4.decompressBlock(block, { outputSize: bytes.length }), bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips arbitrary repetitive bytes (property)', () => {
    const repetitive = fc
      .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 400 })), { maxLength: 30 })
      .map((parts) => Uint8Array.from(parts.flatMap(([pattern, count]) => Array.from({ length: count }, (_, i) => pattern[i % pattern.length]))));
    fc.assert(
      fc.property(repetitive, (bytes) => {
        const block = lz4.compressBlock(bytes);
        expect(equalBytes(referenceDecodeBlock(block), bytes)).toBe(true);
        expect(equalBytes(lz4.decompressBlock(block, { outputSize: bytes.length }), bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  describe('bad blocks', () => {
    it('refuses a zero offset and an offset before the start', () => {
      // token: 1 literal, match nibble 0; literal 'a'; offset 0 / offset 2 (only 1 byte written so far)
      expectError(() => lz4.decompressBlock(hexBytes('10 61 00 00 00')), 'CORRUPT');
      expectError(() => lz4.decompressBlock(hexBytes('10 61 02 00 00')), 'CORRUPT');
    });

    it('refuses blocks that end inside a sequence', () => {
      expectError(() => lz4.decompressBlock(new Uint8Array(0)), 'TRUNCATED');
      expectError(() => lz4.decompressBlock(hexBytes('50 68 65')), 'TRUNCATED'); // 5 literals promised, 2 given
      expectError(() => lz4.decompressBlock(hexBytes('F0 FF FF')), 'TRUNCATED'); // length extension never ends
      expectError(() => lz4.decompressBlock(hexBytes('10 61 01')), 'TRUNCATED'); // half an offset
      expectError(() => lz4.decompressBlock(hexBytes('1F 61 01 00 FF')), 'TRUNCATED'); // match length runs out
    });

    it('refuses output past outputSize or maxOutputSize', () => {
      const input = textLike(10_000);
      const block = lz4.compressBlock(input);
      expectError(() => lz4.decompressBlock(block, { outputSize: 9_999 }), 'CORRUPT');
      expectError(() => lz4.decompressBlock(block, { outputSize: 10_001 }), 'CORRUPT');
      expectError(() => lz4.decompressBlock(block, { maxOutputSize: 9_999 }), 'LIMIT');
      expectError(() => lz4.decompressBlock(block, { outputSize: 20_000, maxOutputSize: 10_000 }), 'LIMIT');
      expect(lz4.decompressBlock(block, { maxOutputSize: 10_000 }).length).toBe(10_000);
    });

    it('refuses bad arguments with ARGUMENT', () => {
      expectError(() => lz4.compressBlock('text' as unknown as Uint8Array), 'ARGUMENT');
      expectError(() => lz4.compressBlock(new Uint8Array(4), { acceleration: 0 }), 'ARGUMENT');
      expectError(() => lz4.compressBlock(new Uint8Array(4), { acceleration: 1.5 }), 'ARGUMENT');
      expectError(() => lz4.decompressBlock(hexBytes('00'), { outputSize: -1 }), 'ARGUMENT');
      expectError(() => lz4.decompressBlock(hexBytes('00'), { maxOutputSize: 2 ** 31 }), 'ARGUMENT');
    });

    it('answers every mutation of valid blocks with the right bytes or a TensorzipError', () => {
      const next = random(42);
      const sources = [textLike(3000, 1), runs(3000, 2), mixed(3000, 3)];
      for (let round = 0; round < 1500; round++) {
        const input = sources[round % sources.length];
        const block = lz4.compressBlock(input).slice();
        const flips = 1 + Math.floor(next() * 4);
        for (let f = 0; f < flips; f++) block[Math.floor(next() * block.length)] ^= 1 << Math.floor(next() * 8);
        const cut = next() < 0.3 ? Math.floor(next() * block.length) : block.length;
        try {
          const out = lz4.decompressBlock(block.subarray(0, cut), { maxOutputSize: 1 << 20 });
          // Whatever it decodes must be what an independent decoder makes of the same bytes.
          expect(equalBytes(out, referenceDecodeBlock(block.subarray(0, cut)))).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorzipError);
        }
      }
    });

    it('decodes or refuses mutated blocks past 64 KiB exactly as the reference does', () => {
      // Past 64 KiB of output the fast loop drops its offset-against-window test: mutations must meet both loops.
      const next = random(7);
      const sources = [textLike(150_000, 5), structuredBinary(100_000, 8), mixed(120_000, 7)];
      for (let round = 0; round < 60; round++) {
        const block = lz4.compressBlock(sources[round % sources.length]).slice();
        const flips = Math.floor(next() * 6);
        for (let f = 0; f < flips; f++) block[Math.floor(next() * block.length)] ^= 1 << Math.floor(next() * 8);
        const bytes = block.subarray(0, next() < 0.3 ? Math.floor(next() * block.length) : block.length);
        let expected: Uint8Array | undefined;
        try {
          expected = referenceDecodeBlock(bytes, 1 << 22);
        } catch {
          expected = undefined;
        }
        if (expected) {
          expect(equalBytes(lz4.decompressBlock(bytes, { maxOutputSize: 1 << 22 }), expected)).toBe(true);
        } else {
          expect(() => lz4.decompressBlock(bytes, { maxOutputSize: 1 << 22 })).toThrow(TensorzipError);
        }
      }
    });
  });
});

describe('SIMD and scalar builds', () => {
  it('write identical blocks', () => {
    for (const input of [...Object.values(CORPUS), ...EDGE_SIZES.map((n) => mixed(n, n))]) {
      for (const acceleration of [1, 3, 100]) {
        expect(equalBytes(simdEngine.lz4.compressBlock(input, { acceleration }), scalarEngine.lz4.compressBlock(input, { acceleration }))).toBe(true);
      }
    }
  });

  it('decode each other', () => {
    const a = simdEngine.lz4.compressBlock(CORPUS.mixed);
    expect(equalBytes(scalarEngine.lz4.decompressBlock(a), CORPUS.mixed)).toBe(true);
    const b = scalarEngine.lz4.compressBlock(CORPUS.text);
    expect(equalBytes(simdEngine.lz4.decompressBlock(b), CORPUS.text)).toBe(true);
  });
});
