import { describe, expect, it } from 'vitest';
import { npy, safetensors, type TensorInput } from '../src/index';
import { expectError } from './helpers/errors';
import { readRepoFile } from './helpers/files';

const golden = async (name: string) => readRepoFile(`test/golden/npy/${name}`);
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('.npy', () => {
  it('reads the arrays NumPy 2.4 wrote (test/golden/npy, made by scripts/make-golden-npy.py)', async () => {
    const cases: [string, string, number[], ArrayLike<number | bigint>][] = [
      ['f32-2x3.npy', 'float32', [2, 3], [0, 1, 2, 3, 4, 5]],
      ['i64-5.npy', 'int64', [5], [-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n]],
      ['bool-4.npy', 'bool', [4], [1, 0, 0, 1]],
      ['f16-2x2.npy', 'float16', [2, 2], [0x3c00, 0xc000, 0x7bff, 0x3800]],
      ['u8-scalar.npy', 'uint8', [], [7]],
      ['f64-0x3.npy', 'float64', [0, 3], []],
    ];
    for (const [file, dtype, shape, values] of cases) {
      const t = npy.read(await golden(file));
      expect(t.dtype, file).toBe(dtype);
      expect(t.shape, file).toEqual(shape);
      expect(Array.from(t.data as ArrayLike<number | bigint>), file).toEqual(Array.from(values));
    }
    const long = npy.read(await golden('u16-long-shape.npy'));
    expect(long.shape).toEqual([2, 3, 4, 5, 6, 7]);
    expect(long.data[5039]).toBe(5039);
  });

  it('writes byte for byte what NumPy writes for the research notes\' example', async () => {
    const bytes = npy.write({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    expect(bytes).toEqual(await golden('f32-2x3.npy'));
  });

  it('round-trips every dtype NumPy has', () => {
    const tensors: TensorInput[] = [
      { dtype: 'float64', shape: [3], data: Float64Array.of(NaN, -0, 1e300) },
      { dtype: 'int8', shape: [2, 2], data: Int8Array.of(-128, 0, 1, 127) },
      { dtype: 'uint32', shape: [1], data: Uint32Array.of(2 ** 32 - 1) },
      { dtype: 'uint64', shape: [2], data: BigUint64Array.of(0n, 2n ** 64n - 1n) },
      { dtype: 'int16', shape: [], data: Int16Array.of(-5) },
    ];
    for (const t of tensors) {
      const back = npy.read(npy.write(t));
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(bytesOf(back.data)).toEqual(bytesOf(t.data));
    }
  });

  it('refuses what it cannot read faithfully, and damaged files', async () => {
    expectError(() => npy.read(new Uint8Array(0)), 'TRUNCATED');
    const fortran = await golden('f32-fortran.npy');
    const bigEndian = await golden('f32-big-endian.npy');
    expectError(() => npy.read(fortran), 'UNSUPPORTED');
    expectError(() => npy.read(bigEndian), 'UNSUPPORTED');
    const good = await golden('f32-2x3.npy');
    expectError(() => npy.read(good.subarray(0, good.length - 1)), 'TRUNCATED');
    expectError(() => npy.read(Uint8Array.from([...good, 0])), 'CORRUPT');
    const badMagic = good.slice();
    badMagic[1] = 0;
    expectError(() => npy.read(badMagic), 'CORRUPT');
    const objectArray = good.slice();
    objectArray.set(new TextEncoder().encode("'|O' "), 20);
    expectError(() => npy.read(objectArray), 'UNSUPPORTED');
    const code = good.slice();
    code.set(new TextEncoder().encode("__import__('os')"), 60);
    expectError(() => npy.read(code), 'CORRUPT');
    expectError(() => npy.write({ dtype: 'bfloat16', shape: [1], data: new Uint16Array(1) }), 'UNSUPPORTED');
  });
});

describe('safetensors', () => {
  /** A file built by hand from the format description (research notes A4.1). */
  function handFile(header: object, data: number[]): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  }

  it('reads a file built from the format description', () => {
    const file = handFile({ __metadata__: { format: 'pt' }, b: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, e: { dtype: 'BF16', shape: [0], data_offsets: [12, 12] } },
    [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0x00, 0x3c, 0xff, 0x7b]);
    const { tensors, metadata } = safetensors.read(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.a.data]).toEqual([1, -2]);
    expect(tensors.b).toEqual({ dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0x7bff) });
    expect(tensors.e.data.length).toBe(0);
  });

  it('writes what it reads: every dtype, larger elements first, header padded to 8 bytes', () => {
    const tensors: Record<string, TensorInput> = {
      z8: { dtype: 'float8e4m3fn', shape: [3], data: Uint8Array.of(0x38, 0x7e, 0xfe) },
      f32: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, NaN) },
      bf: { dtype: 'bfloat16', shape: [1], data: Uint16Array.of(0x3f80) },
      i64: { dtype: 'int64', shape: [1], data: BigInt64Array.of(-1n) },
      flag: { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) },
    };
    const file = safetensors.write(tensors, { source: 'tensorzip' });
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
    expect(Object.keys(header)).toEqual(['__metadata__', 'i64', 'f32', 'bf', 'flag', 'z8']);
    expect(header.z8).toEqual({ dtype: 'F8_E4M3', shape: [3], data_offsets: [28, 31] });
    const back = safetensors.read(file);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].dtype).toBe(t.dtype);
      expect(bytesOf(back.tensors[name].data)).toEqual(bytesOf(t.data));
    }
    expect(back.metadata).toEqual({ source: 'tensorzip' });
  });

  it('applies the reference implementation\'s checks', () => {
    const data = [0, 0, 0x80, 0x3f];
    const ok = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    expect(safetensors.read(handFile(ok, data)).tensors.a.data).toEqual(Float32Array.of(1));
    expectError(() => safetensors.read(new Uint8Array(7)), 'TRUNCATED');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 100_000_001n, true);
    expectError(() => safetensors.read(huge), 'LIMIT');
    expectError(() => safetensors.read(handFile(ok, data).subarray(0, 20)), 'TRUNCATED');
    expectError(() => safetensors.read(handFile(ok, [...data, 0])), 'CORRUPT'); // bytes after the last tensor
    expectError(() => safetensors.read(handFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [...data, ...data])), 'CORRUPT'); // a gap
    expectError(() => safetensors.read(handFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, [...data, 0, 0])), 'CORRUPT'); // overlap
    expectError(() => safetensors.read(handFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, data)), 'CORRUPT'); // size
    expectError(() => safetensors.read(handFile({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 4] } }, data)), 'UNSUPPORTED');
    expectError(() => safetensors.read(handFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data)), 'CORRUPT');
    expectError(() => safetensors.read(handFile([1, 2] as never, data)), 'CORRUPT');
  });
});
