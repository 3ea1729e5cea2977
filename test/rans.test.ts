// The rans stage (format 1.4) through pipeline.encodeChunk / decodeChunk in both builds, judged by the reference
// decoder written from docs/FORMAT.md (test/reference/rans.ts): round trips over distributions and sizes (never larger
// than huffman_ctx), identical bytes from the SIMD and scalar builds, and damaged blocks (bad tables, counts and
// states, truncations, every bit flip of a small block) turned into typed errors that agree with the reference.
import { describe, expect, it } from 'vitest';
import type { Engine, PipelineStage } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { agree, verdicts } from './helpers/block-verdicts';
import { DISTRIBUTIONS, clustered } from './helpers/byte-distributions';
import { referenceDecodeRans, referenceRansStage } from './reference/rans';

const stage = (planes: number, codec: 'rans' | 'huffman_ctx' = 'rans'): PipelineStage[] => [{ codec, planes }];

/** A run block (6 bytes) may stand for at most 6 × 255 bytes in a chunk (FORMAT.md, Maximum expansion). */
const RUN_LIMIT = 6 * 255;
/** Around the encoder's threshold (64), the 4 streams' boundaries, and a 1 MiB chunk. */
const SIZES = [0, 1, 3, 4, 5, 63, 64, 65, 67, 255, 256, 257, 1000, 4099, 70_003, 1 << 20];

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

describe.each(BUILDS)('rans stage (%s build)', (_, engine) => {
  it.each(DISTRIBUTIONS)('%s: round trips at every size, as the reference decodes it, never larger than huffman_ctx', (name, make) => {
    for (const size of SIZES) {
      for (const planes of [1, 3]) {
        if (size < planes - 1 || (name === 'one value' && size > RUN_LIMIT) || (size === 1 << 20 && planes === 3)) continue;
        const data = make(size, size + planes);
        const encoded = engine.pipeline.encodeChunk(data, stage(planes));
        const context = engine.pipeline.encodeChunk(data, stage(planes, 'huffman_ctx'));
        expect(encoded.length, `${name} ${size}/${planes}`).toBeLessThanOrEqual(context.length);
        if (!equalBytes(referenceRansStage(encoded, planes), data)) expect.fail(`${name} ${size}/${planes}: the reference decodes it differently`);
        if (!equalBytes(decodeBytes(engine, encoded, planes, size), data)) expect.fail(`${name} ${size}/${planes}: decodes differently`);
      }
    }
  });

  it('writes rANS blocks, with one table or two, where they beat Huffman codes by what Huffman cannot give', () => {
    const skewed = clustered(65536, 3, 0.9, 128, 1, 4);
    const encoded = engine.pipeline.encodeChunk(skewed, stage(1));
    const context = engine.pipeline.encodeChunk(skewed, stage(1, 'huffman_ctx'));
    expect(blockModes(encoded, 1)).toEqual([4]);
    expect(encoded[5]).toBe(2); // two tables: the byte after a 128 is more often 128 again
    expect(encoded[6]).toBe(128);
    // 1 bit per byte at least under Huffman; about 0.6 bits of information here.
    expect(encoded.length).toBeLessThan(context.length * 0.75);
    // Without the dependence on the byte before, one table.
    const next = random(4);
    const shuffled = Uint8Array.from(skewed).sort(() => next() - 0.5);
    const order0 = engine.pipeline.encodeChunk(shuffled, stage(1));
    expect([order0[0], order0[5]]).toEqual([4, 1]);
    // Uniform bytes stay raw: no coder beats them.
    expect(blockModes(engine.pipeline.encodeChunk(DISTRIBUTIONS[3][1](4096, 1), stage(1)), 1)).toEqual([0]);
  });
});

describe('rans stage: both builds, damaged blocks', () => {
  it('SIMD and scalar builds write identical bytes', () => {
    for (const [, make] of DISTRIBUTIONS) {
      for (const size of [257, 4099, 70_003]) {
        const data = make(size, size);
        if (!equalBytes(simdEngine.pipeline.encodeChunk(data, stage(2)), scalarEngine.pipeline.encodeChunk(data, stage(2)))) expect.fail(`size ${size}`);
      }
    }
  });

  /** The engine's verdict on one block (decoded to `count` bytes), and the reference's. */
  const verdictsOf = (engine: Engine, block: Uint8Array, count: number) =>
    verdicts(() => decodeBytes(engine, block, 1, count), () => referenceDecodeRans(block, 1 << 20), count);

  // Small codes (short tables, a small block) with two tables: after a 3 (in its stream) mostly 3 again, elsewhere
  // mostly 0 — probabilities far from powers of 1/2, where rANS beats Huffman codes even on a small block.
  const COUNT = 1500;
  const next = random(9);
  const codes = new Uint8Array(COUNT);
  for (let i = 0; i < COUNT; i++) codes[i] = i >= 4 && codes[i - 4] === 3 && next() < 0.95 ? 3 : next() < 0.7 ? 0 : 1 + Math.floor(next() * 7);
  const good = simdEngine.pipeline.encodeChunk(codes, stage(1));
  /** Offsets in `good`: table 0 at 7 (first, last, frequencies), table 1 after it, then the jump table. */
  const table1At = (() => {
    let at = 9;
    for (let s = good[7]; s <= good[8]; s++) at += good[at] < 128 ? 1 : 2;
    return at;
  })();
  const jumpAt = (() => {
    let at = table1At + 2;
    for (let s = good[table1At]; s <= good[table1At + 1]; s++) at += good[at] < 128 ? 1 : 2;
    return at;
  })();
  const damaged = (change: (block: Uint8Array, view: DataView) => void): Uint8Array => {
    const copy = good.slice();
    change(copy, new DataView(copy.buffer));
    return copy;
  };

  it('the block under test is a two-table rANS block', () => {
    expect([good[0], good[5]]).toEqual([4, 2]);
    expect(referenceDecodeRans(good)).toEqual(codes);
  });

  it.each(BUILDS)('every bit flip of a small rANS block: the reference verdict (%s build)', (_, engine) => {
    const seen = new Set<string>();
    for (let bit = 0; bit < good.length * 8; bit++) {
      const flipped = good.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const pair = verdictsOf(engine, flipped, COUNT);
      agree(pair, `bit ${bit}`);
      seen.add(pair[0].slice(0, 2));
    }
    expect([...seen].sort()).toEqual(['CO', 'TR']);
  });

  it.each(BUILDS)('truncated at every length: typed errors (%s build)', (_, engine) => {
    for (let length = 0; length < good.length; length++) {
      const pair = verdictsOf(engine, good.subarray(0, length), COUNT);
      agree(pair, `length ${length}`);
      expect(pair[1]).toMatch(/^(TRUNCATED|CORRUPT)/);
    }
  });

  it.each(BUILDS)('bad tables, counts and states: CORRUPT or TRUNCATED, as the reference says (%s build)', (_, engine) => {
    const cases: [string, Uint8Array, string][] = [
      ['three tables', damaged((b) => { b[5] = 3; }), 'CORRUPT'],
      ['no table', damaged((b) => { b[5] = 0; }), 'CORRUPT'],
      ['first past last', damaged((b) => { b[7] = b[8] + 1; }), 'CORRUPT'],
      ['a frequency one more (sum 4097)', damaged((b) => { b[9] += 1; }), 'CORRUPT'],
      ['a varint whose second byte has its top bit', damaged((b) => { b[9] = 0x80 | (b[9] & 127); b[10] |= 0x80; }), 'CORRUPT'],
      ['n past 2^31 − 1', damaged((_, v) => { v.setUint32(1, 0xffffffff, true); }), 'CORRUPT'],
      ['n one more', damaged((_, v) => { v.setUint32(1, COUNT + 1, true); }), 'CORRUPT'],
      ['stream 0 longer than the block', damaged((_, v) => { v.setUint32(jumpAt, 0xffffffff, true); }), 'TRUNCATED'],
      ['stream 0 of odd length', damaged((_, v) => { v.setUint32(jumpAt, v.getUint32(jumpAt, true) + 1, true); }), 'CORRUPT'],
      ['a starting state below 2^16', damaged((_, v) => { v.setUint32(jumpAt + 12, 0xffff, true); }), 'CORRUPT'],
      ['a starting state one more', damaged((_, v) => { v.setUint32(jumpAt + 12, v.getUint32(jumpAt + 12, true) + 1, true); }), 'CORRUPT'],
    ];
    // One table with m not 0: T = 1 on this block also leaves table 1's bytes where the jump table was read.
    cases.push(['one table, m not 0', damaged((b) => { b[5] = 1; }), 'CORRUPT']);
    for (const [what, block, expected] of cases) {
      const [mine, reference] = verdictsOf(engine, block, COUNT);
      expect(reference, what).toMatch(new RegExp(`^(${expected}|CORRUPT|TRUNCATED)`));
      if (what !== 'n one more') expect(reference, what).toBe(expected);
      agree([mine, reference], what);
    }
  });

  it.each(BUILDS)('a few bytes that claim 2^31 − 1 bytes of one symbol: refused by the caller\'s count (%s build)', (_, engine) => {
    // One table where byte 0 has all 4096 slots: every byte costs no bits, so only n and the output's room bound it.
    const block = new Uint8Array([4, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0, 0x80, 0x20, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
      0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    expect(() => referenceDecodeRans(block, 1 << 20)).toThrow(/^LIMIT/);
    expect(verdictsOf(engine, block, 4096)[0]).toMatch(/^(CORRUPT|LIMIT)$/);
    // The same block claiming 8 bytes decodes to 8 zeros (a state of 2^16 never takes a word).
    const eight = block.slice();
    new DataView(eight.buffer).setUint32(1, 8, true);
    expect(referenceDecodeRans(eight)).toEqual(new Uint8Array(8));
    expect(verdictsOf(engine, eight, 8)[0]).toBe('OK 0,0,0,0,0,0,0,0');
  });
});
