// Every API that takes bytes reads exactly the bytes of the view it is given: a Node Buffer from fs.readFileSync
// (a view into a shared pool), a Buffer#slice, and subarrays at odd offsets of a larger buffer full of other bytes.
// Each call must give what the same call on a fresh, offset-0 copy gives.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createArena, createWriter, delta, gguf, lz4, npy, open, pack, pipeline, quant, safetensors, shuffle, sparse, tfjs, type PipelineStage, type TensorInput,
} from '../src/index';
import { GgufBuilder } from './helpers/gguf-builder';

type View = ArrayBufferView & { length: number; BYTES_PER_ELEMENT: number };
type ViewType = { new (buffer: ArrayBuffer, offset: number, length: number): View; BYTES_PER_ELEMENT: number };

const dir = mkdtempSync(join(tmpdir(), 'tensorzip-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `data` at byte `offset` of a larger buffer whose other bytes are 0xA5. */
function placed<T extends View>(data: T, offset: number): T {
  const type = data.constructor as unknown as ViewType;
  const buffer = new ArrayBuffer(offset + data.byteLength + 24);
  new Uint8Array(buffer).fill(0xa5);
  new Uint8Array(buffer, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return new type(buffer, offset, data.length) as T;
}

let files = 0;
/** The bytes as Node hands them to a first script: fs.readFileSync (pooled when small) and Buffer#slice. */
function nodeBuffers(bytes: Uint8Array): [string, Uint8Array][] {
  const path = join(dir, `${files++}.bin`);
  writeFileSync(path, bytes);
  const padded = Buffer.concat([Buffer.alloc(5, 0xa5), Buffer.from(bytes), Buffer.alloc(5, 0xa5)]);
  return [['fs.readFileSync', readFileSync(path)], ['Buffer#slice at 5', padded.slice(5, 5 + bytes.length)]];
}

/** Byte views: Node Buffers and subarrays at offsets 1, 3 and 7. */
const byteViews = (bytes: Uint8Array): [string, Uint8Array][] =>
  [...nodeBuffers(bytes), ...[1, 3, 7].map((k): [string, Uint8Array] => [`subarray at ${k}`, placed(bytes, k)])];

/** Typed views at byte offsets that are multiples of the element size but not of 8 (4, 12 for 4-byte elements). */
const typedViews = <T extends View>(data: T): [string, T][] =>
  [1, 3].map((k) => [`${data.constructor.name} at byte ${k * data.BYTES_PER_ELEMENT}`, placed(data, k * data.BYTES_PER_ELEMENT)]);

const TYPES = [Float32Array, Float64Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, BigInt64Array, BigUint64Array];

/** Results as plain data: typed arrays become their base type and elements, so a Buffer result equals a Uint8Array. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const type = TYPES.find((t) => value instanceof t);
    return { type: type?.name, elements: Array.from(value as unknown as ArrayLike<unknown>) };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function expectSameForViews<T extends View>(views: [string, T][], original: T, call: (input: T) => unknown): Promise<void> {
  const expected = plain(await call(original));
  for (const [label, view] of views) expect(plain(await call(view)), label).toEqual(expected);
}

const floats = (n: number, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed + 0.3) * (1 + (i % 7)));
const text = new TextEncoder().encode('tensorzip reads the bytes it is given, '.repeat(40));

describe('byte-taking functions honour byteOffset and byteLength', () => {
  it('lz4 frames and blocks', async () => {
    await expectSameForViews(byteViews(text), text, (b) => lz4.compress(b));
    await expectSameForViews(byteViews(text), text, (b) => lz4.compressBlock(b));
    const frame = lz4.compress(text);
    await expectSameForViews(byteViews(frame), frame, (b) => lz4.decompress(b));
    const block = lz4.compressBlock(text);
    await expectSameForViews(byteViews(block), block, (b) => lz4.decompressBlock(b, { maxOutputSize: text.length }));
  });

  it('shuffle, bitshuffle and delta', async () => {
    const bytes = new Uint8Array(floats(64).buffer);
    for (const f of ['shuffle', 'unshuffle', 'bitshuffle', 'bitunshuffle'] as const) {
      await expectSameForViews(byteViews(bytes), bytes, (b) => shuffle[f](b, 4));
    }
    const words = floats(64);
    await expectSameForViews(typedViews(words), words, (f) => shuffle.shuffle(f, 4));
    const ints = Int32Array.from(floats(300), (v) => Math.round(v * 1000));
    await expectSameForViews(typedViews(ints), ints, (a) => delta.encode(a));
    await expectSameForViews(typedViews(ints), ints, (a) => delta.decode(a));
    await expectSameForViews(byteViews(bytes), bytes, (a) => delta.decode(a));
  });

  it('sparse pack, unpack and describe', async () => {
    const data = floats(256).map((v, i) => (i % 5 === 0 ? v : 0));
    await expectSameForViews(typedViews(data), data, (f) => sparse.pack(f));
    const packed = sparse.pack(data);
    await expectSameForViews(byteViews(packed), packed, (b) => sparse.unpack(b));
    await expectSameForViews(byteViews(packed), packed, (b) => sparse.describe(b));
  });

  it('quant: quantize, dequantize with codes and scales in views, float and TF.js codes', async () => {
    const weights = floats(8 * 40);
    await expectSameForViews(typedViews(weights), weights, (f) => quant.quantize(f, { dtype: 'int8', shape: [8, 40], axis: 0 }));
    for (const dtype of ['int8', 'uint8', 'int4', 'uint4', 'q8_0', 'q4_0', 'float16', 'bfloat16', 'float8e4m3fn'] as const) {
      const shape = [8, 64];
      const q = quant.quantize(floats(shape[0] * shape[1], 3), dtype.startsWith('q') || dtype.startsWith('f') || dtype.startsWith('b') ? { dtype, shape } : { dtype, shape, axis: 0, symmetric: false });
      const codes = q.data as View;
      await expectSameForViews([...typedViews(codes), ...(codes instanceof Uint8Array ? byteViews(codes) : [])], codes, (c) => quant.dequantize({ ...q, data: c as never }));
      if (q.scale) await expectSameForViews(typedViews(q.scale), q.scale, (s) => quant.dequantize({ ...q, scale: s }));
      if (q.zeroPoint) await expectSameForViews(typedViews(q.zeroPoint as View), q.zeroPoint as View, (z) => quant.dequantize({ ...q, zeroPoint: z as never }));
    }
    const half = quant.encodeFloat16(weights);
    await expectSameForViews(typedViews(half), half, (h) => quant.decodeFloat16(h));
    await expectSameForViews(typedViews(half), half, (h) => quant.decodeBfloat16(h));
    await expectSameForViews(typedViews(weights), weights, (f) => quant.encodeBfloat16(f));
    const fp8 = quant.encodeFp8E4M3(weights);
    await expectSameForViews(byteViews(fp8), fp8, (b) => quant.decodeFp8E4M3(b));
    await expectSameForViews(byteViews(fp8), fp8, (b) => quant.decodeFp8E5M2(b));
    const tf = quant.encodeTfjsWeight(weights, 'uint8');
    await expectSameForViews(byteViews(tf.data as Uint8Array), tf.data as Uint8Array, (b) => quant.decodeTfjsWeight(b, tf.quantization));
  });

  it('pipeline encodeChunk and decodeChunk', async () => {
    const q = quant.quantize(floats(16 * 64).map((v, i) => (i % 3 ? 0 : v)), { dtype: 'int8', shape: [16, 64], axis: 0 });
    const codes = new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
    const stages: PipelineStage[] = [{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'lz4' }];
    await expectSameForViews(byteViews(codes), codes, (b) => pipeline.encodeChunk(b, stages));
    const encoded = pipeline.encodeChunk(codes, stages);
    const target = { dtype: 'int8' as const, count: 16 * 64, shape: [16, 64], axis: 0, scale: q.scale, zeroPoint: q.zeroPoint };
    await expectSameForViews(byteViews(encoded), encoded, (b) => pipeline.decodeChunk(b, stages, target));
    await expectSameForViews(typedViews(q.scale!), q.scale!, (s) => pipeline.decodeChunk(encoded, stages, { ...target, scale: s }));
  });

  it('outputs into views: only the view\'s bytes are written, with the plain call\'s values', async () => {
    const q = quant.quantize(floats(8 * 64), { dtype: 'int8', shape: [8, 64], axis: 0 });
    const stages: PipelineStage[] = [{ codec: 'lz4' }];
    const encoded = pipeline.encodeChunk(new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength), stages);
    const target = { dtype: 'int8' as const, count: 8 * 64, shape: [8, 64], axis: 0, scale: q.scale, zeroPoint: q.zeroPoint };
    const sparseBytes = sparse.pack(floats(512).map((v, i) => (i % 4 ? 0 : v)));
    const file = await pack({ w: { dtype: 'float32', shape: [8, 64], data: floats(8 * 64) } }, { quantize: 'int8' });
    const archive = await open(file);
    const half = quant.encodeFloat16(floats(512));
    const arena = await createArena({ bytes: 1 << 16 });
    const writers: [string, (out: Float32Array) => unknown][] = [
      ['quant.dequantize', (out) => quant.dequantize(q, out)],
      ['arena.quant.dequantize', (out) => arena.quant.dequantize({ ...q, data: placed(q.data as Int8Array, 3) }, out)],
      ['quant.decodeFloat16', (out) => quant.decodeFloat16(half, out)],
      ['pipeline.decodeChunk', (out) => pipeline.decodeChunk(encoded, stages, { ...target, out })],
      ['sparse.unpack', (out) => sparse.unpack(sparseBytes, out)],
      ['archive.get', (out) => archive.get('w', { out })],
    ];
    for (const [what, write] of writers) {
      const plainOut = new Float32Array(512);
      await write(plainOut);
      for (const [label, out] of typedViews(new Float32Array(512))) {
        new Uint8Array(out.buffer).fill(0xa5);
        await write(out);
        expect(Array.from(out), `${what}, ${label}`).toEqual(Array.from(plainOut));
        const all = new Uint8Array(out.buffer);
        const outside = [...all.subarray(0, out.byteOffset), ...all.subarray(out.byteOffset + out.byteLength)];
        expect(outside.every((b) => b === 0xa5), `${what}, ${label}: bytes outside the view written`).toBe(true);
      }
    }
  });

  /** A file from createWriter, its chunks gathered from the sink. */
  async function written(tensors: Record<string, TensorInput>, quantize: 'lossless' | 'int8'): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const writer = createWriter({ write: (bytes: Uint8Array) => parts.push(bytes.slice()) }, { quantize });
    for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
    await writer.finish();
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  }

  it('pack and createWriter with tensors in views, and open(bytes) then getAll', async () => {
    const tensors: Record<string, TensorInput> = {
      w: { dtype: 'float32', shape: [64, 40], data: floats(64 * 40) },
      ids: { dtype: 'int64', shape: [5], data: BigInt64Array.of(-3n, 0n, 7n, 2n ** 40n, -1n) },
      h: { dtype: 'uint16', shape: [7], data: Uint16Array.of(1, 2, 3, 4, 5, 6, 65535) },
    };
    for (const quantize of ['lossless', 'int8'] as const) {
      const viewsOf = (k: number): Record<string, TensorInput> => Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { ...t, data: placed(t.data as View, k * t.data.BYTES_PER_ELEMENT) as never }]));
      const variants: [string, View][] = [['views at one element', viewsOf(1) as never], ['views at three elements', viewsOf(3) as never]];
      await expectSameForViews(variants, tensors as never, (t) => pack(t as never, { quantize }));
      await expectSameForViews(variants, tensors as never, (t) => written(t as never, quantize));
      const file = await pack(tensors, { quantize });
      await expectSameForViews(byteViews(file), file, async (b) => (await open(b)).getAll());
      await expectSameForViews(byteViews(file), file, async (b) => (await open(b)).get('w'));
    }
  });

  it('safetensors and .npy read and write', async () => {
    const tensors: Record<string, TensorInput> = {
      w: { dtype: 'float32', shape: [3, 5], data: floats(15) },
      d: { dtype: 'float64', shape: [3], data: Float64Array.of(Math.PI, -0, 1e300) },
      h: { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
      b: { dtype: 'int8', shape: [3], data: Int8Array.of(-1, 2, -3) },
    };
    const file = safetensors.write(tensors, { format: 'pt' });
    await expectSameForViews(byteViews(file), file, (b) => safetensors.read(b));
    for (const t of Object.values(tensors)) {
      const one = npy.write(t);
      await expectSameForViews(byteViews(one), one, (b) => npy.read(b));
      await expectSameForViews(typedViews(t.data as View), t.data as View, (d) => npy.write({ ...t, data: d as never }));
      await expectSameForViews(typedViews(t.data as View), t.data as View, (d) => safetensors.write({ x: { ...t, data: d as never } }));
    }
  });

  it('GGUF read', async () => {
    const q8 = new Uint8Array(34);
    q8.set([0x00, 0x3c]);
    for (let i = 0; i < 32; i++) q8[2 + i] = (i * 7) & 0xff;
    const file = new GgufBuilder().build([['general.architecture', 8, (b) => b.writeString('tiny')]], [
      { name: 'w', dims: [3, 2], type: 0, data: new Uint8Array(floats(6).buffer) },
      { name: 'h', dims: [4], type: 1, data: new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x3800, 0).buffer) },
      { name: 'q', dims: [32], type: 8, data: q8 },
      { name: 'i', dims: [2], type: 27, data: new Uint8Array(BigInt64Array.of(-5n, 9n).buffer) },
    ]);
    await expectSameForViews(byteViews(file), file, (b) => gguf.read(b));
  });

  it('TF.js read (shards in views) and write (tensors in views)', async () => {
    const tensors: Record<string, TensorInput> = {
      k: { dtype: 'float32', shape: [4, 6], data: floats(24) },
      n: { dtype: 'int32', shape: [3], data: Int32Array.of(-7, 0, 9) },
    };
    for (const quantize of [undefined, 'uint8', 'uint16', 'float16'] as const) {
      const model = tfjs.write(tensors, { quantize, shardBytes: 40 });
      const expected = plain(tfjs.read(model));
      const paths = Object.keys(model.shards);
      const variants = paths.map((path) => byteViews(model.shards[path]));
      variants[0].forEach(([label], k) => {
        const shards = Object.fromEntries(paths.map((path, i) => [path, variants[i][k][1]]));
        expect(plain(tfjs.read({ modelJson: model.modelJson, shards })), `${quantize}, ${label}`).toEqual(expected);
      });
    }
    await expectSameForViews(typedViews(tensors.k.data as Float32Array), tensors.k.data as Float32Array, (f) => tfjs.write({ k: { ...tensors.k, data: f } }, { quantize: 'uint8' }));
  });
});
