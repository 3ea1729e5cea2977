import { describe, expect, it } from 'vitest';
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { BUILDS, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { bitsOf, floatOf, referenceDecodeFloat16, referenceEncodeBfloat16, referenceEncodeFloat16 } from './reference/float16';

const ALL_CODES = Uint16Array.from({ length: 65536 }, (_, i) => i);
const bitsArray = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);

/** Random float32 bit patterns of every kind (normal, subnormal, huge, NaN) plus values near float16's range. */
function testFloats(count: number, seed: number): Float32Array {
  const next = random(seed);
  const out = new Float32Array(count);
  const bits = bitsArray(out);
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) bits[i] = (next() * 2 ** 32) >>> 0;
    else if (i % 3 === 1) out[i] = (next() - 0.5) * 2 ** (Math.floor(next() * 44) - 26); // 2^-27 .. 2^17
    else out[i] = (next() - 0.5) * 2 ** Math.floor(next() * 18);
  }
  return out;
}

/** Values where rounding decides: extremes, halfway points, subnormal edges. */
const BOUNDARIES = [0, -0, 1, -1, 65504, 65519, 65519.99, 65520, 65536, 1e10, -65520, Infinity, -Infinity,
  2 ** -14, 2 ** -14 - 2 ** -25, 2 ** -14 - 2 ** -24, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 2 ** -26, 3 * 2 ** -25,
  5 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -10, 2048 + 1, 2048 + 3, 1 / 3, Math.PI, 1e-8, 6.1e-5,
  NaN, floatOf(0x7f800001), floatOf(0xffc00000), floatOf(0x7fbfffff)];

describe.each(BUILDS)('float16 (%s build)', (_, { quant }) => {
  it('decodes all 65,536 codes exactly (subnormals, ±Inf, NaN payloads)', () => {
    const bits = bitsArray(quant.decodeFloat16(ALL_CODES));
    for (let h = 0; h < 65536; h++) if (bits[h] !== referenceDecodeFloat16(h) >>> 0) expect(bits[h], `code ${h}`).toBe(referenceDecodeFloat16(h) >>> 0);
  });

  it('decodes every code exactly when ordinary and rare codes (subnormal, smallest normal, Inf, NaN) share a block', () => {
    // Blocks with only ordinary codes take a shortcut; shuffled, nearly every block mixes both kinds, at every
    // position in the block.
    const next = random(5);
    const shuffled = ALL_CODES.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const bits = bitsArray(quant.decodeFloat16(shuffled));
    for (let i = 0; i < 65536; i++) {
      const expected = referenceDecodeFloat16(shuffled[i]) >>> 0;
      if (bits[i] !== expected) expect(bits[i], `code ${shuffled[i]} at ${i}`).toBe(expected);
    }
  });

  it('encodes every float16 value back to its own code (NaNs become quiet NaNs)', () => {
    const codes = quant.encodeFloat16(quant.decodeFloat16(ALL_CODES));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      expect(codes[h], `code ${h}`).toBe(isNaN ? h | 0x200 : h);
    }
  });

  it('rounds boundary values to nearest even, as the reference does', () => {
    const values = Float32Array.from(BOUNDARIES);
    const codes = quant.encodeFloat16(values);
    const bits = bitsArray(values);
    for (let i = 0; i < values.length; i++) expect(codes[i], `value ${values[i]}`).toBe(referenceEncodeFloat16(bits[i]));
    expect([...quant.encodeFloat16(Float32Array.of(65504, 65519, 65520, 2 ** -24, 2 ** -25))]).toEqual([0x7bff, 0x7bff, 0x7c00, 1, 0]);
  });

  it('encodes 200,000 random floats as the reference and @petamoriken/float16 do', () => {
    const values = testFloats(200_000, 11);
    const codes = quant.encodeFloat16(values);
    const bits = bitsArray(values);
    const view = new DataView(new ArrayBuffer(2));
    for (let i = 0; i < values.length; i++) {
      const expected = referenceEncodeFloat16(bits[i]);
      if (codes[i] !== expected) expect(codes[i], `bits 0x${bits[i].toString(16)}`).toBe(expected);
      if (!Number.isNaN(values[i])) {
        setFloat16(view, 0, values[i]);
        if (codes[i] !== view.getUint16(0)) expect(codes[i], `peer, value ${values[i]}`).toBe(view.getUint16(0));
      }
    }
  });

  it('decodes as @petamoriken/float16 does', () => {
    const values = quant.decodeFloat16(ALL_CODES);
    const view = new DataView(new ArrayBuffer(2));
    for (let h = 0; h < 65536; h++) {
      view.setUint16(0, h);
      const peer = getFloat16(view, 0);
      if (!Object.is(values[h], peer) && !(Number.isNaN(peer) && Number.isNaN(values[h]))) expect(values[h], `code ${h}`).toBe(peer);
    }
  });

  it('handles every length around the SIMD width, and subarrays', () => {
    const values = testFloats(300, 12);
    for (let n = 0; n <= 40; n++) {
      const part = values.subarray(3, 3 + n);
      const codes = quant.encodeFloat16(part);
      expect(codes.length).toBe(n);
      for (let i = 0; i < n; i++) expect(codes[i]).toBe(referenceEncodeFloat16(bitsOf(part[i])));
      const back = quant.decodeFloat16(codes);
      for (let i = 0; i < n; i++) expect(bitsOf(back[i])).toBe(referenceDecodeFloat16(codes[i]) >>> 0);
    }
  });

  it('refuses the wrong array types with ARGUMENT', () => {
    expectError(() => quant.encodeFloat16(new Float64Array(2) as unknown as Float32Array), 'ARGUMENT');
    expectError(() => quant.decodeFloat16(new Int16Array(2) as unknown as Uint16Array), 'ARGUMENT');
    expectError(() => quant.encodeBfloat16([1, 2] as unknown as Float32Array), 'ARGUMENT');
  });

  it('decodes into an `out` array when given one of the same length, and refuses any other', () => {
    for (const decode of [quant.decodeFloat16, quant.decodeBfloat16]) {
      const out = new Float32Array(70_000).fill(7);
      const codes = Uint16Array.from({ length: 70_000 }, (_, i) => (i * 40503) & 0xffff);
      expect(decode(codes, out)).toBe(out);
      const expected = bitsArray(decode(codes));
      const found = bitsArray(out);
      for (let i = 0; i < codes.length; i++) if (found[i] !== expected[i]) expect(found[i], `element ${i}`).toBe(expected[i]);
      expect(expectError(() => decode(codes, new Float32Array(69_999)), 'ARGUMENT').message).toMatch(/out: expected 70000 elements, found 69999/);
      expectError(() => decode(codes, new Float64Array(70_000) as unknown as Float32Array), 'ARGUMENT');
      // In one buffer: an output over the codes would overwrite codes that later chunks read.
      const shared = new ArrayBuffer(6 * 70_000);
      const inside = new Uint16Array(shared, 4 * 70_000, 70_000);
      inside.set(codes);
      expect(expectError(() => decode(inside, new Float32Array(shared, 4, 70_000)), 'ARGUMENT').message).toMatch(/shares bytes/);
      expect(bitsArray(decode(inside, new Float32Array(shared, 0, 70_000)))).toEqual(expected);
    }
  });
});

describe.each(BUILDS)('bfloat16 (%s build)', (_, { quant }) => {
  it('decodes all 65,536 codes exactly: the top half of the float32 bits', () => {
    const bits = bitsArray(quant.decodeBfloat16(ALL_CODES));
    for (let h = 0; h < 65536; h++) if (bits[h] !== (h << 16) >>> 0) expect(bits[h]).toBe((h << 16) >>> 0);
  });

  it('encodes boundary and random floats as the reference does (nearest even, NaN stays NaN)', () => {
    const values = Float32Array.from([...BOUNDARIES, floatOf(0x7f7fffff), floatOf(0x3f808000), floatOf(0x3f818000),
      floatOf(0x3f807fff), floatOf(0x7f7f8000), ...testFloats(200_000, 13)]);
    const codes = quant.encodeBfloat16(values);
    const bits = bitsArray(values);
    for (let i = 0; i < values.length; i++) {
      const expected = referenceEncodeBfloat16(bits[i]);
      if (codes[i] !== expected) expect(codes[i], `bits 0x${bits[i].toString(16)}`).toBe(expected);
    }
    expect([...quant.encodeBfloat16(Float32Array.of(1, floatOf(0x3f808000), floatOf(0x3f818000)))]).toEqual([0x3f80, 0x3f80, 0x3f82]);
  });
});

describe('SIMD and scalar 16-bit floats', () => {
  it('produce identical codes and values', () => {
    const values = testFloats(100_003, 14);
    expect(simdEngine.quant.encodeFloat16(values)).toEqual(scalarEngine.quant.encodeFloat16(values));
    expect(simdEngine.quant.encodeBfloat16(values)).toEqual(scalarEngine.quant.encodeBfloat16(values));
    const a = new Uint32Array(simdEngine.quant.decodeFloat16(ALL_CODES).buffer);
    const b = new Uint32Array(scalarEngine.quant.decodeFloat16(ALL_CODES).buffer);
    expect(a).toEqual(b);
  });
});
