import { describe, expect, it } from 'vitest';
import type { TensorArray, TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { referenceXxh32 } from './reference/xxh32';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function floats(n: number, seed: number, zeros = 0): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => (next() < zeros ? 0 : (next() + next() + next() - 1.5) * 0.05));
}

/** One tensor of every dtype, with awkward values (NaN, −0, extremes) where the type has them. */
function everyDtype(): Record<string, TensorInput> {
  const next = random(5);
  const fill = <T extends TensorArray>(a: T, f: (i: number) => number | bigint) => (a.forEach((_, i) => ((a as unknown as (number | bigint)[])[i] = f(i))), a);
  const tensors: Record<string, TensorInput> = {
    f32: { dtype: 'float32', shape: [3, 5], data: fill(new Float32Array(15), (i) => [NaN, -0, Infinity, 1e-45][i] ?? next() - 0.5) },
    f64: { dtype: 'float64', shape: [7], data: fill(new Float64Array(7), (i) => [NaN, -0][i] ?? next() * 1e300) },
    f16: { dtype: 'float16', shape: [9], data: fill(new Uint16Array(9), (i) => (i * 7919) & 0xffff) },
    bf16: { dtype: 'bfloat16', shape: [2, 2], data: fill(new Uint16Array(4), (i) => 0x3f80 + i) },
    i8: { dtype: 'int8', shape: [130], data: fill(new Int8Array(130), (i) => (i % 3 === 0 ? 0 : i - 128)) },
    u8: { dtype: 'uint8', shape: [4, 4, 4], data: fill(new Uint8Array(64), (i) => i * 4) },
    i16: { dtype: 'int16', shape: [33], data: fill(new Int16Array(33), (i) => -i * 999) },
    u16: { dtype: 'uint16', shape: [33], data: fill(new Uint16Array(33), (i) => i * 1999) },
    i32: { dtype: 'int32', shape: [10, 10], data: fill(new Int32Array(100), (i) => (i % 2 ? 0 : -(2 ** 31) + i)) },
    u32: { dtype: 'uint32', shape: [17], data: fill(new Uint32Array(17), (i) => 2 ** 32 - 1 - i) },
    i64: { dtype: 'int64', shape: [6], data: fill(new BigInt64Array(6), (i) => -(2n ** 63n) + BigInt(i)) },
    u64: { dtype: 'uint64', shape: [6], data: fill(new BigUint64Array(6), (i) => 2n ** 64n - 1n - BigInt(i)) },
    flags: { dtype: 'bool', shape: [11], data: fill(new Uint8Array(11), (i) => i & 1) },
    scalar: { dtype: 'float32', shape: [], data: Float32Array.of(3.5) },
    empty: { dtype: 'int32', shape: [0, 4], data: new Int32Array(0) },
  };
  return tensors;
}

/** Rebuilds `file` with its index changed by `edit`, laid out "index last" (prefix index fields 0, footer pointing
 *  at an index appended after the data) with every checksum recomputed, so the reader's other checks are reached. */
function withIndex(file: Uint8Array, edit: (index: { tensors: Record<string, unknown>[] }) => void): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footer = file.length - 32;
  const at = Number(view.getBigUint64(footer, true));
  const length = Number(view.getBigUint64(footer + 8, true));
  const index = JSON.parse(new TextDecoder().decode(file.subarray(at, at + length)));
  edit(index);
  const json = new TextEncoder().encode(JSON.stringify(index));
  const indexAt = Math.ceil(footer / 64) * 64;
  const out = new Uint8Array(indexAt + json.length + 32);
  out.set(file.subarray(0, footer));
  const o = new DataView(out.buffer);
  o.setBigUint64(8, 0n, true);
  o.setBigUint64(16, 0n, true);
  o.setUint32(24, 0, true);
  o.setUint32(28, referenceXxh32(out.subarray(0, 28)), true);
  out.set(json, indexAt);
  const f = out.length - 32;
  o.setBigUint64(f, BigInt(indexAt), true);
  o.setBigUint64(f + 8, BigInt(json.length), true);
  o.setUint32(f + 16, referenceXxh32(json), true);
  o.setUint32(f + 24, referenceXxh32(out.subarray(f, f + 24)), true);
  out.set([0x50, 0x49, 0x5a, 0x54], f + 28);
  return out;
}

describe.each(BUILDS)('.tzip container (%s build)', (_, engine) => {
  const { pack, open, quant } = engine;

  it('round-trips every dtype bit for bit when lossless, at several chunk sizes', async () => {
    const tensors = everyDtype();
    for (const chunkBytes of [4096, 1 << 20]) {
      const archive = await open(await pack(tensors, { quantize: 'lossless', chunkBytes }));
      expect(archive.tensors.map((t) => t.name)).toEqual(Object.keys(tensors));
      for (const [name, t] of Object.entries(tensors)) {
        const got = await archive.get(name);
        expect(got.dtype).toBe(t.dtype);
        expect(got.shape).toEqual(t.shape);
        expect(got.data.constructor).toBe(t.data.constructor);
        if (!equalBytes(bytesOf(got.data), bytesOf(t.data))) expect.fail(`${name} differs (chunkBytes ${chunkBytes})`);
      }
    }
  });

  it('stores lossy tensors exactly as quant.quantize does, within the recorded error', async () => {
    const weights = floats(64 * 96, 1);
    for (const [mode, dtype, options] of [
      ['fp16', 'float16', {}], ['bf16', 'bfloat16', {}], ['int8', 'int8', { axis: 0 }], ['int4', 'int4', { axis: -1, blockSize: 32 }],
    ] as const) {
      const archive = await open(await pack({ w: { dtype: 'float32', shape: [64, 96], data: weights } }, { quantize: mode, chunkBytes: 4096, channelAxis: 0 }));
      const info = archive.tensors[0];
      expect(info.storedDtype).toBe(dtype);
      const expected = quant.dequantize(quant.quantize(weights, { dtype, shape: [64, 96], ...options }));
      const { data } = await archive.get('w');
      if (!equalBytes(bytesOf(data), bytesOf(expected))) expect.fail(`${mode}: decoded values differ from quant.dequantize`);
      let max = 0;
      for (let i = 0; i < weights.length; i++) max = Math.max(max, Math.abs((data as Float32Array)[i] - weights[i]));
      expect(max, mode).toBe(info.stats!.maxAbsError);
    }
  });

  it("'auto' keeps rank-1 tensors lossless, quantizes weights (per output channel or one step), and follows rules", async () => {
    const weights = floats(128 * 64, 2);
    const archive = await open(await pack({
      'fc.weight': { dtype: 'float32', shape: [128, 64], data: weights },
      'fc.bias': { dtype: 'float32', shape: [128], data: floats(128, 3) },
      'emb.weight': { dtype: 'float32', shape: [128, 64], data: weights },
    }, { rules: [{ match: 'emb.*', quantize: 'lossless' }] }));
    const byName = Object.fromEntries(archive.tensors.map((t) => [t.name, t]));
    expect(['int8', 'tfjs_uint8', 'tfjs_uint16']).toContain(byName['fc.weight'].storedDtype);
    expect(byName['fc.bias'].storedDtype).toBe('float32');
    expect(byName['emb.weight'].storedDtype).toBe('float32');
    expect(byName['fc.weight'].stats!.sqnrDb).toBeGreaterThan(35);
  });

  it('a model-wide lossy mode leaves biases, norms and small tensors lossless; a per-name rule quantizes them', async () => {
    const tensors = {
      'fc.weight': { dtype: 'float32' as const, shape: [64, 64], data: floats(4096, 5) },
      'bn.scale': { dtype: 'float32' as const, shape: [2048], data: floats(2048, 6) },
      'tiny.weight': { dtype: 'float32' as const, shape: [8, 8], data: floats(64, 7) },
    };
    for (const mode of ['fp16', 'bf16', 'int8', 'int4'] as const) {
      const stored = Object.fromEntries((await open(await pack(tensors, { quantize: mode }))).tensors.map((t) => [t.name, t.storedDtype]));
      expect(stored, mode).toEqual({ 'fc.weight': mode === 'fp16' ? 'float16' : mode === 'bf16' ? 'bfloat16' : mode, 'bn.scale': 'float32', 'tiny.weight': 'float32' });
    }
    const ruled = await open(await pack(tensors, { quantize: 'int4', rules: [{ match: 'bn.*', quantize: 'int8' }, { match: 'tiny.*', quantize: 'auto' }] }));
    expect(ruled.tensors.map((t) => t.storedDtype)).toEqual(['int4', 'int8', 'float32']);
  });

  it('puts per-channel scales on the least-error axis by default, on channelAxis 0 or -1 when given', async () => {
    const kernel = floats(3 * 3 * 16 * 64, 8);
    const shape = [3, 3, 16, 64];
    const rmse = (axis: number) => quant.quantize(kernel, { dtype: 'int8', axis, shape }).stats.rmse;
    const leastError = [0, 1, 2, 3].reduce((best, axis) => (rmse(axis) < rmse(best) ? axis : best), 0);
    for (const [channelAxis, axis] of [[undefined, leastError], [0, 0], [-1, 3]] as const) {
      const archive = await open(await pack({ k: { dtype: 'float32', shape, data: kernel } }, { quantize: 'int8', channelAxis }));
      const expected = quant.dequantize(quant.quantize(kernel, { dtype: 'int8', axis, shape }));
      if (!equalBytes(bytesOf((await archive.get('k')).data), bytesOf(expected))) expect.fail(`channelAxis ${channelAxis}: not int8 per axis ${axis}`);
    }
    await expect(pack({ k: { dtype: 'float32', shape, data: kernel } }, { channelAxis: 1 as never })).rejects.toMatchObject({ code: 'ARGUMENT' });
  });

  it('never stores a value its format overflows: float16 past 65504 stays float32', async () => {
    const variances = Float32Array.from({ length: 2048 }, (_, i) => (i === 7 ? 3e7 : 1 + i));
    const archive = await open(await pack({ var: { dtype: 'float32', shape: [32, 64], data: variances } }, { quantize: 'fp16' }));
    expect(archive.tensors[0].storedDtype).toBe('float32');
    expect((await archive.get('var')).data).toEqual(variances);
  });

  it('stores codes LZ4 cannot shrink as they are (an empty pipeline), and reads them back', async () => {
    const next = random(11);
    const noise = Uint8Array.from({ length: 50_000 }, () => Math.floor(next() * 256));
    const smooth = Int32Array.from({ length: 20_000 }, (_, i) => i >> 4);
    const file = await pack({ noise: { dtype: 'uint8', shape: [50_000], data: noise }, smooth: { dtype: 'int32', shape: [20_000], data: smooth } }, { chunkBytes: 16384 });
    const archive = await open(file);
    const [n, s] = archive.tensors;
    expect(n.pipeline).toEqual([]);
    expect(n.encodedBytes).toBe(noise.length);
    expect(s.pipeline).toEqual([{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }]);
    expect((await archive.get('noise')).data).toEqual(noise);
    expect((await archive.get('smooth')).data).toEqual(smooth);
  });

  it('packs pruned tensors with a sparse stage: smaller than the dense pipeline', async () => {
    const pruned = floats(256 * 256, 4, 0.7);
    const sparse = await pack({ w: { dtype: 'float32', shape: [256, 256], data: pruned } }, { quantize: 'lossless' });
    const dense = await pack({ w: { dtype: 'float32', shape: [256, 256], data: pruned } }, { quantize: 'lossless', sparse: false });
    const archive = await open(sparse);
    expect(archive.tensors[0].pipeline[0]).toEqual({ codec: 'sparse', format: 'bitmask', width: 4 });
    expect(sparse.length).toBeLessThan(dense.length);
    expect((await archive.get('w')).data).toEqual(pruned);
  });

  it('reads from a ReadableStream, within maxBytes', async () => {
    const weights = floats(3000, 9);
    const file = await pack({ w: { dtype: 'float32', shape: [3000], data: weights } }, { quantize: 'lossless' });
    const stream = (bytes: Uint8Array) => new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    expect((await (await open(stream(file))).get('w')).data).toEqual(weights);
    await expect(open(stream(file), { maxBytes: 5000 })).rejects.toMatchObject({ code: 'LIMIT' });
  });

  it('reads from a Blob and into a caller\'s array', async () => {
    const weights = floats(5000, 6);
    const file = await pack({ w: { dtype: 'float32', shape: [5000], data: weights } }, { quantize: 'lossless' });
    const archive = await open(new Blob([new Uint8Array(file)]));
    const out = new Float32Array(5000);
    expect((await archive.get('w', { out })).data).toBe(out);
    expect(out).toEqual(weights);
  });

  it('reports the bytes of every chunk and parameter block read from bytes in memory', async () => {
    const tensors = { w: { dtype: 'float32', shape: [64, 300], data: floats(19200, 7) }, b: { dtype: 'float32', shape: [3000], data: floats(3000, 8) } } as const;
    const file = await pack(tensors, { quantize: 'int8', chunkBytes: 4096 });
    const seen: number[] = [];
    const archive = await open(file, { onProgress: (done, total) => (seen.push(done), expect(total).toBe(file.length)) });
    const afterOpen = seen.length;
    await archive.getAll();
    expect(archive.tensors.map((t) => t.storedDtype)).toContain('int8');
    expect(seen.at(-1)).toBe(seen[afterOpen - 1]! + archive.tensors.reduce((n, t) => n + t.encodedBytes, 0));
    expect(seen.length - afterOpen).toBeGreaterThan(2 * archive.tensors.length); // chunk by chunk
  });

  it('reports every single-bit flip of a small file as a TensorzipError, or decodes the same values', async () => {
    const tensors = { a: { dtype: 'float32' as const, shape: [40, 40], data: floats(1600, 7, 0.6) }, b: { dtype: 'int16' as const, shape: [50], data: Int16Array.from({ length: 50 }, (_, i) => i * 31) } };
    const file = await pack(tensors, { quantize: 'int8', rules: [{ match: 'b', quantize: 'lossless' }], chunkBytes: 4096 });
    const reference = await (await open(file)).getAll();
    const codes = new Set<string>();
    for (let bit = 0; bit < file.length * 8; bit++) {
      const copy = file.slice();
      copy[bit >> 3] ^= 1 << (bit & 7);
      try {
        const all = await (await open(copy)).getAll();
        for (const name of Object.keys(tensors)) {
          if (!equalBytes(bytesOf(all[name].data), bytesOf(reference[name].data))) expect.fail(`bit ${bit}: "${name}" decoded differently without an error`);
        }
      } catch (err) {
        if ((err as Error).name !== 'TensorzipError') throw err;
        codes.add((err as { code: string }).code);
      }
    }
    expect(codes.has('CHECKSUM') && codes.has('CORRUPT'), [...codes].join(', ')).toBe(true);
  });

  describe('hostile index (checksums recomputed, so the other checks are reached)', () => {
    // compact: false — chunks at multiples of 64 and a plain JSON index, the 1.2 layout these rules are about.
    const base = pack({ w: { dtype: 'float32', shape: [64, 64], data: floats(4096, 8) }, x: { dtype: 'int32', shape: [100], data: new Int32Array(100).fill(7) } }, { chunkBytes: 4096, compact: false });
    type T = Record<string, unknown> & { chunks: number[][]; stored: Record<string, unknown>; pipeline: Record<string, unknown>[] };
    const cases: [string, (t: T[]) => void, string][] = [
      ['the index-last layout itself reads fine', () => {}, 'OK'],
      ['an unknown codec', (t) => t[0].pipeline.unshift({ codec: 'zstd' }), 'UNSUPPORTED'],
      ['an unknown stored dtype', (t) => (t[0].stored.dtype = 'int3'), 'UNSUPPORTED'],
      ['an unknown tensor dtype', (t) => (t[1].dtype = 'complex64'), 'UNSUPPORTED'],
      ['an unknown codec parameter', (t) => (t[1].pipeline[0].level = 9), 'CORRUPT'],
      ['a chunk past the end of the file', (t) => (t[1].chunks[0][0] = 1 << 30), 'CORRUPT'],
      ['overlapping chunks', (t) => (t[1].chunks[0][0] = t[0].chunks[0][0]), 'CORRUPT'],
      ['a chunk inside the prefix', (t) => (t[1].chunks[0][0] = 0), 'CORRUPT'],
      ['a misaligned chunk', (t) => (t[1].chunks[0][0] += 1), 'CORRUPT'],
      ['a chunk longer than its pipeline can produce', (t) => (t[1].chunks[0][1] = 10_000), 'CORRUPT'],
      ['a missing chunk', (t) => t[0].chunks.pop(), 'CORRUPT'],
      ['a shape far beyond maxBytes', (t) => (t[1].shape = [2 ** 20, 2 ** 20]), 'LIMIT'],
      ['a negative dimension', (t) => (t[1].shape = [-100]), 'CORRUPT'],
      ['two tensors with one name', (t) => (t[1].name = 'w'), 'CORRUPT'],
      ['a quantized tensor without parameters', (t) => (t[0].stored.params = null), 'CORRUPT'],
      ['a chunk whose bytes do not match its checksum', (t) => (t[1].chunks[0][2] ^= 1), 'CHECKSUM'],
    ];
    it.each(cases)('%s', async (_name, edit, code) => {
      const file = withIndex(await base, (index) => edit(index.tensors as T[]));
      try {
        await (await open(file)).getAll();
        expect('OK').toBe(code);
      } catch (err) {
        expect((err as Error).name, String(err)).toBe('TensorzipError');
        expect((err as { code: string }).code, String(err)).toBe(code);
      }
    });

    it('checks each chunk (lossless and quantized) against its checksum unless verify is false', async () => {
      const reference = await (await open(await base)).getAll();
      for (const k of [0, 1]) {
        const file = withIndex(await base, (index) => { const chunk = (index.tensors as T[])[k].chunks[0]; chunk[2] = (chunk[2] ^ 1) >>> 0; });
        const name = k === 0 ? 'w' : 'x';
        const err = await (await open(file)).get(name).catch((e: Error) => e);
        expect(err).toMatchObject({ code: 'CHECKSUM' });
        expect((err as Error).message).toContain(`chunk 0 of "${name}"`);
        const { data } = await (await open(file, { verify: false })).get(name);
        expect(equalBytes(bytesOf(data), bytesOf(reference[name].data))).toBe(true);
      }
    });

    it('refuses another major version, reserved flags, a truncated file and an oversized index', async () => {
      const file = await base;
      const edit = (at: number, value: number) => {
        const copy = file.slice();
        copy[at] = value;
        new DataView(copy.buffer).setUint32(28, referenceXxh32(copy.subarray(0, 28)), true);
        return copy;
      };
      await expect(open(edit(4, 2))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      await expect(open(edit(6, 8))).rejects.toMatchObject({ code: 'UNSUPPORTED' }); // flag bit 3: unknown (1.4)
      await expect(open(file.subarray(0, file.length - 1))).rejects.toMatchObject({ name: 'TensorzipError' });
      await expect(open(file.subarray(0, 40))).rejects.toMatchObject({ code: 'TRUNCATED' });
      await expect(open(file, { maxIndexBytes: 10 })).rejects.toMatchObject({ code: 'LIMIT' });
      await expect(open(12345 as never)).rejects.toMatchObject({ code: 'ARGUMENT' });
    });
  });
});

describe.each(BUILDS)('ContainerWriter (%s build)', (_, engine) => {
  const tensors = {
    w: { dtype: 'float32' as const, shape: [64, 64], data: floats(4096, 30) },
    pruned: { dtype: 'float32' as const, shape: [64, 64], data: floats(4096, 31, 0.8) },
    ids: { dtype: 'int64' as const, shape: [3], data: BigInt64Array.of(1n, -2n, 3n) },
  };

  it('streams a file (index last) that reads back like pack()\'s', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter(new WritableStream<Uint8Array>({ write: (part) => void parts.push(part.slice()) }), { chunkBytes: 4096, metadata: { by: 'stream' } });
    for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
    await writer.finish();
    const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
    expect(new DataView(file.buffer).getBigUint64(8, true)).toBe(0n); // the prefix leaves the index to the footer
    const streamed = await engine.open(file);
    const packed = await engine.open(await engine.pack(tensors, { chunkBytes: 4096 }));
    expect(streamed.metadata).toEqual({ by: 'stream' });
    expect(streamed.tensors.map((t) => [t.name, t.storedDtype, t.pipeline])).toEqual(packed.tensors.map((t) => [t.name, t.storedDtype, t.pipeline]));
    for (const name of Object.keys(tensors)) {
      if (!equalBytes(bytesOf((await streamed.get(name)).data), bytesOf((await packed.get(name)).data))) expect.fail(`"${name}" differs`);
    }
  });

  it('writes to anything with write(), and refuses misuse', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (p: Uint8Array) => parts.push(p.slice()) });
    await writer.add('ids', tensors.ids);
    await expect(writer.add('ids', tensors.ids)).rejects.toMatchObject({ code: 'ARGUMENT' });
    await writer.finish();
    await expect(writer.add('more', tensors.ids)).rejects.toMatchObject({ code: 'ARGUMENT' });
    const file = new Uint8Array(parts.flatMap((p) => [...p]));
    expect((await (await engine.open(file)).get('ids')).data).toEqual(tensors.ids.data);
    expect(() => engine.createWriter({} as never)).toThrow(/WritableStream/);
  });
});
