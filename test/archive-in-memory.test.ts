// open() of bytes in memory decodes on the calling thread without awaiting anything per tensor or chunk; a Blob is
// read through reads that return promises. Both ways must give the same tensors, codes, entries and errors: every
// golden file and a model packed under every quantize mode (and as TF.js and GGML codes) are read both ways and
// compared, a byte flipped anywhere fails both ways with the same code, offset and message, and getAll() of bytes
// has decoded every tensor before it returns its promise.
import { describe, expect, it } from 'vitest';
import type { Archive, QuantizeMode, TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';
import { random, spikyWeights } from './helpers/data';
import { referenceEncodeQ4_0 } from './reference/ggml';

const GOLDEN = ['v1/index-first', 'v1/index-last', 'v1.1/stages', 'v1.1/tfjs-codes', 'v1.2/entries', 'v1.2/onnx', 'v1.2/regroup',
  'v1.2/shared-ranges', 'v1.3/context', 'v1.3/index-first', 'v1.3/index-last', 'v1.4/rans'];
const golden = await Promise.all(GOLDEN.map(async (name) => [name, await readRepoFile(`test/golden/${name}.tzip`)] as const));
const MODES: QuantizeMode[] = ['lossless', 'fp16', 'bf16', 'int8', 'int4', 'auto'];

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const blobOf = (bytes: Uint8Array) => new Blob([bytes.slice()]);
const next = random(24);
/** Tensors of several chunks at chunkBytes 4096 (fc.weight, sparse), one-chunk ones, integers and a scalar. */
const MODEL: Record<string, TensorInput> = {
  'fc.weight': { dtype: 'float32', shape: [96, 40], data: spikyWeights(96 * 40, 1) },
  'fc.bias': { dtype: 'float32', shape: [96], data: spikyWeights(96, 2) },
  'conv.weight': { dtype: 'float32', shape: [8, 3, 3, 3], data: spikyWeights(216, 3) },
  sparse: { dtype: 'float32', shape: [64, 48], data: spikyWeights(64 * 48, 4, 0.9) },
  ids: { dtype: 'int32', shape: [300], data: Int32Array.from({ length: 300 }, (_, i) => i % 7) },
  scale: { dtype: 'float32', shape: [], data: Float32Array.of(0.5) },
};
const x = Float32Array.from({ length: 512 }, () => next() - 0.5);
const CODES = {
  tfjs: { quantized: { dtype: 'tfjs_uint8' as const, shape: [40, 30], data: Uint8Array.from({ length: 1200 }, () => Math.floor(next() * 256)), scale: 0.013, min: -1.2 } },
  ggml: { quantized: { dtype: 'q4_0' as const, shape: [2, 256], data: referenceEncodeQ4_0(x), scale: null, zeroPoint: null, axis: null, blockSize: null } },
};

/** Everything an archive decodes, as comparable values: each tensor by getAll(), get() and stream(), its codes where
 *  getCodes() gives them (else the error's code), and every entry. */
async function everything(archive: Archive): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const all = await archive.getAll();
  for (const t of archive.tensors) {
    const tensor = all[t.name];
    out[`getAll ${t.name}`] = [tensor.dtype, tensor.shape, bytesOf(tensor.data), tensor.data.byteOffset === 0 && tensor.data.buffer.byteLength === tensor.data.byteLength];
    out[`get ${t.name}`] = bytesOf((await archive.get(t.name)).data);
    out[`codes ${t.name}`] = await archive.getCodes(t.name).then(({ quantized }) => ({ ...quantized, data: bytesOf(quantized.data) }), (err) => err.code);
  }
  for await (const { name, tensor, index } of archive.stream()) out[`stream ${name}`] = [index, bytesOf(tensor.data)];
  for (const e of archive.entries) out[`entry ${e.name}`] = await archive.getEntry(e.name);
  return out;
}

/** open() and getAll() of `source`: the tensors' bytes one after another, or the error's code, offset and message. */
async function outcome(open: (source: Uint8Array | Blob, options: { verify: boolean }) => Promise<Archive>, source: Uint8Array | Blob, verify: boolean) {
  try {
    const all = Object.values(await (await open(source, { verify })).getAll()).map((t) => bytesOf(t.data));
    const bytes = new Uint8Array(all.reduce((n, b) => n + b.length, 0));
    all.reduce((at, b) => (bytes.set(b, at), at + b.length), 0);
    return bytes;
  } catch (err) {
    const { name, code, offset, message } = err as { name: string; code: string; offset?: number; message: string };
    return { name, code, offset, message };
  }
}

function expectSame(a: Awaited<ReturnType<typeof outcome>>, b: Awaited<ReturnType<typeof outcome>>, what: string) {
  if (a instanceof Uint8Array && b instanceof Uint8Array) expect(equalBytes(a, b), what).toBe(true);
  else expect(a, what).toEqual(b);
}

describe.each(BUILDS)('an archive in memory decodes as one read through promises does (%s build)', (_, { open, pack }) => {
  it.each(golden)('golden %s: every tensor, code and entry the same from bytes and from a Blob', async (_name, file) => {
    const fromBytes = await everything(await open(file));
    expect(Object.keys(fromBytes).length).toBeGreaterThan(0);
    expect(fromBytes).toEqual(await everything(await open(blobOf(file))));
  });

  it.each(MODES)("pack's quantize '%s', several chunks per tensor: the same from bytes and from a Blob", async (mode) => {
    const file = await pack(MODEL, { quantize: mode, chunkBytes: 4096 });
    const fromBytes = await everything(await open(file));
    expect(fromBytes).toEqual(await everything(await open(blobOf(file))));
    if (mode === 'lossless') for (const [name, t] of Object.entries(MODEL)) expect(fromBytes[`get ${name}`], name).toEqual(bytesOf(t.data));
  });

  it('TF.js and GGML codes: the same from bytes and from a Blob', async () => {
    const file = await pack(CODES, { chunkBytes: 4096 });
    const fromBytes = await everything(await open(file));
    expect(fromBytes['codes tfjs']).toMatchObject({ dtype: 'tfjs_uint8', scale: 0.013, min: -1.2, data: CODES.tfjs.quantized.data });
    expect(fromBytes).toEqual(await everything(await open(blobOf(file))));
  });

  it('a byte flipped in the file fails the same way from bytes and from a Blob (CHECKSUM for chunks and parameters)', async () => {
    const file = await pack({ w: MODEL['fc.weight'], b: MODEL['fc.bias'], t: CODES.tfjs }, { quantize: 'int8', chunkBytes: 4096 });
    const seen = new Map<string, number>();
    // Every third byte: each chunk and parameter block (the smallest, TF.js scale and min, is 16 bytes) is hit.
    for (let at = 0; at < file.length; at += 3) {
      const damaged = file.slice();
      damaged[at] ^= 0x10;
      const fromBytes = await outcome(open, damaged, true);
      expectSame(fromBytes, await outcome(open, blobOf(damaged), true), `byte ${at}`);
      const kind = fromBytes instanceof Uint8Array ? 'OK' : `${fromBytes.code}${/^open: (chunk|the parameters)/.test(fromBytes.message) ? ` ${fromBytes.message.split(' ')[1]}` : ''}`;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    // Most of the file is chunks and parameter blocks: flipping any of their bytes is CHECKSUM naming them.
    expect(seen.get('CHECKSUM chunk')).toBeGreaterThan(file.length / 6);
    expect(seen.get('CHECKSUM the')).toBeGreaterThan(0);
    expect(seen.get('OK')).toBeUndefined();
  });

  it('without checksums (verify: false), a damaged chunk decodes or fails the same way from bytes and from a Blob', async () => {
    const file = await pack(MODEL, { quantize: 'lossless', chunkBytes: 4096 });
    for (let at = 0; at < file.length; at += 23) {
      const damaged = file.slice();
      damaged[at] ^= 0x55;
      expectSame(await outcome(open, damaged, false), await outcome(open, blobOf(damaged), false), `byte ${at}`);
    }
  });

  it('getAll() and get() of bytes have read every chunk and parameter block before they return their promise', async () => {
    const file = await pack(MODEL, { quantize: 'int8', chunkBytes: 4096 });
    let read = 0;
    const archive = await open(file, { onProgress: (bytes) => { read = bytes; } });
    const tensorBytes = archive.tensors.reduce((n, t) => n + t.encodedBytes, 0);
    let before = read;
    const all = archive.getAll();
    expect(read - before).toBe(tensorBytes);
    await all;
    const weight = archive.tensors.find((t) => t.name === 'fc.weight')!;
    expect(weight.storedDtype).toBe('int8'); // a parameter block and several chunks
    before = read;
    const one = archive.get('fc.weight');
    expect(read - before).toBe(weight.encodedBytes);
    expect((await one).data).toEqual((await all)['fc.weight'].data);
  });
});
