// Entropy blocks (entropy.encode / entropy.decode) against the reference decoder written from the format's
// description (test/reference/huffman.ts), in both builds: round trips over every kind of distribution and every
// stream boundary, code lengths checked against an independent Huffman construction, identical blocks from the SIMD
// and scalar builds, and damaged blocks turned into the reference's verdict.
import { describe, expect, it } from 'vitest';
import { TensorzipError } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { expectError } from './helpers/errors';
import { random } from './helpers/data';
import { canonicalCodes, referenceDecode } from './reference/huffman';

/** `size` bytes drawn from `weights` (weight of each byte value). */
function drawn(size: number, weights: number[], seed: number): Uint8Array {
  const next = random(seed);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w) / total);
  return Uint8Array.from({ length: size }, () => {
    const u = next();
    const v = cumulative.findIndex((c) => u < c);
    return v < 0 ? weights.length - 1 : v;
  });
}

/** Every byte value once, then value i repeated Fibonacci(i) times for i < 24: an unlimited Huffman code for these
 *  counts is 24+ bits deep, so the 11-bit limit binds. */
function fibonacciBytes(): Uint8Array {
  const out: number[] = [];
  for (let v = 0; v < 256; v++) out.push(v);
  let [a, b] = [1, 1];
  for (let v = 0; v < 24; v++) {
    for (let i = 0; i < a; i++) out.push(v);
    [a, b] = [b, a + b];
  }
  return Uint8Array.from(out);
}

const DISTRIBUTIONS: [string, (size: number, seed: number) => Uint8Array][] = [
  ['uniform', (size, seed) => drawn(size, new Array(256).fill(1), seed)],
  ['skewed (1/(v+1)^2)', (size, seed) => drawn(size, Array.from({ length: 256 }, (_, v) => 1 / (v + 1) ** 2), seed)],
  ['geometric (1/2)', (size, seed) => drawn(size, Array.from({ length: 40 }, (_, v) => 2 ** -v), seed)],
  ['int8 codes ~ N(0, 20)', (size, seed) => drawn(size, Array.from({ length: 256 }, (_, v) => Math.exp(-((((v + 128) & 255) - 128) ** 2) / 800)), seed)],
  ['two values', (size, seed) => drawn(size, [0, 0, 0, 3, 1], seed)],
  ['one value', (size) => new Uint8Array(size).fill(77)],
];

/** Bits of an optimal (unlimited) Huffman code for `counts`, and its deepest code: pairs merged by a sorted list. */
function huffmanOptimum(counts: number[]): { bits: number; depth: number } {
  let nodes = counts.filter((c) => c > 0).map((weight) => ({ weight, depth: 0 }));
  let bits = 0;
  while (nodes.length > 1) {
    nodes.sort((x, y) => x.weight - y.weight);
    const [x, y] = nodes;
    bits += x.weight + y.weight;
    nodes = [{ weight: x.weight + y.weight, depth: Math.max(x.depth, y.depth) + 1 }, ...nodes.slice(2)];
  }
  return { bits, depth: nodes[0]?.depth ?? 0 };
}

function countsOf(bytes: Uint8Array): number[] {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]++;
  return counts;
}

/** Bits the block's code spends on `bytes`. */
function codedBits(bytes: Uint8Array, lengths: number[]): number {
  return bytes.reduce((sum, b) => sum + lengths[b], 0);
}

describe.each(BUILDS)('entropy blocks (%s)', (_, engine) => {
  it('round trip every distribution at sizes across the stream and loop boundaries, as the reference reads them', () => {
    const sizes = [...Array.from({ length: 90 }, (_, i) => i), 99, 100, 101, 255, 256, 257, 1000, 4093, 4096, 4099, 65535, 65536, 65537];
    for (const [name, make] of DISTRIBUTIONS) {
      for (const size of sizes) {
        const input = make(size, size + 1);
        const block = engine.entropy.encode(input);
        const reference = referenceDecode(block);
        expect(equalBytes(reference.decoded, input), `${name}, ${size} bytes: the reference reads the input back`).toBe(true);
        expect(equalBytes(engine.entropy.decode(block), input), `${name}, ${size} bytes`).toBe(true);
        const distinct = new Set(input).size;
        const expectedMode = size === 0 ? 'raw' : distinct === 1 ? 'run' : undefined;
        if (expectedMode) expect(reference.mode, `${name}, ${size} bytes`).toBe(expectedMode);
        // Raw only when the code does not make it smaller; the block never passes raw size.
        expect(block.length, `${name}, ${size} bytes`).toBeLessThanOrEqual(size + 5);
      }
    }
  });

  it('spends exactly the optimal Huffman bits where the optimal code fits 11 bits, within Gallager\'s redundancy bound', () => {
    for (const [name, make] of DISTRIBUTIONS.slice(1, 5)) {
      const input = make(200_000, 9);
      const block = engine.entropy.encode(input);
      const { mode, lengths } = referenceDecode(block);
      expect(mode, name).toBe('huffman');
      const counts = countsOf(input);
      const optimum = huffmanOptimum(counts);
      if (optimum.depth <= 11) expect(codedBits(input, lengths), name).toBe(optimum.bits);
      // A Huffman code spends less than H + p_max + 0.086 bits per byte (Gallager 1978); the block adds its header.
      const entropyBits = counts.reduce((sum, c) => (c > 0 ? sum - c * Math.log2(c / input.length) : sum), 0);
      const pMax = Math.max(...counts) / input.length;
      expect(block.length * 8, name).toBeLessThan(entropyBits + (pMax + 0.086) * input.length + 8 * 200);
      if (pMax < 0.1) expect(entropyBits / 8 / block.length, `${name}: share of the order-0 bound`).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('limits codes to 11 bits where the optimal code is deeper, still a complete code', () => {
    const input = fibonacciBytes();
    expect(huffmanOptimum(countsOf(input)).depth).toBeGreaterThan(11);
    const block = engine.entropy.encode(input);
    const { mode, lengths, decoded } = referenceDecode(block);
    expect(mode).toBe('huffman');
    expect(Math.max(...lengths)).toBe(11);
    expect(lengths.filter((l) => l > 0)).toHaveLength(256);
    expect(equalBytes(decoded, input)).toBe(true);
    expect(equalBytes(engine.entropy.decode(block), input)).toBe(true);
  });

  it('decodes into a caller array, and refuses one too small or a limit below the declared size', () => {
    const input = DISTRIBUTIONS[1][1](5000, 3);
    const block = engine.entropy.encode(input);
    const out = new Uint8Array(6000);
    const view = engine.entropy.decode(block, { out });
    expect(view.buffer).toBe(out.buffer);
    expect(equalBytes(view, input)).toBe(true);
    expectError(() => engine.entropy.decode(block, { out: new Uint8Array(4999) }), 'LIMIT');
    expectError(() => engine.entropy.decode(block, { maxOutputSize: 4999 }), 'LIMIT');
    expect(engine.entropy.decode(block, { maxOutputSize: 5000 })).toHaveLength(5000);
    // A run may declare any length: only the caller's limit stands between it and the allocation.
    const run = Uint8Array.from([1, 0xff, 0xff, 0xff, 0x7f, 9]);
    expectError(() => engine.entropy.decode(run), 'LIMIT');
    expectError(() => engine.entropy.decode(new Uint8Array(0)), 'TRUNCATED');
    expectError(() => engine.entropy.decode(block, { maxOutputSize: -1 }), 'ARGUMENT');
  });
});

describe('entropy blocks: SIMD and scalar builds', () => {
  it('write identical blocks', () => {
    for (const [name, make] of [...DISTRIBUTIONS, ['fibonacci', () => fibonacciBytes()] as const]) {
      for (const size of [0, 1, 2, 3, 17, 1000, 70_000]) {
        const input = make(size, size + 5);
        expect(equalBytes(simdEngine.entropy.encode(input), scalarEngine.entropy.encode(input)), `${name}, ${size}`).toBe(true);
      }
    }
  });
});

/** Damaged blocks may declare up to 2 GiB; this limit keeps their tests small. */
const LIMIT = 1 << 16;

/** The reference's verdict on `block`: its decoded bytes, or the kind of error. */
function verdict(block: Uint8Array): Uint8Array | string {
  try {
    return referenceDecode(block, LIMIT).decoded;
  } catch (err) {
    return (err as Error).message.split(':')[0];
  }
}

/** A huffman block from its parts: decoded length, code lengths of values 0..last, stream sizes and stream bytes. */
function craft(n: number, lengths: number[], sizes: number[], streams: number[]): Uint8Array {
  const nibbles: number[] = [];
  for (let v = 0; v < lengths.length; v += 2) nibbles.push(lengths[v] | ((lengths[v + 1] ?? 0) << 4));
  const u32 = (x: number) => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24];
  return Uint8Array.from([2, ...u32(n), lengths.length - 1, ...nibbles, ...sizes.flatMap(u32), ...streams]);
}

describe.each(BUILDS)('damaged entropy blocks (%s)', (_, engine) => {
  const decodeVerdict = (block: Uint8Array): Uint8Array | string => {
    try {
      return engine.entropy.decode(block, { maxOutputSize: LIMIT });
    } catch (err) {
      if (!(err instanceof TensorzipError)) throw err;
      return err.code;
    }
  };

  it('agree with the reference on every truncation and every bit flip of small blocks', () => {
    const inputs = [
      DISTRIBUTIONS[1][1](60, 1), DISTRIBUTIONS[2][1](45, 2), DISTRIBUTIONS[4][1](33, 3), fibonacciBytes().subarray(250, 300),
      new Uint8Array(20).fill(4), Uint8Array.from([1, 2, 3]),
    ];
    for (const input of inputs) {
      const block = engine.entropy.encode(input);
      for (let cut = 0; cut < block.length; cut++) {
        const part = block.subarray(0, cut);
        expect(decodeVerdict(part), `cut at ${cut} of ${block.length}`).toEqual(verdict(part));
      }
      for (let bit = 0; bit < block.length * 8; bit++) {
        const flipped = block.slice();
        flipped[bit >> 3] ^= 1 << (bit & 7);
        const expected = verdict(flipped);
        const actual = decodeVerdict(flipped);
        // A flip the reference accepts decodes to its bytes: exactly the declared length, as the format reads them.
        expect(actual, `bit ${bit} of ${block.length} bytes`).toEqual(expected);
      }
    }
  });

  it('refuse bad tables, counts and jump tables with the reference verdict', () => {
    const cases: [string, Uint8Array, 'TRUNCATED' | 'CORRUPT' | 'LIMIT'][] = [
      // Values 0..2 with lengths 1, 1, 1: Σ 2^-l = 3/2.
      ['over-subscribed code', craft(4, [1, 1, 1], [1, 0, 0], [0, 0]), 'CORRUPT'],
      // Lengths 2, 2, 2: Σ = 3/4.
      ['incomplete code', craft(4, [2, 2, 2], [1, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['one code of 1 bit', craft(4, [1], [1, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['a 12-bit length', craft(4, [1, 12, 2, 2], [1, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['jump table past the block', craft(4, [1, 1], [0xffffffff, 0, 0], [0, 0, 0, 0]), 'TRUNCATED'],
      ['jump table sum past the block', craft(4, [1, 1], [2, 2, 1], [0, 0, 0, 0]), 'TRUNCATED'],
      ['more bytes than 8 per stream byte', craft(40, [1, 1], [1, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['a stream codes more than 8 bytes per byte', craft(12, [1, 1], [0, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['length past 2^31 - 1', craft(0x80000000, [1, 1], [1, 1, 1], [0, 0, 0, 0]), 'CORRUPT'],
      ['a stream with a byte left over', craft(4, [1, 1], [2, 1, 1], [0, 0, 0, 0, 0]), 'CORRUPT'],
      ['a padding bit set', craft(4, [1, 1], [1, 1, 1], [0x80, 0, 0, 0]), 'CORRUPT'],
      ['unknown mode', Uint8Array.from([3, 1, 0, 0, 0, 0]), 'CORRUPT'],
      ['raw block longer than declared', Uint8Array.from([0, 1, 0, 0, 0, 7, 7]), 'CORRUPT'],
      ['raw block shorter than declared', Uint8Array.from([0, 3, 0, 0, 0, 7, 7]), 'TRUNCATED'],
      ['empty run', Uint8Array.from([1, 0, 0, 0, 0, 7]), 'CORRUPT'],
      ['run past the limit', Uint8Array.from([1, 1, 0, 1, 0, 7]), 'LIMIT'],
    ];
    for (const [name, block, code] of cases) {
      expect(verdict(block), `${name}: the reference`).toBe(code);
      expectError(() => engine.entropy.decode(block, { maxOutputSize: LIMIT }), code);
    }
  });

  it('reads a code cut by the end of its stream as TRUNCATED', () => {
    // Values 0..2 with lengths 1, 2, 2: codes 0, 10, 11.
    const lengths = [1, 2, 2];
    expect([...canonicalCodes([...lengths, ...new Array(253).fill(0)]).keys()]).toEqual(['0', '10', '11']);
    // 20 bytes: stream 0 codes positions 0, 4, … 16, five codes; its one byte 0xff holds four codes '11', and the
    // fifth runs past it.
    const block = craft(20, lengths, [1, 1, 1], [0xff, 0, 0, 0]);
    expect(verdict(block)).toBe('TRUNCATED');
    expectError(() => engine.entropy.decode(block), 'TRUNCATED');
  });
});
