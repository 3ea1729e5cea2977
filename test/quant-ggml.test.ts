import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes, hexBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import {
  referenceDecodeQ4_0, referenceDecodeQ4_1, referenceDecodeQ4_K, referenceDecodeQ8_0,
  referenceEncodeQ4_0, referenceEncodeQ4_1, referenceEncodeQ8_0,
} from './reference/ggml';

const bytesOf = (x: Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
const sameFloats = (a: Float32Array, b: Float32Array) => equalBytes(bytesOf(a), bytesOf(b));

/** Blocks of several kinds: gaussian-ish weights, all zeros, one outlier, ties for the extreme, tiny values. */
function blocksOfValues(blocks: number, seed: number): Float32Array {
  const next = random(seed);
  const x = new Float32Array(blocks * 32);
  for (let b = 0; b < blocks; b++) {
    const v = x.subarray(b * 32, b * 32 + 32);
    const kind = b % 6;
    for (let j = 0; j < 32; j++) {
      if (kind === 0) v[j] = (next() + next() + next() - 1.5) * 0.05;
      else if (kind === 1) v[j] = 0;
      else if (kind === 2) v[j] = j === 7 ? -3 : (next() - 0.5) * 0.01;
      else if (kind === 3) v[j] = j % 2 ? 1 : -1; // the first extreme wins Q4_0's tie
      else if (kind === 4) v[j] = (next() - 0.5) * 1e-6;
      else v[j] = Math.round((next() - 0.5) * 16) / 8; // values on the grid: halfway cases
    }
  }
  return x;
}

/** Random block bytes with finite float16 scales (every code and nibble pattern). */
function randomBlocks(blocks: number, bytesPerBlock: number, halves: number, seed: number): Uint8Array {
  const next = random(seed);
  const bytes = Uint8Array.from({ length: blocks * bytesPerBlock }, () => (next() * 256) | 0);
  for (let b = 0; b < blocks; b++) {
    for (let h = 0; h < halves; h++) bytes[b * bytesPerBlock + 2 * h + 1] &= 0x7b; // exponent < 31: finite
  }
  return bytes;
}

const ENCODERS = [
  ['q8_0', referenceEncodeQ8_0, referenceDecodeQ8_0],
  ['q4_0', referenceEncodeQ4_0, referenceDecodeQ4_0],
  ['q4_1', referenceEncodeQ4_1, referenceDecodeQ4_1],
] as const;

describe.each(BUILDS)('GGML blocks (%s build)', (_, { quant }) => {
  for (const [dtype, encode, decode] of ENCODERS) {
    it(`${dtype}: encodes byte for byte as llama.cpp's reference quantizer, decodes as its dequantizer`, () => {
      const x = blocksOfValues(600, 21);
      const q = quant.quantize(x, { dtype, shape: [300, 64] });
      expect(q).toMatchObject({ dtype, shape: [300, 64], scale: null, zeroPoint: null, axis: 1, blockSize: 32 });
      expect(equalBytes(q.data as Uint8Array, encode(x))).toBe(true);
      expect(sameFloats(quant.dequantize(q), decode(encode(x)))).toBe(true);
    });
  }

  it('decodes arbitrary blocks exactly as the reference (all nibble and code patterns)', () => {
    const cases = [
      ['q8_0', 34, 1, referenceDecodeQ8_0], ['q4_0', 18, 1, referenceDecodeQ4_0],
      ['q4_1', 20, 2, referenceDecodeQ4_1], ['q4_k', 144, 2, referenceDecodeQ4_K],
    ] as const;
    for (const [dtype, size, halves, decode] of cases) {
      const values = dtype === 'q4_k' ? 256 : 32;
      const data = randomBlocks(700, size, halves, 5);
      const y = quant.dequantize({ dtype, shape: [700 * values], data, scale: null, zeroPoint: null, axis: null, blockSize: null });
      expect(sameFloats(y, decode(data)), dtype).toBe(true);
    }
  });

  it('reads hand-built blocks', () => {
    const block = (dtype: 'q8_0' | 'q4_0' | 'q4_1' | 'q4_k', hex: string, values: number) =>
      Array.from(quant.dequantize({ dtype, shape: [values], data: hexBytes(hex), scale: null, zeroPoint: null, axis: null, blockSize: null }));
    // Q8_0: d = 0.5 (0x3800), codes −128, −1, 0, 1, 127, then zeros.
    expect(block('q8_0', '00 38 80 ff 00 01 7f' + ' 00'.repeat(27), 32).slice(0, 6)).toEqual([-64, -0.5, 0, 0.5, 63.5, 0]);
    // Q4_0: d = 2 (0x4000); byte j = j | (15 − j) << 4: element j is (j − 8)·2, element j + 16 is (7 − j)·2.
    const q40 = Array.from({ length: 16 }, (_, j) => (j | ((15 - j) << 4)).toString(16).padStart(2, '0')).join(' ');
    expect(block('q4_0', '00 40 ' + q40, 32)).toEqual([
      ...Array.from({ length: 16 }, (_, j) => (j - 8) * 2), ...Array.from({ length: 16 }, (_, j) => (7 - j) * 2)]);
    // Q4_1: d = 0.25 (0x3400), m = −1 (0xBC00); all bytes 0xF3: low nibble 3, high 15.
    expect(block('q4_1', '00 34 00 bc' + ' f3'.repeat(16), 32)).toEqual([...new Array(16).fill(-0.25), ...new Array(16).fill(2.75)]);
    // Q4_K: d = 1, dmin = 0.5. Sub-block j < 4: scale scales[j] & 63, min scales[j+4] & 63. Sub-block j ≥ 4: scale =
    // low nibble of scales[j+4] | (scales[j−4] >> 6) << 4, min = high nibble of scales[j+4] | (scales[j] >> 6) << 4.
    // With the bytes below: (scale, min) = (1, 5), (2, 6), (3, 7), (4, 8), (1 | 16, 2 | 32), (3, 4), …
    const scales = '41 02 03 04 85 06 07 08 21 43 65 87';
    // Chunk c (64 values) reads qs[32c..32c+31]: low nibbles → sub-block 2c, high nibbles → sub-block 2c+1.
    const qs = Array.from({ length: 128 }, (_, i) => (i < 32 ? '21' : i >= 64 && i < 96 ? '13' : '00')).join(' ');
    const k = block('q4_k', '00 3c 00 38 ' + scales + ' ' + qs, 256);
    expect(k[0]).toBe(1 * 1 - 0.5 * 5);
    expect(k[32]).toBe(2 * 2 - 0.5 * 6);
    expect(k[64]).toBe(3 * 0 - 0.5 * 7);
    expect(k[96]).toBe(4 * 0 - 0.5 * 8);
    expect(k[128]).toBe(17 * 3 - 0.5 * 34);
    expect(k[160]).toBe(3 * 1 - 0.5 * 4);
  });

  it('refuses what cannot be read or written', () => {
    const data = new Uint8Array(18 * 4);
    const q = { dtype: 'q4_0' as const, shape: [128], data, scale: null, zeroPoint: null, axis: null, blockSize: null };
    expect(quant.dequantize(q).every((v) => v === 0)).toBe(true);
    expectError(() => quant.dequantize({ ...q, data: data.subarray(1) }), 'TRUNCATED');
    expectError(() => quant.dequantize({ ...q, data: new Uint8Array(18 * 5) }), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, shape: [4, 33] }), 'ARGUMENT');
    const inf = data.slice();
    inf[18 * 2 + 1] = 0x7c; // block 2's scale: +Inf
    expect(expectError(() => quant.dequantize({ ...q, data: inf }), 'CORRUPT').message).toMatch(/Inf or NaN/);
    const nan = new Uint8Array(144);
    nan[3] = 0x7e; // Q4_K dmin: NaN
    expectError(() => quant.dequantize({ ...q, dtype: 'q4_k', shape: [256], data: nan }), 'CORRUPT');
    expectError(() => quant.quantize(new Float32Array(256), { dtype: 'q4_k' }), 'UNSUPPORTED');
    expectError(() => quant.quantize(new Float32Array(48), { dtype: 'q8_0' }), 'ARGUMENT');
    expectError(() => quant.quantize(new Float32Array(32).fill(1e6), { dtype: 'q4_0' }), 'ARGUMENT'); // d = 125000 overflows float16
    expectError(() => quant.quantize(new Float32Array(32).fill(NaN), { dtype: 'q8_0' }), 'ARGUMENT');
  });
});

it('GGML: both builds write and read identical bytes', () => {
  const x = blocksOfValues(300, 8);
  for (const dtype of ['q8_0', 'q4_0', 'q4_1'] as const) {
    const a = simdEngine.quant.quantize(x, { dtype });
    const b = scalarEngine.quant.quantize(x, { dtype });
    expect(equalBytes(a.data as Uint8Array, b.data as Uint8Array), dtype).toBe(true);
    expect(sameFloats(simdEngine.quant.dequantize(a), scalarEngine.quant.dequantize(a)), dtype).toBe(true);
  }
});
