import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IntegerArray } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';

type IntegerType = { new (length: number): IntegerArray; name: string; BYTES_PER_ELEMENT: number };
const TYPES: IntegerType[] = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
// Around the 4-lane SIMD step and the 64 Ki-element slices the facade moves.
const LENGTHS = [0, 1, 3, 4, 5, 17, 65_535, 65_536, 65_537, 140_001];

/** Written from the definition, with the array type doing the wrap-around. */
function referenceDelta<T extends IntegerArray>(data: T, type: IntegerType): T {
  const out = new type(data.length) as T;
  for (let i = 0; i < data.length; i++) out[i] = (i === 0 ? data[0] : (data[i] as never) - (data[i - 1] as never)) as never;
  return out;
}

const bytes = (a: IntegerArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Same type, same elements (compared as bytes: deep equality of long arrays is slow). */
function expectSame(actual: IntegerArray, expected: IntegerArray, what: string): void {
  expect(actual.constructor, what).toBe(expected.constructor);
  if (!equalBytes(bytes(actual), bytes(expected))) expect.fail(what);
}

function sample(type: IntegerType, length: number, seed: number): IntegerArray {
  const next = random(seed);
  const out = new type(length);
  const big = type === BigInt64Array || type === BigUint64Array;
  // A slow walk (what delta is for) with occasional jumps across the whole range, so wrap-around happens.
  let value = 0;
  for (let i = 0; i < length; i++) {
    value = next() < 0.02 ? Math.floor(next() * 2 ** 32) : value + Math.floor(next() * 7) - 2;
    out[i] = (big ? BigInt(value) * 4_294_967_311n : value) as never;
  }
  return out;
}

describe.each(BUILDS)('delta filter (%s build)', (_, { delta }) => {
  it.each(TYPES.map((t) => [t.name, t] as const))('%s: the reference differences at every length, and back', (_name, type) => {
    for (const length of LENGTHS) {
      const data = sample(type, length, length + type.BYTES_PER_ELEMENT);
      const encoded = delta.encode(data);
      expectSame(encoded, referenceDelta(data, type), `encode, ${length} elements`);
      expectSame(delta.decode(encoded), data, `decode, ${length} elements`);
    }
  });

  it('round-trips any Int32Array (property)', () => {
    fc.assert(fc.property(fc.int32Array({ maxLength: 300 }), (data) => {
      expect(delta.decode(delta.encode(data))).toEqual(data);
    }), { numRuns: 200 });
  });

  it('the example in its documentation', () => {
    expect([...delta.encode(new Uint32Array([100, 101, 103, 106]))]).toEqual([100, 1, 2, 3]);
    expect([...delta.decode(new Int8Array([100, 100, 100]))]).toEqual([100, -56, 44]);
  });

  it('refuses arrays that are not integers', () => {
    expectError(() => delta.encode(new Float32Array(4) as never), 'ARGUMENT');
    expectError(() => delta.decode([1, 2, 3] as never), 'ARGUMENT');
  });
});

it('the SIMD and scalar builds produce identical differences', () => {
  for (const type of TYPES) {
    const data = sample(type, 10_007, 5);
    expectSame(simdEngine.delta.encode(data), scalarEngine.delta.encode(data), `encode ${type.name}`);
    expectSame(simdEngine.delta.decode(data), scalarEngine.delta.decode(data), `decode ${type.name}`);
  }
});
