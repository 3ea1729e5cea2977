// onnx.createSession decodes a .tzip's tensors straight into the model it hands ONNX Runtime (src/io/onnx-place.ts):
// the model must be byte for byte what writeModel writes with every tensor inline — for a lossless file, the original
// .onnx — and every model that plan cannot place must take writeModel's way, with its errors.
import { describe, expect, it } from 'vitest';
import { onnx, open, pack } from '../src/index';
import { placeOnnxTensors, readOnnxArchive, readOnnxEntry } from '../src/io/onnx-archive';
import { writeModel } from '../src/io/onnx-write';
import { placeModel } from '../src/io/onnx-place';
import { tensorBytesDecoder } from '../src/format/archive';
import type { DecodedTwins } from '../src/format/decoded-twins';
import { REAL_ONNX_MODELS } from './helpers/onnx-models';
import {
  graphAttribute, graphProto, intAttribute, intField, modelProto, nodeProto, stringField, tensorAttribute, tensorProto, valueInfo,
} from './helpers/onnx-builder';

const floats = (name: string, n: number, seed = 1, dims = [n]) => tensorProto({ name, dataType: 1, dims, raw: new Uint8Array(Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed)).buffer) });

/** What writeModel writes with every tensor inline, and what createSession's plan places, for a .tzip. */
async function bothWays(file: Uint8Array): Promise<{ written: Uint8Array; placed: Uint8Array | null }> {
  const archive = await open(file);
  const written = writeModel(await readOnnxArchive(archive, 'test'), undefined, 'CORRUPT');
  return { written, placed: await placeOnnxTensors(archive, await readOnnxEntry(archive, 'test')) };
}

/** An ort whose create() keeps what it was given. */
function recordingOrt() {
  const given: { model: Uint8Array; options: Record<string, unknown> | undefined }[] = [];
  return { given, ort: { InferenceSession: { create: async (model: Uint8Array, options?: Record<string, unknown>) => void given.push({ model, options }) } } };
}

describe('onnx.createSession: tensors decoded into place', () => {
  // Subgraphs (If branches, a Loop body inside one), Constant values at the top and inside, a repeated name (w~2),
  // negative ints (ten-byte varints) in attributes, a zero-element tensor, float16 and int64 tensors, a string tensor
  // that stays in the model, and tensors whose lengths grow their messages' length varints from one byte to two and
  // from two bytes to three; packed int8, the 50×100 weight is quantized.
  const inner = graphProto({
    nodes: [nodeProto('Constant', [], ['c'], [tensorAttribute('value', floats('', 3, 2))]), nodeProto('Softmax', ['c'], ['s'], [intAttribute('axis', -1)])],
    initializers: [floats('w', 40, 3)], outputs: [],
  });
  const loop = graphProto({ nodes: [nodeProto('Loop', [], ['loop_out'], [graphAttribute('body', inner)])], initializers: [floats('w', 5000, 4, [50, 100])], outputs: [] });
  const model = modelProto(graphProto({
    nodes: [
      nodeProto('Concat', ['a', 'b'], ['ab'], [intAttribute('axis', -2)], 'concat'),
      nodeProto('If', ['cond'], ['if_out'], [graphAttribute('then_branch', loop), graphAttribute('else_branch', inner)], 'if1'),
      nodeProto('Constant', [], ['k'], [tensorAttribute('value', tensorProto({ name: '', dataType: 7, dims: [2], raw: new Uint8Array(BigInt64Array.of(-3n, 1n << 40n).buffer) }))]),
    ],
    initializers: [
      floats('w', 20), floats('w', 300, 5), tensorProto({ name: 'empty', dataType: 1, dims: [0, 4], raw: new Uint8Array(0) }),
      tensorProto({ name: 'half', dataType: 10, dims: [2, 3], raw: new Uint8Array(Uint16Array.of(0x3c00, 0xbc00, 0x7bff, 1, 0, 0x8000).buffer) }),
      Uint8Array.from([...intField(1, 1), ...intField(2, 8), ...stringField(8, 'words'), ...stringField(6, 'ab')]),
    ],
    inputs: [valueInfo('a', 1, [1])], outputs: [valueInfo('y', 1, [1])],
  }));

  it('lossless: the placed model is the original, byte for byte, and writeModel\'s', async () => {
    const { written, placed } = await bothWays(await onnx.pack(model, { quantize: 'lossless' }));
    expect(written).toEqual(model);
    expect(placed).toEqual(model);
  });

  it('int8: the placed model is writeModel\'s with the decoded values, byte for byte', async () => {
    const { written, placed } = await bothWays(await onnx.pack(model, { quantize: 'int8' }));
    expect(written).not.toEqual(model);
    expect(placed).toEqual(written);
  });

  it('int8 in chunks of 4 KiB (the 50×100 weight decodes chunk by chunk straight into place): writeModel\'s bytes', async () => {
    const { written, placed } = await bothWays(await onnx.pack(model, { quantize: 'int8', chunkBytes: 4096 }));
    expect(placed).toEqual(written);
  });

  it('decoded on workers (each tensor then copied into place): the same bytes', async () => {
    const file = await onnx.pack(model, { quantize: 'lossless' });
    const archive = await open(file, { workers: 1 });
    try {
      expect(await placeOnnxTensors(archive, await readOnnxEntry(archive, 'test'))).toEqual(model);
    } finally {
      archive.close();
    }
  });

  // pack stores identical chunks once (shared ranges); silero VAD's If branches hold the same weights twice.
  it('a tensor stored as an earlier one is copied from where that one went, not decoded again; another shape is decoded', async () => {
    const data = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.01));
    const [a, b, c] = [[5000], [5000], [50, 100]].map((shape) => ({ dtype: 'float32' as const, shape, data }));
    const file = await pack({ a, b, c }, { quantize: 'lossless' });
    const archive = await open(file);
    expect(archive.tensors.map((t) => t.pipeline)).toEqual([a, b, c].map(() => archive.tensors[0].pipeline));
    expect(file.length).toBeLessThan(archive.tensors[0].encodedBytes * 1.5); // the chunks are shared
    const decodeInto = tensorBytesDecoder(archive)!;
    const twins: DecodedTwins = new Map();
    const [aBytes, bBytes, cBytes] = [0, 1, 2].map(() => new Uint8Array(data.byteLength));
    await decodeInto('a', aBytes, twins);
    expect(new Float32Array(aBytes.buffer)).toEqual(data);
    aBytes.fill(7); // stands for a's bytes: b's are a copy of them
    await decodeInto('b', bBytes, twins);
    expect(bBytes.every((x) => x === 7)).toBe(true);
    await decodeInto('c', cBytes, twins);
    expect(new Float32Array(cBytes.buffer)).toEqual(data);
  });

  it.each(REAL_ONNX_MODELS)('$file int8: the placed model is writeModel\'s, byte for byte', async (m) => {
    const { written, placed } = await bothWays(await onnx.pack(m.bytes, { quantize: 'int8' }));
    expect(Buffer.compare(placed!, written)).toBe(0);
  });

  it.each(REAL_ONNX_MODELS)('$file: ONNX Runtime is handed the original .onnx, its tensors inline', async (m) => {
    const { given, ort } = recordingOrt();
    await onnx.createSession(ort, await onnx.pack(m.bytes, { quantize: 'lossless' }), { logSeverityLevel: 3 });
    expect(given).toHaveLength(1);
    expect(Buffer.compare(given[0].model, m.bytes)).toBe(0); // (toEqual walks 1.8 MB element by element)
    expect(given[0].options).toEqual({ logSeverityLevel: 3 });
  });
});

describe('onnx.createSession: models the plan leaves to writeModel', () => {
  const strippedOf = (m: Uint8Array) => onnx.read(m).model;
  const withEntry = (entry: Uint8Array, tensors: Parameters<typeof pack>[0]) => pack(tensors, { entries: { 'model.onnx': { data: entry } }, model: { kind: 'onnx', entry: 'model.onnx' } });
  const graphOf = (initializers: Uint8Array[]) => modelProto(graphProto({ nodes: [], initializers, outputs: [] }));
  const w = { dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) };

  it('4-bit tensors (packed two a byte when written) are written by writeModel, inline', async () => {
    const model = graphOf([tensorProto({ name: 'q', dataType: 22, dims: [3], raw: Uint8Array.of(0x9f, 0x07) })]);
    const { written, placed } = await bothWays(await onnx.pack(model));
    expect(placed).toBeNull();
    expect(written).toEqual(model);
  });

  it('a TensorProto that still holds values takes the tensor\'s values from writeModel', async () => {
    const file = await withEntry(graphOf([tensorProto({ name: 'w', dataType: 1, dims: [2], floats: [7, 8] })]), { w });
    const { written, placed } = await bothWays(file);
    expect(placed).toBeNull();
    expect(onnx.read(written).tensors.w).toEqual(w);
  });

  it('tensors that do not fit the model, and a damaged model, are writeModel\'s errors', async () => {
    const cases: [string, Uint8Array][] = [
      ['another dtype', await withEntry(strippedOf(graphOf([tensorProto({ name: 'w', dataType: 7, dims: [2], int64s: [1n, 2n] })])), { w })],
      ['another shape', await withEntry(strippedOf(graphOf([tensorProto({ name: 'w', dataType: 1, dims: [1, 2], floats: [1, 2] })])), { w })],
      ['a tensor the model lacks', await withEntry(strippedOf(graphOf([tensorProto({ name: 'v', dataType: 1, dims: [2], floats: [1, 2] })])), { w, v: w })],
      ['a stripped TensorProto without its tensor', await withEntry(strippedOf(graphOf([floats('w', 2), floats('v', 2)])), { w })],
      ['a field that runs past the end', await withEntry(strippedOf(graphOf([floats('w', 2)])).slice(0, -3), { w })],
    ];
    for (const [what, file] of cases) {
      const { ort } = recordingOrt();
      const archive = await open(file);
      expect(await placeOnnxTensors(archive, await archive.getEntry('model.onnx')), what).toBeNull();
      await expect(onnx.createSession(ort, file), what).rejects.toMatchObject({ code: expect.stringMatching(/^(CORRUPT|TRUNCATED)$/) });
    }
  });
});

describe('onnx-place on damaged model entries', () => {
  // silero_vad's stripped graph with bytes changed, bits flipped or cut short (a fixed LCG): the plan never throws, and
  // wherever writeModel writes the model too, the placed bytes are its bytes. The plan may place a model writeModel
  // refuses only for fields it does not read (a node input that is not UTF-8, …), which ONNX Runtime reads itself.
  it('never throws; where writeModel writes, the same bytes', () => {
    const { model, tensors } = onnx.read(REAL_ONNX_MODELS[2].bytes);
    const infos = new Map(Object.entries(tensors).map(([name, t]) => [name, t]));
    let state = 12345;
    const random = (n: number) => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % n;
    let compared = 0;
    for (let i = 0; i < 600; i++) {
      const damaged = model.slice();
      const kind = random(3);
      if (kind === 0) for (let k = random(3); k >= 0; k--) damaged[random(damaged.length)] = random(256);
      else if (kind === 1) damaged[random(damaged.length)] ^= 1 << random(8);
      const entry = kind === 2 ? damaged.subarray(0, random(damaged.length)) : damaged;
      const placed = placeModel(entry, infos);
      let written: Uint8Array | null = null;
      try {
        written = writeModel({ model: entry, tensors }, undefined, 'CORRUPT');
      } catch {
        // refused: compared only where both make a model
      }
      if (placed === null || written === null) continue;
      for (const { name, offset } of placed.places) placed.bytes.set(new Uint8Array(tensors[name].data.buffer, tensors[name].data.byteOffset, tensors[name].data.byteLength), offset);
      expect(Buffer.compare(placed.bytes, written), `mutation ${i}`).toBe(0);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
