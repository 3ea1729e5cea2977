import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { referenceTfjsQuantize } from './reference/tfjs';

await tf.setBackend('cpu');

type Spec = Parameters<typeof tf.io.decodeWeights>[1][number];

/** What tfjs-core itself makes of the stored values of one weight. */
function tfjsDecode(data: Uint8Array | Uint16Array, quantization: NonNullable<Spec['quantization']>): Float32Array {
  const bytes = data.slice().buffer;
  const map = tf.io.decodeWeights(bytes, [{ name: 'w', shape: [data.length], dtype: 'float32', quantization }]);
  const values = map.w.dataSync() as Float32Array;
  map.w.dispose();
  return values;
}

const bits = (x: Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

function weights(count: number, seed: number, offset = 0): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () => (next() + next() - 1) * 0.08 + offset);
}

describe.each(BUILDS)('TF.js weights (%s build)', (_, { quant }) => {
  it('decodes uint8, uint16 and float16 bit for bit as tfjs-core decodeWeights does', () => {
    const next = random(9);
    const u8 = Uint8Array.from({ length: 5000 }, () => (next() * 256) | 0);
    const u16 = Uint16Array.from({ length: 5000 }, () => (next() * 65536) | 0);
    const f16 = Uint16Array.from({ length: 5000 }, (_, i) => (i < 2048 ? i * 31 : (next() * 65536) | 0) & 0xfbff); // finite codes
    for (const [min, scale] of [[-0.0627, 0.000491], [0.1, 1 / 3], [-1e-7, 1e-9], [-123.456, 0.9876543], [5, 1]]) {
      for (const [dtype, data] of [['uint8', u8], ['uint16', u16]] as const) {
        const ours = quant.decodeTfjsWeight(data, { dtype, min, scale });
        expect(equalBytes(bits(ours), bits(tfjsDecode(data, { dtype, min, scale }))), `${dtype} ${min} ${scale}`).toBe(true);
      }
    }
    expect(equalBytes(bits(quant.decodeTfjsWeight(f16, { dtype: 'float16' })), bits(tfjsDecode(f16, { dtype: 'float16' })))).toBe(true);
  });

  it('encodes as the converter does, and tfjs-core reads the result back within half a step', () => {
    for (const [seed, offset] of [[1, 0], [2, 0.5], [3, -0.5]]) {
      const x = weights(3001, seed, offset);
      for (const [dtype, qmax] of [['uint8', 255], ['uint16', 65535]] as const) {
        const { data, quantization } = quant.encodeTfjsWeight(x, dtype);
        const reference = referenceTfjsQuantize(x, qmax);
        expect(data).toBeInstanceOf(dtype === 'uint8' ? Uint8Array : Uint16Array);
        expect(quantization).toEqual({ dtype, min: reference.min, scale: reference.scale, original_dtype: 'float32' });
        expect(Array.from(data)).toEqual(reference.codes);
        const back = tfjsDecode(data, quantization);
        back.forEach((v, i) => expect(Math.abs(v - x[i])).toBeLessThanOrEqual(quantization.scale! / 2 + Math.abs(x[i]) * 2 ** -23));
      }
    }
  });

  it('encodes float16 as IEEE round-to-nearest-even, which tfjs-core reads back', () => {
    const x = weights(1000, 4);
    const { data, quantization } = quant.encodeTfjsWeight(x, 'float16');
    expect(quantization).toEqual({ dtype: 'float16', original_dtype: 'float32' });
    expect(Array.from(data)).toEqual(Array.from(quant.encodeFloat16(x)));
    expect(equalBytes(bits(tfjsDecode(data, quantization)), bits(quant.decodeFloat16(data as Uint16Array)))).toBe(true);
  });

  it('stores a constant tensor exactly (scale 1, min = the value)', () => {
    const x = new Float32Array(10).fill(-2.75);
    const { data, quantization } = quant.encodeTfjsWeight(x, 'uint8');
    expect(quantization).toMatchObject({ min: -2.75, scale: 1 });
    expect(Array.from(data)).toEqual(new Array(10).fill(0));
    expect(Array.from(tfjsDecode(data, quantization))).toEqual(Array.from(x));
  });

  it('writes into the given output array', () => {
    const out = new Float32Array(3);
    expect(quant.decodeTfjsWeight(Uint8Array.of(0, 1, 2), { dtype: 'uint8', min: 1, scale: 0.5 }, out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 1.5, 2]);
  });

  it('refuses what TF.js could not read or would fill with NaN', () => {
    const u8 = new Uint8Array(4);
    expectError(() => quant.decodeTfjsWeight(u8, { dtype: 'uint8', scale: 1 }), 'ARGUMENT');
    expectError(() => quant.decodeTfjsWeight(u8, { dtype: 'uint8', min: 0, scale: NaN }), 'ARGUMENT');
    expectError(() => quant.decodeTfjsWeight(u8, { dtype: 'int8' as never, min: 0, scale: 1 }), 'ARGUMENT');
    expectError(() => quant.decodeTfjsWeight(u8, { dtype: 'uint16', min: 0, scale: 1 }), 'ARGUMENT');
    expectError(() => quant.decodeTfjsWeight(u8, { dtype: 'uint8', min: 0, scale: 1 }, new Float32Array(3)), 'ARGUMENT');
    expectError(() => quant.encodeTfjsWeight(Float32Array.of(1, NaN), 'uint8'), 'ARGUMENT');
    expectError(() => quant.encodeTfjsWeight(Float32Array.of(1, 1e7), 'float16'), 'ARGUMENT');
    expectError(() => quant.encodeTfjsWeight(Float32Array.of(1), 'uint32' as never), 'ARGUMENT');
  });
});
