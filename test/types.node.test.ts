// Types: archive.get() is typed by dtype, Tensor narrows on `dtype`, and the type map matches the arrays decoded.
// `npm run typecheck` checks the expectTypeOf lines; the runtime lines check that the types tell the truth.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { open, pack, type Tensor, type TensorArrays, type TensorDtype } from '../src/index';

const ARRAYS: { [D in TensorDtype]: new (n: number) => TensorArrays[D] } = {
  float32: Float32Array, float16: Uint16Array, bfloat16: Uint16Array, float64: Float64Array, int8: Int8Array,
  uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float8e4m3fn: Uint8Array, float8e5m2: Uint8Array,
};

describe('typed tensors', () => {
  it('get() with a dtype gives its array type; Tensor narrows on dtype', async () => {
    const archive = await open(await pack({ w: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }, i: { dtype: 'int64', shape: [1], data: new BigInt64Array([3n]) } }, { quantize: 'lossless' }));
    const w = await archive.get('w', { dtype: 'float32' });
    expectTypeOf(w.data).toEqualTypeOf<Float32Array>();
    expectTypeOf(w.dtype).toEqualTypeOf<'float32'>();
    expect(w.data).toBeInstanceOf(Float32Array);
    const i = await archive.get('i', { dtype: 'int64', out: new BigInt64Array(1) });
    expectTypeOf(i.data).toEqualTypeOf<BigInt64Array>();
    expect(i.data).toEqual(new BigInt64Array([3n]));

    const any = await archive.get('w');
    expectTypeOf(any).toEqualTypeOf<Tensor>();
    if (any.dtype === 'float32') expectTypeOf(any.data).toEqualTypeOf<Float32Array>();
    if (any.dtype === 'float16') expectTypeOf(any.data).toEqualTypeOf<Uint16Array>();
    // @ts-expect-error: a float32 tensor's data is not an Int8Array
    const wrong: Tensor<'float32'> = { dtype: 'float32', shape: [1], data: new Int8Array(1) };
    expect(wrong.dtype).toBe('float32');

    await expect(archive.get('w', { dtype: 'int8' })).rejects.toMatchObject({ code: 'ARGUMENT' });
  });

  it('every dtype decodes to the array type TensorArrays names', async () => {
    for (const dtype of Object.keys(ARRAYS) as TensorDtype[]) {
      const Array = ARRAYS[dtype];
      const archive = await open(await pack({ t: { dtype, shape: [4], data: new Array(4) } as never }, { quantize: 'lossless' }));
      const t = await archive.get('t', { dtype });
      expect(t.data.constructor, dtype).toBe(Array);
    }
  });
});
