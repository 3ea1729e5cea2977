// Damaged huffman and palette chunks, and pipelines that break format 1.1's rules, end in typed errors (CORRUPT,
// TRUNCATED, CHECKSUM) in both builds — never a crash, a hang or a silently different value where the readable
// reference (test/reference/stages-1.1.ts) refuses the chunk.
import { describe, expect, it } from 'vitest';
import type { PipelineStage } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';
import { referenceStages } from './reference/stages-1.1';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const u32s = (...values: number[]) => bytesOf(Uint32Array.from(values));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

const PALETTE: PipelineStage[] = [{ codec: 'palette', width: 4 }];
const PLANES: PipelineStage[] = [{ codec: 'huffman', planes: 2 }];
/** 16 float32 values, 64 stored bytes: every hand-made chunk below is long enough to reach them (no early CORRUPT). */
const COUNT = 16;

const HANDMADE: [string, PipelineStage[], Uint8Array, string][] = [
  ['palette K = 0', PALETTE, concat(u32s(0), new Uint8Array(COUNT)), 'CORRUPT'],
  ['palette K = 65,537', PALETTE, concat(u32s(65537), new Uint8Array(COUNT)), 'CORRUPT'],
  ['palette K = 2^32 − 1', PALETTE, concat(u32s(0xffffffff), new Uint8Array(COUNT)), 'CORRUPT'],
  ['a palette index ≥ K', PALETTE, concat(u32s(2, 10, 20), Uint8Array.from({ length: COUNT }, (_, i) => (i === 9 ? 2 : i & 1))), 'CORRUPT'],
  ['a u16 palette index ≥ K (K = 300)', PALETTE, concat(u32s(300), new Uint8Array(1200), new Uint8Array(new Uint16Array(COUNT).fill(299).fill(300, 15).buffer)), 'CORRUPT'],
  ['a partial u16 index (K = 300)', PALETTE, concat(u32s(300), new Uint8Array(1200), new Uint8Array(2 * COUNT - 1)), 'CORRUPT'],
  ['a palette table cut short', PALETTE, concat(u32s(300), new Uint8Array(100)), 'TRUNCATED'],
  ['a huffman stage without its length table', [{ codec: 'huffman', planes: 4 }], new Uint8Array(8), 'TRUNCATED'],
  ['a plane length past the stage', PLANES, concat(u32s(1000), new Uint8Array(60)), 'TRUNCATED'],
  ['a plane length of 2^32 − 1', PLANES, concat(u32s(0xffffffff), new Uint8Array(60)), 'TRUNCATED'],
  ['a plane block with mode 7', PLANES, concat(u32s(6), Uint8Array.of(7, 1, 0, 0, 0, 9), Uint8Array.of(1, 64, 0, 0, 0, 9)), 'CORRUPT'],
  ['planes that decode to more than the chunk holds', PLANES, concat(u32s(6), Uint8Array.of(1, 60, 0, 0, 0, 9), Uint8Array.of(1, 60, 0, 0, 0, 9)), 'CORRUPT'],
  ['planes that decode to less than the chunk holds', PLANES, concat(u32s(6), Uint8Array.of(1, 20, 0, 0, 0, 9), Uint8Array.of(1, 20, 0, 0, 0, 9)), 'CORRUPT'],
];

/** A small float32 chunk of each new pipeline, encoded by the pipeline itself. */
function validChunks(encode: (data: Uint8Array, stages: PipelineStage[]) => Uint8Array): [string, PipelineStage[], Uint8Array, Float32Array][] {
  const next = random(21);
  const levels = Float32Array.from({ length: 96 }, () => Math.floor(next() * 12) * 0.25 - 1);
  const weights = Float32Array.from({ length: 64 }, () => (next() + next() - 1) * 0.05);
  const cases: [string, PipelineStage[], Float32Array][] = [
    ['shuffle 4 + huffman 4', [{ codec: 'shuffle', typesize: 4 }, { codec: 'huffman', planes: 4 }], weights],
    ['palette 4 + huffman 1', [{ codec: 'palette', width: 4 }, { codec: 'huffman', planes: 1 }], levels],
    ['palette 2 + shuffle 2 + huffman 2', [{ codec: 'palette', width: 2 }, { codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }], levels],
  ];
  return cases.map(([name, stages, values]) => [name, stages, encode(bytesOf(values), stages), values]);
}

/** The reference's outcome for a chunk that must decode to `bytes` stored bytes: the bytes, or null when it refuses. */
function referenceOutcome(chunk: Uint8Array, stages: PipelineStage[], bytes: number): Uint8Array | null {
  try {
    const decoded = referenceStages(chunk, stages);
    return decoded.length === bytes ? decoded : null;
  } catch {
    return null;
  }
}

describe.each(BUILDS)('damaged format 1.1 chunks (%s build)', (_, engine) => {
  it.each(HANDMADE)('%s: %s', (_name, stages, chunk, code) => {
    expectError(() => engine.pipeline.decodeChunk(chunk, stages, { dtype: 'float32', count: COUNT }), code as 'CORRUPT');
  });

  const cases = validChunks(engine.pipeline.encodeChunk);
  it.each(cases)('%s: every truncation is TRUNCATED or CORRUPT', (_name, stages, chunk, values) => {
    for (let n = 0; n < chunk.length; n++) {
      let code = 'OK';
      try {
        engine.pipeline.decodeChunk(chunk.subarray(0, n), stages, { dtype: 'float32', count: values.length });
      } catch (err) {
        code = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
      }
      expect(['TRUNCATED', 'CORRUPT'], `${n} of ${chunk.length} bytes`).toContain(code);
    }
  });

  it.each(cases)('%s: every bit flip decodes as the reference does, or is refused as it refuses it', (_name, stages, chunk, values) => {
    for (let bit = 0; bit < 8 * chunk.length; bit++) {
      const flipped = chunk.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const expected = referenceOutcome(flipped, stages, 4 * values.length);
      let got: Uint8Array | string;
      try {
        got = bytesOf(engine.pipeline.decodeChunk(flipped, stages, { dtype: 'float32', count: values.length }));
      } catch (err) {
        got = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
      }
      if (expected === null) expect(['TRUNCATED', 'CORRUPT'], `bit ${bit}`).toContain(got);
      else if (typeof got === 'string' || !equalBytes(got, expected)) expect.fail(`bit ${bit}: the reference decodes the chunk, the kernel gives ${typeof got === 'string' ? got : 'other bytes'}`);
    }
  });

  it.each(cases)('%s in a container: every bit flip is CHECKSUM', async (_name, stages, chunk, values) => {
    const file = tzipFile((at: number) => ({ tensors: [tensorEntry('t', 'float32', [values.length], [[at, chunk.length, referenceXxh32(chunk)]], { pipeline: stages })] }), chunk);
    const archive = await engine.open(file);
    expect(equalBytes(bytesOf((await archive.get('t')).data), bytesOf(values))).toBe(true);
    const start = file.length - 32 - chunk.length;
    for (let bit = 0; bit < 8 * chunk.length; bit += 3) {
      const damaged = file.slice();
      damaged[start + (bit >> 3)] ^= 1 << (bit & 7);
      await expect((await engine.open(damaged)).get('t'), `bit ${bit}`).rejects.toMatchObject({ code: 'CHECKSUM' });
    }
  });

  const RULES: [string, unknown[]][] = [
    ['lz4 then huffman', [{ codec: 'lz4' }, { codec: 'huffman', planes: 1 }]],
    ['huffman then lz4', [{ codec: 'huffman', planes: 1 }, { codec: 'lz4' }]],
    ['two huffman stages', [{ codec: 'huffman', planes: 1 }, { codec: 'huffman', planes: 1 }]],
    ['palette and sparse', [{ codec: 'palette', width: 4 }, { codec: 'sparse', format: 'bitmask', width: 4 }]],
    ['sparse and palette', [{ codec: 'sparse', format: 'bitmask', width: 4 }, { codec: 'palette', width: 4 }]],
    ['two palettes', [{ codec: 'palette', width: 4 }, { codec: 'palette', width: 2 }]],
    ['huffman planes 0', [{ codec: 'huffman', planes: 0 }]],
    ['huffman planes 17', [{ codec: 'huffman', planes: 17 }]],
    ['huffman without planes', [{ codec: 'huffman' }]],
    ['palette width 1', [{ codec: 'palette', width: 1 }]],
    ['palette width "4"', [{ codec: 'palette', width: '4' }]],
    ['palette with an unknown parameter', [{ codec: 'palette', width: 4, order: 'sorted' }]],
  ];
  it.each(RULES)('a pipeline with %s is CORRUPT', async (_name, pipeline) => {
    const chunk = new Uint8Array(64);
    const file = tzipFile((at: number) => ({ tensors: [tensorEntry('t', 'float32', [16], [[at, chunk.length, referenceXxh32(chunk)]], { pipeline })] }), chunk);
    await expect(engine.open(file)).rejects.toMatchObject({ code: 'CORRUPT' });
  });
});
