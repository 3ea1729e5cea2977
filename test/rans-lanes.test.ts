// The rans_lanes stage (format 1.5) through pipeline.encodeChunk / decodeChunk in both builds, judged by the reference
// decoder written from docs/FORMAT.md (test/reference/rans.ts): round trips over distributions and sizes around the
// 16 KiB threshold for mode 5 and the 64 lanes (and the SIMD loop's ends), identical bytes from the SIMD and scalar
// builds, and damaged mode 5 blocks (bad states, words, counts, truncations, bit flips) turned into typed errors that
// agree with the reference.
import { describe, expect, it } from 'vitest';
import type { Engine, PipelineStage } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { agree, verdicts } from './helpers/block-verdicts';
import { DISTRIBUTIONS, clustered } from './helpers/byte-distributions';
import { referenceDecodeRansLanes, referenceRansLanesStage } from './reference/rans';

const stage = (planes: number, codec: 'rans' | 'rans_lanes' = 'rans_lanes'): PipelineStage[] => [{ codec, planes }];
/** A run block (6 bytes) may stand for at most 6 × 255 bytes in a chunk (FORMAT.md, Maximum expansion). */
const RUN_LIMIT = 6 * 255;
/** Around the lanes (64), mode 5's threshold (16,384), the SIMD loop's steps of 64 positions, and a 1 MiB chunk. */
const SIZES = [0, 1, 63, 64, 65, 16_383, 16_384, 16_385, 16_447, 16_448, 16_449, 70_003, 1 << 20];

function decodeBytes(engine: Engine, encoded: Uint8Array, planes: number, count: number): Uint8Array {
  const values = engine.pipeline.decodeChunk(encoded, stage(planes), { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } });
  return Uint8Array.from(values);
}

/** Skewed codes whose byte 64 positions before (the one before in its lane) tells the next one. */
const laneContext = (size: number, seed: number) => clustered(size, seed, 0.9, 128, 1, 4, 64);

describe.each(BUILDS)('rans_lanes stage (%s build)', (_, engine) => {
  it.each(DISTRIBUTIONS)('%s: round trips at every size, as the reference decodes it', (name, make) => {
    for (const size of SIZES) {
      for (const planes of [1, 3]) {
        if (size < planes - 1 || (name === 'one value' && size > RUN_LIMIT) || (size === 1 << 20 && planes === 3)) continue;
        const data = make(size, size + planes);
        const encoded = engine.pipeline.encodeChunk(data, stage(planes));
        if (!equalBytes(referenceRansLanesStage(encoded, planes), data)) expect.fail(`${name} ${size}/${planes}: the reference decodes it differently`);
        if (!equalBytes(decodeBytes(engine, encoded, planes, size), data)) expect.fail(`${name} ${size}/${planes}: decodes differently`);
      }
    }
  });

  it('writes mode 5 blocks from 16 KiB where the rans stage writes mode 4, with a second table chosen 64 bytes back', () => {
    const data = laneContext(1 << 18, 3);
    const lanes = engine.pipeline.encodeChunk(data, stage(1));
    const rans = engine.pipeline.encodeChunk(data, stage(1, 'rans'));
    expect([rans[0], lanes[0]]).toEqual([4, 5]);
    expect([lanes[5], lanes[6]]).toEqual([2, 128]); // two tables: after a 128 in its lane, more often 128 again
    // 256 bytes of states instead of mode 4's jump table and 4 states, but the context seen 64 bytes back, where this
    // data has it (mode 4 looks 4 back).
    expect(lanes.length).toBeLessThan(rans.length);
    // Under 16 KiB, the rans stage's block.
    const small = laneContext(16_383, 4);
    expect(equalBytes(engine.pipeline.encodeChunk(small, stage(1)), engine.pipeline.encodeChunk(small, stage(1, 'rans')))).toBe(true);
    expect(engine.pipeline.encodeChunk(small, stage(1))[0]).toBe(4);
  });

  it('decodes every position whatever the words left: the SIMD loop stops 128 bytes before their end', () => {
    // Data at about 8 bits per byte for its last part: the words run out while many positions are left.
    const next = random(5);
    const data = laneContext(200_000, 6);
    for (let i = 150_000; i < data.length; i++) data[i] = next() < 0.5 ? 128 : Math.floor(next() * 256);
    const encoded = engine.pipeline.encodeChunk(data, stage(1));
    expect(encoded[0]).toBe(5);
    expect(equalBytes(decodeBytes(engine, encoded, 1, data.length), data)).toBe(true);
  });
});

describe('rans_lanes stage: both builds, damaged blocks', () => {
  it('SIMD and scalar builds write identical bytes', () => {
    for (const [, make] of [...DISTRIBUTIONS, ['lane context', laneContext] as const]) {
      for (const size of [257, 16_384, 70_003]) {
        const data = make(size, size);
        if (!equalBytes(simdEngine.pipeline.encodeChunk(data, stage(2)), scalarEngine.pipeline.encodeChunk(data, stage(2)))) expect.fail(`size ${size}`);
      }
    }
  });

  /** The engine's verdict on one block (decoded to `count` bytes), and the reference's. */
  const verdictsOf = (engine: Engine, block: Uint8Array, count: number) =>
    verdicts(() => decodeBytes(engine, block, 1, count), () => referenceDecodeRansLanes(block, 1 << 20), count);

  // Small codes with two tables: after a 3 in its lane mostly 3 again, elsewhere mostly 0; 257 steps of 64.
  const COUNT = 16_448;
  const next = random(9);
  const codes = new Uint8Array(COUNT);
  for (let i = 0; i < COUNT; i++) codes[i] = i >= 64 && codes[i - 64] === 3 && next() < 0.95 ? 3 : next() < 0.85 ? 0 : 1 + Math.floor(next() * 3);
  const good = simdEngine.pipeline.encodeChunk(codes, stage(1));
  /** Where the states start: after table 0 (at 7) and table 1. */
  const statesAt = (() => {
    let at = 7;
    for (let t = 0; t < 2; t++) {
      const [first, last] = [good[at], good[at + 1]];
      at += 2;
      for (let s = first; s <= last; s++) at += good[at] < 128 ? 1 : 2;
    }
    return at;
  })();
  const damaged = (change: (block: Uint8Array, view: DataView) => Uint8Array | void): Uint8Array => {
    const copy = good.slice();
    return change(copy, new DataView(copy.buffer)) ?? copy;
  };

  it('the block under test is a two-table mode 5 block', () => {
    expect([good[0], good[5]]).toEqual([5, 2]);
    expect(referenceDecodeRansLanes(good)).toEqual(codes);
  });

  it.each(BUILDS)('bit flips in the header, tables, states and words: the reference verdict (%s build)', (_, engine) => {
    const seen = new Set<string>();
    const wordsAt = statesAt + 256;
    for (let bit = 0; bit < good.length * 8; bit += bit < wordsAt * 8 ? 1 : 37) {
      const flipped = good.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const pair = verdictsOf(engine, flipped, COUNT);
      agree(pair, `bit ${bit}`);
      seen.add(pair[0].slice(0, 2));
    }
    expect([...seen].sort()).toEqual(['CO', 'TR']);
  });

  it.each(BUILDS)('truncated: typed errors (%s build)', (_, engine) => {
    for (let length = 0; length < good.length; length += length < statesAt + 300 ? 1 : 61) {
      const pair = verdictsOf(engine, good.subarray(0, length), COUNT);
      agree(pair, `length ${length}`);
      expect(pair[1]).toMatch(/^(TRUNCATED|CORRUPT)/);
    }
  });

  it.each(BUILDS)('bad counts, states and words: CORRUPT or TRUNCATED, as the reference says (%s build)', (_, engine) => {
    const cases: [string, Uint8Array, string][] = [
      ['three tables', damaged((b) => { b[5] = 3; }), 'CORRUPT'],
      ['a frequency one more (sum 4097)', damaged((b) => { b[9] += 1; }), 'CORRUPT'],
      ['n past 2^31 − 1', damaged((_, v) => { v.setUint32(1, 0xffffffff, true); }), 'CORRUPT'],
      ['n one more', damaged((_, v) => { v.setUint32(1, COUNT + 1, true); }), 'CORRUPT'],
      ['n one less', damaged((_, v) => { v.setUint32(1, COUNT - 1, true); }), 'CORRUPT'],
      ['states cut short', good.subarray(0, statesAt + 255), 'TRUNCATED'],
      ['an odd number of bytes of words', damaged((b) => b.subarray(0, b.length - 1)), 'CORRUPT'],
      ['a word left over', damaged((b) => Uint8Array.from([...b, 0, 0])), 'CORRUPT'],
      ['the last word missing', damaged((b) => b.subarray(0, b.length - 2)), 'TRUNCATED'],
      ['lane 0 starts below 2^16', damaged((_, v) => { v.setUint32(statesAt, 0xffff, true); }), 'CORRUPT'],
      ['lane 63 starts below 2^16', damaged((_, v) => { v.setUint32(statesAt + 252, 0xffff, true); }), 'CORRUPT'],
      ['lane 63 starts one more', damaged((_, v) => { v.setUint32(statesAt + 252, v.getUint32(statesAt + 252, true) + 1, true); }), 'CORRUPT'],
    ];
    for (const [what, block, expected] of cases) {
      const [mine, reference] = verdictsOf(engine, block, COUNT);
      if (!['n one more', 'n one less', 'the last word missing', 'lane 63 starts one more'].includes(what)) expect(reference, what).toBe(expected);
      else expect(reference, what).toMatch(/^(CORRUPT|TRUNCATED)/);
      agree([mine, reference], what);
    }
  });

  it.each(BUILDS)('a view at an odd offset decodes as the bytes; a few bytes claiming 2^31 − 1 are refused by the count (%s build)', (_, engine) => {
    const shifted = new Uint8Array(good.length + 1);
    shifted.set(good, 1);
    expect(equalBytes(decodeBytes(engine, new Uint8Array(shifted.buffer, 1, good.length), 1, COUNT), codes)).toBe(true);
    // One table where byte 0 has all 4096 slots (no byte costs a bit), 64 states of 2^16, no word.
    const block = new Uint8Array(11 + 256);
    const view = new DataView(block.buffer);
    block.set([5, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0, 0x80, 0x20]);
    for (let k = 0; k < 64; k++) view.setUint32(11 + 4 * k, 1 << 16, true);
    expect(() => referenceDecodeRansLanes(block, 1 << 20)).toThrow(/^LIMIT/);
    expect(verdictsOf(engine, block, 4096)[0]).toMatch(/^(CORRUPT|LIMIT)$/);
    view.setUint32(1, 100, true);
    expect(referenceDecodeRansLanes(block)).toEqual(new Uint8Array(100));
    expect(verdictsOf(engine, block, 100)[0]).toBe(`OK ${new Array(100).fill(0).join()}`);
  });

  it.each(BUILDS)('a mode 5 block in a rans stage (1.4) is CORRUPT (%s build)', (_, engine) => {
    expectError(() => engine.pipeline.decodeChunk(good, stage(1, 'rans'), { dtype: 'tfjs_uint8', count: COUNT, tfjs: { scale: 1, min: 0 } }), 'CORRUPT');
  });
});
