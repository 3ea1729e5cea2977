// Format 1.2's regroup stage (docs/FORMAT.md, "The regroup stage"): chunks the pipeline encodes decode as the
// readable reference (test/reference/regroup.ts) says and round-trip through open() in both builds; the writer labels
// channels by spread in equal groups; damaged chunks and bad parameters end in typed errors; pack() uses the stage
// where it makes the tensor smaller, with the same bytes from both builds.
import { describe, expect, it } from 'vitest';
import type { PipelineStage } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { placeChunks, tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';
import { referenceRegroupHuffman, referenceRegroupStage } from './reference/regroup';

type Groups = 2 | 4 | 8 | 16;
const regroup = (groups: Groups, channels: number, run: number): PipelineStage => ({ codec: 'regroup', groups, channels, run });

/** Byte codes around 128 whose spread grows with the channel (⌊i / run⌋ mod channels): channel c within ±(2 + 5c). */
function channelCodes(count: number, channels: number, run: number, seed: number): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length: count }, (_, i) => {
    const spread = 2 + 5 * (Math.floor(i / run) % channels);
    return Math.max(0, Math.min(255, 128 + Math.round((next() + next() - 1) * spread)));
  });
}

/** A .tzip file of one uint8 tensor `t` of `count` elements whose chunks are `chunks` (checksums right). */
function fileOf(count: number, chunkElements: number, pipeline: PipelineStage[], chunks: Uint8Array[]): Uint8Array {
  const { data, offsets } = placeChunks(chunks);
  return tzipFile((at: number) => ({
    tensors: [tensorEntry('t', 'uint8', [count], chunks.map((c, k) => [at + offsets[k], c.length, referenceXxh32(c)]), { pipeline, chunkElements })],
  }), data);
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** The reference's outcome: the bytes, or null when it refuses. */
function referenceOutcome(decode: () => Uint8Array): Uint8Array | null {
  try {
    return decode();
  } catch {
    return null;
  }
}

/** [groups, channels, run]: one channel, fewer channels than groups, labels crossing bytes (3 bits), long runs. */
const LAYOUTS: [Groups, number, number][] = [[2, 1, 1], [2, 3, 1], [4, 8, 1], [4, 6, 5], [8, 64, 1], [8, 5, 2], [16, 32, 3], [16, 1, 7]];
const CHUNK = 96;
const COUNTS = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1, 1000];

describe.each(BUILDS)('the regroup stage (%s build)', (_, engine) => {
  it.each(LAYOUTS)('groups %i, channels %i, run %i: every chunk boundary round-trips, each chunk decoding as the reference says', async (groups, channels, run) => {
    const stage = regroup(groups, channels, run);
    for (const pipeline of [[stage], [stage, { codec: 'huffman', planes: groups } as PipelineStage]]) {
      for (const count of COUNTS) {
        const data = channelCodes(count, channels, run, count + channels);
        const chunks: Uint8Array[] = [];
        for (let first = 0; first < count; first += CHUNK) {
          const stored = data.subarray(first, Math.min(count, first + CHUNK));
          const chunk = engine.pipeline.encodeChunk(stored, pipeline);
          const reference = pipeline.length === 1 ? referenceRegroupStage(chunk, groups, channels, run) : referenceRegroupHuffman(chunk, groups, channels, run, groups);
          if (!equalBytes(reference, stored)) expect.fail(`${count} elements: the chunk at ${first} decodes otherwise by the reference`);
          chunks.push(chunk);
        }
        const got = await (await engine.open(fileOf(count, CHUNK, pipeline, chunks))).get('t');
        if (!equalBytes(bytesOf(got.data), data)) expect.fail(`${pipeline.length} stages, ${count} elements: decoded bytes differ`);
      }
    }
  });

  it('the writer labels channels by the rank of their spread, in equal groups, and lays out each group\'s codes in position order', () => {
    const [groups, channels, run] = [4, 16, 2] as const;
    // Channels in a shuffled order of spread: channel c gets spread rank (5c mod 16).
    const next = random(5);
    const rank = (c: number) => (5 * c) % channels;
    const data = Uint8Array.from({ length: 64 * channels * run }, (_, i) => 128 + Math.round((next() - 0.5) * 4 * (1 + rank(Math.floor(i / run) % channels))));
    const chunk = engine.pipeline.encodeChunk(data, [regroup(groups, channels, run)]);
    const labels = Array.from({ length: channels }, (_, c) => (chunk[c >> 2] >> (2 * (c & 3))) & 3);
    expect(labels).toEqual(Array.from({ length: channels }, (_, c) => Math.floor(rank(c) / 4)));
    const expected: number[] = [];
    for (let g = 0; g < groups; g++) data.forEach((v, i) => { if (labels[Math.floor(i / run) % channels] === g) expected.push(v); });
    expect([...chunk.subarray(channels / 4)]).toEqual(expected);
  });

  const HANDMADE: [string, PipelineStage[], Uint8Array, number, string][] = [
    ['labels cut short (64 channels of 4 bits: 32 bytes)', [regroup(16, 64, 1)], new Uint8Array(10), 0, 'TRUNCATED'],
    ['an unused label bit set (3 channels of 1 bit)', [regroup(2, 3, 1)], Uint8Array.of(0b1000, 1, 2, 3, 4), 4, 'CORRUPT'],
    ['an unused high bit of a 3-bit label byte set', [regroup(8, 2, 1)], Uint8Array.of(0b01000000, 1, 2, 3, 4), 4, 'CORRUPT'],
    ['elements for fewer bytes than the chunk holds', [regroup(4, 4, 1)], Uint8Array.of(0b11100100, 1, 2, 3), 4, 'CORRUPT'],
    ['elements for more bytes than the chunk holds', [regroup(4, 4, 1)], Uint8Array.of(0b11100100, 1, 2, 3, 4, 5, 6, 7, 8), 4, 'CORRUPT'],
  ];
  it.each(HANDMADE)('%s', (_name, stages, chunk, count, code) => {
    expectError(() => engine.pipeline.decodeChunk(chunk, stages, { dtype: 'float32', count: count / 4 }), code as 'CORRUPT');
  });

  const pipeline: PipelineStage[] = [regroup(4, 12, 1), { codec: 'huffman', planes: 4 }];
  const data = channelCodes(240, 12, 1, 9);
  const chunk = engine.pipeline.encodeChunk(data, pipeline);

  it('every truncation of a [regroup, huffman] chunk is TRUNCATED or CORRUPT', () => {
    for (let n = 0; n < chunk.length; n++) {
      let code = 'OK';
      try {
        engine.pipeline.decodeChunk(chunk.subarray(0, n), pipeline, { dtype: 'float32', count: data.length / 4 });
      } catch (err) {
        code = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
      }
      expect(['TRUNCATED', 'CORRUPT'], `${n} of ${chunk.length} bytes`).toContain(code);
    }
  });

  it('every bit flip of a [regroup, huffman] chunk: a typed error exactly when the reference refuses, else its bytes', () => {
    for (let bit = 0; bit < 8 * chunk.length; bit++) {
      const damaged = chunk.slice();
      damaged[bit >> 3] ^= 1 << (bit & 7);
      const reference = referenceOutcome(() => referenceRegroupHuffman(damaged, 4, 12, 1, 4));
      let got: Uint8Array | string;
      try {
        got = bytesOf(engine.pipeline.decodeChunk(damaged, pipeline, { dtype: 'float32', count: data.length / 4 }));
      } catch (err) {
        got = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
      }
      if (reference === null || reference.length !== data.length) expect(['TRUNCATED', 'CORRUPT'], `bit ${bit}`).toContain(got);
      else expect(typeof got === 'string' ? got : equalBytes(got, reference), `bit ${bit}`).toBe(true);
    }
  });

  const BAD_PARAMETERS: [string, Record<string, unknown>][] = [
    ['groups 3', { codec: 'regroup', groups: 3, channels: 4, run: 1 }],
    ['groups 32', { codec: 'regroup', groups: 32, channels: 4, run: 1 }],
    ['channels 0', { codec: 'regroup', groups: 2, channels: 0, run: 1 }],
    ['channels 65,537', { codec: 'regroup', groups: 2, channels: 65537, run: 1 }],
    ['run 0', { codec: 'regroup', groups: 2, channels: 4, run: 0 }],
    ['run 2^31', { codec: 'regroup', groups: 2, channels: 4, run: 2 ** 31 }],
    ['run 1.5', { codec: 'regroup', groups: 2, channels: 4, run: 1.5 }],
    ['run "1"', { codec: 'regroup', groups: 2, channels: 4, run: '1' }],
    ['no channels', { codec: 'regroup', groups: 2, run: 1 }],
    ['an unknown parameter', { codec: 'regroup', groups: 2, channels: 4, run: 1, width: 1 }],
  ];
  it.each(BAD_PARAMETERS)('an index whose regroup stage has %s is CORRUPT at open', async (_name, stage) => {
    const stored = new Uint8Array(64);
    const file = fileOf(64, 64, [stage as PipelineStage], [stored]);
    await expect(engine.open(file)).rejects.toMatchObject({ name: 'TensorzipError', code: 'CORRUPT' });
  });
});

describe('pack() and the regroup stage', () => {
  // HWIO convolution codes whose output channels (the last axis) differ in spread.
  const codes = channelCodes(3 * 3 * 32 * 64, 64, 1, 3);
  const tensor = { dtype: 'uint8' as const, shape: [3, 3, 32, 64], data: codes };

  it.each(BUILDS)('regroups the channels where that is smallest, with the same bytes from both builds (%s decoding)', async (_, engine) => {
    const file = await simdEngine.pack({ w: tensor }, { quantize: 'lossless' });
    expect(equalBytes(file, await scalarEngine.pack({ w: tensor }, { quantize: 'lossless' }))).toBe(true);
    const archive = await engine.open(file);
    const info = archive.tensors[0];
    expect(info.pipeline[0]).toMatchObject({ codec: 'regroup', channels: 64, run: 1 });
    const oneCode = engine.pipeline.encodeChunk(codes, [{ codec: 'huffman', planes: 1 }]).length;
    expect(info.encodedBytes).toBe(engine.pipeline.encodeChunk(codes, info.pipeline).length);
    expect(info.encodedBytes).toBeLessThan(oneCode);
    expect(equalBytes(bytesOf((await archive.get('w')).data), codes)).toBe(true);
  });

  it('keeps one code for a one-axis tensor (its elements are no channels)', async () => {
    const archive = await simdEngine.open(await simdEngine.pack({ v: { dtype: 'uint8', shape: [codes.length], data: codes } }, { quantize: 'lossless' }));
    expect(archive.tensors[0].pipeline.map((s) => s.codec)).not.toContain('regroup');
  });
});
