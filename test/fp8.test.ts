import { describe, expect, it } from 'vitest';
import { BUILDS, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { E4M3FN, E5M2, maxCode, referenceDecodeFp8, referenceEncodeFp8, type Fp8Format } from './reference/fp8';

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Values across and beyond each format's range, with every kind of tie. */
function testValues(f: Fp8Format, seed: number): Float32Array {
  const next = random(seed);
  const values: number[] = [0, -0, Infinity, -Infinity, f.max, -f.max, f.max * 1.03, f.max * 1.07, f.max * 2, 1e30];
  for (let code = 0; code < 256; code++) {
    const v = referenceDecodeFp8(code, f);
    const w = referenceDecodeFp8(code + 1, f);
    if (Number.isFinite(v) && Number.isFinite(w) && (code & 0x7f) < maxCode(f)) values.push(v, (v + w) / 2, v + (w - v) * 0.49, v + (w - v) * 0.51);
  }
  for (let i = 0; i < 20_000; i++) values.push((next() - 0.5) * 2 ** (Math.floor(next() * 40) - (f.bias + f.mantissa + 4)));
  return Float32Array.from(values);
}

describe.each(BUILDS)('FP8 (%s build)', (_, { quant }) => {
  type Encode = (data: Float32Array, options?: { saturate?: boolean }) => Uint8Array;
  type Decode = (data: Uint8Array) => Float32Array;
  const formats: Record<string, [Fp8Format, Encode, Decode]> = {
    E4M3FN: [E4M3FN, quant.encodeFp8E4M3, quant.decodeFp8E4M3],
    E5M2: [E5M2, quant.encodeFp8E5M2, quant.decodeFp8E5M2],
  };

  it.each(Object.keys(formats))('%s decodes all 256 codes exactly', (name) => {
    const [f, , decode] = formats[name];
    const values = decode(ALL_CODES);
    for (let code = 0; code < 256; code++) {
      const expected = referenceDecodeFp8(code, f);
      if (Number.isNaN(expected)) expect(values[code], `code ${code}`).toBeNaN();
      else expect(Object.is(values[code], Math.fround(expected)), `code ${code}: ${values[code]} vs ${expected}`).toBe(true);
    }
  });

  it.each(Object.keys(formats))('%s decodes every code exactly in any order: normal blocks with zeros, and blocks mixing rare codes', (name) => {
    const [f, , decode] = formats[name];
    const next = random(17);
    const normals = [...ALL_CODES].filter((c) => { const v = Math.abs(referenceDecodeFp8(c, f)); return v === 0 || (v >= 2 ** (1 - f.bias) && Number.isFinite(v)); });
    const codes = Uint8Array.from({ length: 4096 }, (_, i) => i < 2048 ? normals[(next() * normals.length) | 0] : (next() * 256) | 0);
    const values = decode(codes);
    for (let i = 0; i < codes.length; i++) {
      const expected = referenceDecodeFp8(codes[i], f);
      if (Number.isNaN(expected)) expect(values[i], `code ${codes[i]}`).toBeNaN();
      else if (!Object.is(values[i], Math.fround(expected))) expect(values[i], `code ${codes[i]} at ${i}`).toBe(Math.fround(expected));
    }
  });

  it.each(Object.keys(formats))('%s encodes to the nearest code, ties to even, as ONNX Cast saturates (or not)', (name) => {
    const [f, encode] = formats[name];
    const values = testValues(f, f.bias);
    for (const saturate of [true, false]) {
      const codes = encode(values, { saturate });
      for (let i = 0; i < values.length; i++) {
        const expected = referenceEncodeFp8(values[i], f, saturate);
        if (codes[i] !== expected) expect(codes[i], `${values[i]} (saturate ${saturate})`).toBe(expected);
      }
    }
    const nan = encode(Float32Array.of(NaN, -NaN));
    for (const code of nan) expect(referenceDecodeFp8(code, f)).toBeNaN();
  });

  it.each(Object.keys(formats))('%s decodes into an `out` array of the same length, and refuses any other', (name) => {
    const decode = formats[name][2] as (data: Uint8Array, out?: Float32Array) => Float32Array;
    const out = new Float32Array(256).fill(7);
    expect(decode(ALL_CODES, out)).toBe(out);
    const expected = decode(ALL_CODES);
    for (let code = 0; code < 256; code++) expect(Object.is(out[code], expected[code]) || (Number.isNaN(out[code]) && Number.isNaN(expected[code])), `code ${code}`).toBe(true);
    expectError(() => decode(ALL_CODES, new Float32Array(255)), 'ARGUMENT');
  });

  it('matches the vectors in the research notes', () => {
    expect([...quant.decodeFp8E4M3(Uint8Array.of(0x01, 0x08, 0x38, 0x7e, 0xfe))]).toEqual([2 ** -9, 2 ** -6, 1, 448, -448]);
    expect(quant.decodeFp8E4M3(Uint8Array.of(0x7f))[0]).toBeNaN();
    expect([...quant.decodeFp8E5M2(Uint8Array.of(0x01, 0x3c, 0x7b, 0x7c))]).toEqual([2 ** -16, 1, 57344, Infinity]);
    expect(quant.decodeFp8E5M2(Uint8Array.of(0x7d))[0]).toBeNaN();
    expect([...quant.encodeFp8E4M3(Float32Array.of(1, 448, 464, 465, Infinity))]).toEqual([0x38, 0x7e, 0x7e, 0x7e, 0x7e]);
    expect([...quant.encodeFp8E4M3(Float32Array.of(465, Infinity), { saturate: false })]).toEqual([0x7f, 0x7f]);
    expect([...quant.encodeFp8E5M2(Float32Array.of(61440, Infinity), { saturate: false })]).toEqual([0x7c, 0x7c]);
  });

  it('round-trips every finite code, and handles lengths around the SIMD width', () => {
    for (const [f, encode, decode] of Object.values(formats)) {
      const finite = ALL_CODES.filter((c) => Number.isFinite(referenceDecodeFp8(c, f)));
      expect(encode(decode(finite))).toEqual(finite);
      for (let n = 0; n <= 40; n++) expect(encode(decode(finite.subarray(0, n)))).toEqual(finite.subarray(0, n));
    }
  });

  it('refuses the wrong array types with ARGUMENT', () => {
    expectError(() => quant.encodeFp8E4M3(new Float64Array(1) as unknown as Float32Array), 'ARGUMENT');
    expectError(() => quant.decodeFp8E5M2(new Int8Array(1) as unknown as Uint8Array), 'ARGUMENT');
  });
});

describe('SIMD and scalar FP8', () => {
  it('produce identical codes and values', () => {
    const values = testValues(E4M3FN, 3);
    expect(simdEngine.quant.encodeFp8E4M3(values)).toEqual(scalarEngine.quant.encodeFp8E4M3(values));
    expect(simdEngine.quant.encodeFp8E5M2(values, { saturate: false })).toEqual(scalarEngine.quant.encodeFp8E5M2(values, { saturate: false }));
    const codes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    expect(new Uint32Array(simdEngine.quant.decodeFp8E4M3(codes).buffer)).toEqual(new Uint32Array(scalarEngine.quant.decodeFp8E4M3(codes).buffer));
    expect(new Uint32Array(simdEngine.quant.decodeFp8E5M2(codes).buffer)).toEqual(new Uint32Array(scalarEngine.quant.decodeFp8E5M2(codes).buffer));
  });
});
