import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { QuantizedTensor, QuantizeOptions } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { referenceDequantize, referencePack4, referenceQuantize, referenceScaleIndex, referenceUnpack4 } from './reference/affine';

const RANGES = { int8: [-128, 127], uint8: [0, 255], int4: [-8, 7], uint4: [0, 15] } as const;
type AffineDtype = keyof typeof RANGES;
const DTYPES = Object.keys(RANGES) as AffineDtype[];

/** Weights-like values with a different spread per index, an all-zero stretch and a constant stretch. */
function values(count: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, (_, i) => {
    if (i % 97 < 5) return 0;
    if (i % 89 < 3) return 0.25;
    return (next() - 0.4) * (1 + (i % 7)) * 0.1;
  });
}

const LAYOUTS: { shape: number[]; axis?: number; blockSize?: number }[] = [
  { shape: [1000] },
  { shape: [33] },
  { shape: [5, 7, 3], axis: 0 },
  { shape: [5, 7, 3], axis: 1 },
  { shape: [5, 7, 3], axis: 2 },
  { shape: [5, 7, 3], axis: -1 },
  { shape: [48, 40], axis: 0 },
  { shape: [40, 48], axis: 1 },
  { shape: [64, 48], blockSize: 16 },
  { shape: [64, 48], axis: 0, blockSize: 32 },
  { shape: [4, 12, 5], axis: 1, blockSize: 4 },
  { shape: [3, 1, 2, 50], axis: 3, blockSize: 25 },
  { shape: [20001] , blockSize: 59 },
  { shape: [70000] },
  { shape: [3, 40000], axis: 1 },
  // More parameters than the engine stages at once: a window of them per chunk.
  { shape: [300000], blockSize: 2 },
  { shape: [4, 70001], axis: 0, blockSize: 2 },
];

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const nextFloat = (x: number) => ((f32[0] = x), u32[0]++, f32[0]);

/** Scales and zero points as the documented rules give them, from each group's range (zero included). */
function expectedParams(x: Float32Array, q: QuantizedTensor, dtype: AffineDtype, symmetric: boolean) {
  const count = q.scale!.length;
  const low = new Array(count).fill(0), high = new Array(count).fill(0);
  x.forEach((v, i) => {
    const s = referenceScaleIndex(q.shape, i, q.axis, q.blockSize);
    low[s] = Math.min(low[s], v);
    high[s] = Math.max(high[s], v);
  });
  const [qmin, qmax] = RANGES[dtype];
  const symRange = dtype.endsWith('4') ? 7 : 127;
  const scale = low.map((l, s) => {
    const extent = symmetric ? Math.max(-l, high[s]) : high[s] - l;
    const span = symmetric ? symRange : qmax - qmin;
    if (extent === 0) return 1;
    const nearest = Math.fround(extent / span);
    return nearest * span < extent ? nextFloat(nearest) : nearest; // rounded up when nearest would not cover
  });
  const zeroPoint = low.map((l, s) => {
    if (symmetric) return qmin < 0 ? 0 : (qmax + 1) / 2;
    const z = qmin - l / scale[s];
    const r = Math.abs(z - Math.trunc(z)) === 0.5 ? 2 * Math.round(z / 2) : Math.round(z);
    return Math.min(qmax, Math.max(qmin, r)) + 0; // + 0: no −0
  });
  return { scale, zeroPoint };
}

/** Index of the first element where `a` and `b` differ (Object.is), or −1. Cheap on long arrays, unlike toEqual. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function codesOf(q: QuantizedTensor, count: number): number[] {
  const dtype = q.dtype as AffineDtype;
  return dtype.endsWith('4') ? referenceUnpack4(q.data as Uint8Array, count, dtype === 'int4') : Array.from(q.data as Int8Array);
}

describe.each(BUILDS)('affine quantization (%s build)', (_, { quant }) => {
  for (const dtype of DTYPES) {
    for (const symmetric of [true, false]) {
      it(`${dtype} ${symmetric ? 'symmetric' : 'asymmetric'}: params, codes, packing and dequantization match the ONNX reference`, () => {
        LAYOUTS.forEach((layout, n) => {
          const size = layout.shape.reduce((a, b) => a * b, 1);
          const x = values(size, 10 + n);
          const q = quant.quantize(x, { dtype, symmetric, ...layout });
          const where = `${JSON.stringify(layout)}`;
          expect(q.dtype).toBe(dtype);
          expect(q.shape).toEqual(layout.shape);
          expect(q.data).toBeInstanceOf(dtype === 'int8' ? Int8Array : Uint8Array);
          const { scale, zeroPoint } = expectedParams(x, q, dtype, symmetric);
          expect(firstDifference(q.scale!, scale), `${where} scale`).toBe(-1);
          if (symmetric && dtype.startsWith('int')) expect(q.zeroPoint, where).toBeNull();
          else expect(firstDifference(q.zeroPoint!, zeroPoint), `${where} zero point`).toBe(-1);
          const params = { shape: layout.shape, scale, zeroPoint, axis: q.axis, blockSize: q.blockSize };
          const [qmin, qmax] = RANGES[dtype];
          const expected = referenceQuantize(x, params, qmin, qmax);
          const codes = codesOf(q, size);
          expect(firstDifference(codes, expected), `${where} codes`).toBe(-1);
          if (dtype.endsWith('4')) expect(equalBytes(q.data as Uint8Array, referencePack4(expected)), where).toBe(true);
          const restored = quant.dequantize(q);
          const reference = referenceDequantize(expected, params);
          expect(equalBytes(new Uint8Array(restored.buffer), new Uint8Array(reference.buffer)), where).toBe(true);
        });
      });
    }
  }

  it('reports max |error|, RMSE and SQNR of the reconstruction', () => {
    const x = values(5000, 3);
    const q = quant.quantize(x, { dtype: 'int4', blockSize: 50 });
    const back = quant.dequantize(q);
    let max = 0, noise = 0, signal = 0;
    x.forEach((v, i) => { const e = v - back[i]; max = Math.max(max, Math.abs(e)); noise += e * e; signal += v * v; });
    expect(q.stats.maxAbsError).toBe(max);
    expect(q.stats.rmse).toBeCloseTo(Math.sqrt(noise / x.length), 12);
    expect(q.stats.sqnrDb).toBeCloseTo(10 * Math.log10(signal / noise), 9);
  });

  it('per-axis and per-block axis and blockSize are reported as given (axis normalized)', () => {
    const x = values(5 * 7 * 3, 4);
    expect(quant.quantize(x, { dtype: 'int8' })).toMatchObject({ axis: null, blockSize: null });
    expect(quant.quantize(x, { dtype: 'int8', shape: [5, 7, 3], axis: -2 })).toMatchObject({ axis: 1, blockSize: null });
    const blocked = quant.quantize(x, { dtype: 'int8', shape: [5, 7, 3], blockSize: 3 });
    expect(blocked).toMatchObject({ axis: 2, blockSize: 3 });
    expect(blocked.scale!.length).toBe(35);
  });

  it('decodes the ONNX DequantizeLinear example (uint8, scale 2, zero point 128)', () => {
    const y = quant.dequantize({ dtype: 'uint8', shape: [4], data: Uint8Array.of(0, 3, 128, 255), scale: Float32Array.of(2),
      zeroPoint: Uint8Array.of(128), axis: null, blockSize: null });
    expect(Array.from(y)).toEqual([-256, -250, 0, 254]);
  });

  it('uint8 asymmetric matches the ONNX DynamicQuantizeLinear example', () => {
    const q = quant.quantize(Float32Array.of(0, 2, -3, -2.5, 1.34, 0.5), { dtype: 'uint8' });
    expect(q.scale![0]).toBe(Math.fround(0.0196078438));
    expect(Array.from(q.zeroPoint!)).toEqual([153]);
    expect(Array.from(q.data)).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it('keeps zero and constant channels finite: an all-zero channel gets scale 1 and comes back exact', () => {
    const x = new Float32Array(4 * 40);
    x.fill(0.5, 40, 80);   // constant channel
    x.fill(-3, 80, 120);   // constant negative channel
    for (let i = 120; i < 160; i++) x[i] = i / 100;
    for (const dtype of DTYPES) {
      const q = quant.quantize(x, { dtype, shape: [4, 40], axis: 0 });
      const back = quant.dequantize(q);
      expect(q.scale![0], dtype).toBe(1);
      expect(Array.from(back.subarray(0, 40)), dtype).toEqual(new Array(40).fill(0));
      back.forEach((v, i) => expect(Math.abs(v - x[i]), `${dtype} ${i}`).toBeLessThanOrEqual(q.scale![i / 40 | 0] / 2 + Math.abs(x[i]) * 2 ** -23));
    }
  });

  it('handles empty tensors', () => {
    const q = quant.quantize(new Float32Array(0), { dtype: 'int4', shape: [0, 32], axis: 1 });
    expect(q.data.length).toBe(0);
    expect(q.scale!.length).toBe(32);
    expect(quant.dequantize(q).length).toBe(0);
  });

  it('writes into the given output array', () => {
    const x = values(300, 5);
    const q = quant.quantize(x, { dtype: 'uint8', shape: [3, 100], axis: 0 });
    const out = new Float32Array(300);
    expect(quant.dequantize(q, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(quant.dequantize(q)));
  });

  it('refuses an output array that shares bytes with the codes (int8 and GGML blocks)', () => {
    const x = values(4096, 8);
    for (const dtype of ['int8', 'q8_0'] as const) {
      const q = quant.quantize(x, { dtype, shape: [4, 1024] });
      const codes = q.data as Uint8Array;
      const shared = new ArrayBuffer(4 * 4096 + codes.byteLength);
      const inside = new (codes.constructor as Uint8ArrayConstructor)(shared, 4 * 4096, codes.length);
      inside.set(codes);
      expectError(() => quant.dequantize({ ...q, data: inside }, new Float32Array(shared, 16, 4096)), 'ARGUMENT');
      const out = new Float32Array(shared, 0, 4096);
      expect(Array.from(quant.dequantize({ ...q, data: inside }, out))).toEqual(Array.from(quant.dequantize(q)));
    }
  });
});

describe('affine quantization: properties', () => {
  const layoutArb = fc
    .record({
      dims: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
      axisPick: fc.nat(),
      mode: fc.constantFrom('tensor', 'axis', 'block'),
      dtype: fc.constantFrom(...DTYPES),
      symmetric: fc.boolean(),
      scale: fc.constantFrom(1e-30, 1e-3, 1, 1e6, 1e30),
      seed: fc.nat(),
    });

  it('|x − dequantize(quantize(x))| ≤ scale / 2 for every element, in every layout', () => {
    fc.assert(
      fc.property(layoutArb, ({ dims, axisPick, mode, dtype, symmetric, scale, seed }) => {
        const size = dims.reduce((a, b) => a * b, 1);
        const next = random(seed);
        const x = Float32Array.from({ length: size }, () => (next() - 0.5) * scale);
        const axis = axisPick % dims.length;
        const divisors = Array.from({ length: dims[axis] }, (_, i) => i + 1).filter((b) => dims[axis] % b === 0);
        const options: QuantizeOptions = { dtype, symmetric, shape: dims };
        if (mode !== 'tensor') options.axis = axis;
        if (mode === 'block') options.blockSize = divisors[seed % divisors.length];
        const q = simdEngine.quant.quantize(x, options);
        const back = simdEngine.quant.dequantize(q);
        for (let i = 0; i < size; i++) {
          const s = q.scale![referenceScaleIndex(dims, i, q.axis, q.blockSize)];
          // Half a step, plus the float32 rounding of (q − z)·s itself.
          const bound = s / 2 + Math.abs(x[i]) * 2 ** -23;
          if (!(Math.abs(back[i] - x[i]) <= bound)) return false;
        }
        const other = scalarEngine.quant.quantize(x, options);
        return equalBytes(new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength),
          new Uint8Array(other.data.buffer, other.data.byteOffset, other.data.byteLength))
          && JSON.stringify(q.stats) === JSON.stringify(other.stats);
      }),
      { numRuns: 300 },
    );
  });
});

describe('affine quantization: bad input', () => {
  const { quant } = simdEngine;
  const ok = new Float32Array(12).fill(1);

  it('refuses NaN and ±Inf', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = ok.slice();
      x[7] = bad;
      expect(expectError(() => quant.quantize(x, { dtype: 'int8' }), 'ARGUMENT').message).toMatch(/element 7/);
    }
  });

  it('refuses a shape that does not match, an axis out of range, a block size that does not divide', () => {
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [5, 2] }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, -4] }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, 4], axis: 2 }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, 4], axis: -3 }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, 4], axis: 0.5 }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, 4], blockSize: 3 }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'int8', shape: [3, 4], blockSize: 0 }), 'ARGUMENT');
  });

  it('refuses unknown dtypes, non-Float32Array data and affine options on other types', () => {
    expectError(() => quant.quantize(ok, { dtype: 'int3' as never }), 'ARGUMENT');
    expectError(() => quant.quantize(new Float64Array(12) as never, { dtype: 'int8' }), 'ARGUMENT');
    expectError(() => quant.quantize(ok, undefined as never), 'ARGUMENT');
    expectError(() => quant.quantize(ok, { dtype: 'float16', axis: 0 }), 'ARGUMENT');
  });

  it('dequantize refuses scales that are 0, negative, NaN or Inf, and zero points or lengths that do not fit', () => {
    const q = quant.quantize(ok, { dtype: 'int4', shape: [3, 4], axis: 0 });
    for (const bad of [0, -1, NaN, Infinity]) {
      expectError(() => quant.dequantize({ ...q, scale: Float32Array.of(1, bad, 1) }), 'ARGUMENT');
    }
    expectError(() => quant.dequantize({ ...q, scale: Float32Array.of(1, 1) }), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, zeroPoint: Int8Array.of(0, 9, 0) }), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, zeroPoint: Uint8Array.of(0, 0, 0) }), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, data: new Uint8Array(5) }), 'TRUNCATED');
    expectError(() => quant.dequantize({ ...q, data: new Uint8Array(7) }), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, shape: [4, 4] }), 'TRUNCATED');
    expectError(() => quant.dequantize(q, new Float32Array(11)), 'ARGUMENT');
    expectError(() => quant.dequantize({ ...q, dtype: 'int8' }), 'ARGUMENT');
  });
});
