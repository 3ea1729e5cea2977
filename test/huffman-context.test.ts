// The huffman_ctx stage (format 1.3) through pipeline.encodeChunk / decodeChunk in both builds, judged by the
// reference decoder written from docs/FORMAT.md (test/reference/huffman-context.ts): round trips over distributions and
// sizes, identical bytes from the SIMD and scalar builds, context blocks only where they are smaller, and damaged
// blocks (bad tables, truncations, every bit flip of a small block) turned into the reference's verdict.
import { describe, expect, it } from 'vitest';
import type { Engine, PipelineStage } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { referenceDecodeContext, referenceHuffmanContextStage } from './reference/huffman-context';

const stage = (planes: number): PipelineStage[] => [{ codec: 'huffman_ctx', planes }];

/** Codes on `mode` 40% of the time, else around it: spread by `near` right after it (the byte before in its stream),
 *  by `far` elsewhere — the shape of the next code depends on the byte before. */
function sticky(size: number, seed: number, mode = 128, near = 2, far = 30): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const spread = i >= 4 && out[i - 4] === mode ? near : far;
    out[i] = next() < 0.4 ? mode : (mode + Math.round((next() + next() + next() - 1.5) * spread)) & 255;
  }
  return out;
}

const DISTRIBUTIONS: [string, (size: number, seed: number) => Uint8Array][] = [
  ['sticky on a mode', (size, seed) => sticky(size, seed)],
  ['sticky on 0', (size, seed) => sticky(size, seed, 0, 1, 60)],
  ['uniform', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => Math.floor(next() * 256)); }],
  ['two values', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => (next() < 0.7 ? 5 : 9)); }],
  ['one value', (size) => new Uint8Array(size).fill(42)],
];
/** A run block (6 bytes) may stand for at most 6 × 255 bytes in a chunk (FORMAT.md, Maximum expansion). */
const RUN_LIMIT = 6 * 255;
const SIZES = [1, 3, 4, 5, 255, 256, 257, 1000, 4099, 70_003];

/** Decodes one stage's bytes to `count` byte codes through the engine (TF.js codes with scale 1, min 0: the bytes). */
function decodeBytes(engine: Engine, encoded: Uint8Array, planes: number, count: number): Uint8Array {
  const values = engine.pipeline.decodeChunk(encoded, stage(planes), { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } });
  return Uint8Array.from(values);
}

/** The mode byte of each block of a stage's bytes. */
function blockModes(encoded: Uint8Array, planes: number): number[] {
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const modes: number[] = [];
  let at = 4 * (planes - 1);
  for (let p = 0; p < planes; p++) {
    modes.push(encoded[at]);
    at += p < planes - 1 ? view.getUint32(4 * p, true) : 0;
  }
  return modes;
}

describe.each(BUILDS)('huffman_ctx stage (%s build)', (_, engine) => {
  it.each(DISTRIBUTIONS)('%s: round trips at every size, as the reference decodes it, never larger than huffman', (name, make) => {
    for (const size of SIZES) {
      for (const planes of [1, 3]) {
        if (size < planes || (name === 'one value' && size > RUN_LIMIT)) continue;
        const data = make(size, size + planes);
        const encoded = engine.pipeline.encodeChunk(data, stage(planes));
        const plain = engine.pipeline.encodeChunk(data, [{ codec: 'huffman', planes }]);
        expect(encoded.length, `${name} ${size}/${planes}`).toBeLessThanOrEqual(plain.length);
        if (!equalBytes(referenceHuffmanContextStage(encoded, planes), data)) expect.fail(`${name} ${size}/${planes}: the reference decodes it differently`);
        if (!equalBytes(decodeBytes(engine, encoded, planes, size), data)) expect.fail(`${name} ${size}/${planes}: decodes differently`);
      }
    }
  });

  it('a plane of one value but a few bytes (no candidate has two tables) stays an order-0 block that decodes', () => {
    // The low mantissa byte of float32 weights that are float16 values but one: 4095 zeros and a 1 — each of the 4
    // candidate contexts leaves a table with a single value, which once wrapped the size test and wrote a bad block.
    for (const at of [0, 3, 1234, 4095]) {
      const data = new Uint8Array(4096);
      data[at] = 1;
      const encoded = engine.pipeline.encodeChunk(data, stage(1));
      expect(blockModes(encoded, 1)).not.toEqual([3]);
      if (!equalBytes(referenceHuffmanContextStage(encoded, 1), data)) expect.fail(`byte ${at}: the reference decodes it differently`);
      if (!equalBytes(decodeBytes(engine, encoded, 1, data.length), data)) expect.fail(`byte ${at}: decodes differently`);
    }
  });

  it('uses two tables where the byte before predicts the next, and saves bytes there', () => {
    const data = sticky(65536, 3);
    const encoded = engine.pipeline.encodeChunk(data, stage(1));
    const plain = engine.pipeline.encodeChunk(data, [{ codec: 'huffman', planes: 1 }]);
    expect(blockModes(encoded, 1)).toEqual([3]);
    expect(encoded.length).toBeLessThan(plain.length * 0.97);
    // Without that dependence, the order-0 block is written as it is.
    const next = random(4);
    const shuffled = Uint8Array.from(data).sort(() => next() - 0.5);
    expect(blockModes(engine.pipeline.encodeChunk(shuffled, stage(1)), 1)).not.toEqual([3]);
  });
});

describe('huffman_ctx stage: both builds, damaged blocks', () => {
  it('SIMD and scalar builds write identical bytes', () => {
    for (const [, make] of DISTRIBUTIONS) {
      for (const size of [257, 4099, 70_003]) {
        const data = make(size, size);
        if (!equalBytes(simdEngine.pipeline.encodeChunk(data, stage(2)), scalarEngine.pipeline.encodeChunk(data, stage(2)))) expect.fail(`size ${size}`);
      }
    }
  });

  /** The engine's verdict on one context block: its bytes, or its error code; and the reference's. */
  function verdicts(engine: Engine, block: Uint8Array, count: number): [string, string] {
    let mine: string;
    try {
      const bytes = decodeBytes(engine, block, 1, count);
      mine = `OK ${bytes.join()}`;
    } catch (err) {
      mine = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
    }
    let reference: string;
    try {
      const bytes = referenceDecodeContext(block, 1 << 20);
      reference = bytes.length === count ? `OK ${bytes.join()}` : 'CORRUPT';
    } catch (err) {
      reference = String((err as Error).message).split(':')[0];
    }
    return [mine, reference];
  }

  // Small codes (short tables, a small block): 0 or 1–2 after a 0 in the stream, 0 or 1–15 elsewhere.
  const next = random(9);
  const codes = new Uint8Array(1200);
  for (let i = 0; i < codes.length; i++) codes[i] = next() < 0.4 ? 0 : 1 + Math.floor(next() * (i >= 4 && codes[i - 4] === 0 ? 2 : 15));
  const good = simdEngine.pipeline.encodeChunk(codes, stage(1));
  it('the block under test is a context block', () => {
    expect(good[0]).toBe(3);
  });

  /** What the reference decodes, the engine decodes to the same bytes; what it refuses, the engine refuses with a
   *  data error (the chunk-level checks before the kernel may name another kind). */
  const agree = ([mine, reference]: [string, string], what: string) => {
    if (reference.startsWith('OK')) expect(mine, what).toBe(reference);
    else expect(['TRUNCATED', 'CORRUPT', 'LIMIT'], `${what}: ${mine} (reference ${reference})`).toContain(mine);
  };

  it.each(BUILDS)('every bit flip of a small context block: the reference verdict (%s build)', (_, engine) => {
    const seen = new Set<string>();
    for (let bit = 0; bit < good.length * 8; bit++) {
      const flipped = good.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const pair = verdicts(engine, flipped, 1200);
      agree(pair, `bit ${bit}`);
      seen.add(pair[0].slice(0, 2));
    }
    expect([...seen].sort()).toEqual(['CO', 'OK', 'TR']);
  });

  it.each(BUILDS)('truncated at every length, and bad tables: typed errors (%s build)', (_, engine) => {
    for (let length = 0; length < good.length; length++) {
      const pair = verdicts(engine, good.subarray(0, length), 1200);
      agree(pair, `length ${length}`);
      expect(pair[1]).toMatch(/^(TRUNCATED|CORRUPT)/);
    }
    // Table 0's lengths start at byte 7 (after mode, n, m and last0): a code of 12 bits, and a code one bit longer
    // than it was (the lengths no longer complete), are CORRUPT.
    const first = good[7] & 15 ? 7 : 8;
    const shift = good[first] & 15 ? 0 : 4;
    const was = (good[first] >> shift) & 15;
    const withLength = (length: number) => {
      const copy = good.slice();
      copy[first] = (copy[first] & ~(15 << shift)) | (length << shift);
      return copy;
    };
    for (const damaged of [withLength(12), withLength(15), withLength(was + 1)]) {
      const [mine, reference] = verdicts(engine, damaged, 1200);
      expect(mine).toBe('CORRUPT');
      expect(reference).toBe('CORRUPT');
    }
  });
});
