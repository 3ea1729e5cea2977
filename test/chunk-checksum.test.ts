// A chunk's checksum (ChunkTarget.checksum) is the xxh32 of its bytes however the decoder computes it: the Huffman
// loop hashes the chunk as it decodes it in SIMD builds (assembly/side_hash.ts), the rest is hashed after. Checked here
// against the reference xxh32 for chunks shorter than one 16-byte stripe, around it, and long enough that the loop
// hashes part or all of them, through one block and through 4 planes; a wrong checksum is CHECKSUM with `out` untouched.
import { describe, expect, it } from 'vitest';
import type { PipelineStage } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { referenceXxh32 } from './reference/xxh32';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const PIPELINES: PipelineStage[][] = [
  [{ codec: 'huffman', planes: 1 }],
  [{ codec: 'shuffle', typesize: 4 }, { codec: 'huffman', planes: 4 }],
  [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }],
  [],
];
const COUNTS = [1, 3, 4, 5, 17, 100, 1000, 4096, 65_536];

describe.each(BUILDS)('chunk checksums (%s build)', (_, { pipeline }) => {
  const next = random(23);
  // Weights around 0.05: the exponent byte is peaked (huffman), the low bytes near uniform (raw blocks).
  const values = Float32Array.from({ length: COUNTS[COUNTS.length - 1] }, () => (next() + next() + next() - 1.5) * 0.05);

  it.each(PIPELINES.map((p) => [p.map((s) => s.codec).join('+') || 'none', p] as const))('%s: the reference xxh32 passes, any other is CHECKSUM', (_name, stages) => {
    for (const count of COUNTS) {
      const data = values.subarray(0, count);
      const encoded = pipeline.encodeChunk(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [...stages]);
      const sum = referenceXxh32(encoded);
      const out = new Float32Array(count);
      pipeline.decodeChunk(encoded, [...stages], { dtype: 'float32', count, out, checksum: sum });
      expect(equalBytes(bytesOf(out), bytesOf(data)), `${count} values`).toBe(true);
      out.fill(7);
      let err: unknown;
      try {
        pipeline.decodeChunk(encoded, [...stages], { dtype: 'float32', count, out, checksum: (sum ^ (1 << (count % 32))) >>> 0 });
      } catch (e) {
        err = e;
      }
      expect(err, `${count} values`).toMatchObject({ name: 'TensorzipError', code: 'CHECKSUM' });
      expect(out.every((v) => v === 7), `${count} values: out untouched`).toBe(true);
    }
  });
});

describe.each(BUILDS)('a chunk with no stage (%s build)', (_, { pipeline }) => {
  const values = Float32Array.from({ length: 9 }, (_, i) => i / 3);
  const encoded = new Uint8Array(values.buffer);
  const sum = referenceXxh32(encoded);

  it('is checked before its length: a wrong checksum is CHECKSUM, a right one on a chunk too long is CORRUPT', () => {
    const out = new Float32Array(8).fill(7);
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'no error';
    };
    expect(codeOf(() => pipeline.decodeChunk(encoded, [], { dtype: 'float32', count: 8, out, checksum: (sum ^ 1) >>> 0 }))).toBe('CHECKSUM');
    expect(codeOf(() => pipeline.decodeChunk(encoded, [], { dtype: 'float32', count: 8, out, checksum: sum }))).toBe('CORRUPT');
    expect(out.every((v) => v === 7)).toBe(true);
    expect(pipeline.decodeChunk(encoded, [], { dtype: 'float32', count: 9, checksum: sum })).toEqual(values);
  });
});
