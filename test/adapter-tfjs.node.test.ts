// tfjs.ioHandler with the real framework: TF.js graph models @vladmandic/human ships (float32, float16 and
// uint8-quantized weights) loaded by tfjs-converter's loadGraphModel from their original files and from a .tzip give
// bit-identical outputs when packed lossless, and outputs within a recorded bound under int8; a layers model built
// and saved by tfjs-layers loads back through loadLayersModel the same way. Weights reach TF.js as the files stored
// them: uint8 and float16 codes with their quantization, never widened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, pack, tfjs, TensorzipError, type TfjsModel, type TfjsModelArtifacts } from '../src/index';
import { random } from './helpers/data';
import { loadHumanModel } from './helpers/human-models';
import { readRepoFile } from './helpers/files';
import { readPng } from './helpers/png';
import { requestedRange } from './helpers/byte-range';
import { freedWhile } from './helpers/freed-buffers';


/** The original files through tfjs-core's own model.json reader (what tf.io.http does after fetching them). */
function originalHandler({ modelJson, shards }: TfjsModel): tf.io.IOHandler {
  return {
    load: () => tf.io.getModelArtifactsForJSON(modelJson as unknown as tf.io.ModelJSON, async (manifest) => {
      const parts = manifest.flatMap((g) => g.paths.map((p) => shards[p]));
      return [manifest.flatMap((g) => g.weights), tf.io.concatenateArrayBuffers(parts.map((p) => p.slice().buffer))];
    }),
  };
}

const bitsOf = (t: tf.Tensor) => new Uint8Array((t.dataSync() as Float32Array).slice().buffer);
const sameBits = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const concatenated = (parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, s) => n + s.length, 0));
  parts.reduce((at, s) => (all.set(s, at), at + s.length), 0);
  return all;
};

/** Every output of `model` on `input`, as arrays (executeAsync: some graphs hold dynamic ops). */
async function run(model: Awaited<ReturnType<typeof loadGraphModel>>, input: tf.Tensor): Promise<tf.Tensor[]> {
  const out = await model.executeAsync(input);
  return Array.isArray(out) ? out : [out];
}

/** A group photo from face-api's demo page (its screenshot's second sample), and the leftmost face in it. */
let photo: tf.Tensor3D;
let face: tf.Tensor3D;

interface Case {
  name: string;
  weights: string;
  input: () => tf.Tensor;
  /** Largest |output difference| under int8, relative to the largest |output|: measured on the photo (emotion 0.036,
   *  antispoof 0.00016, movenet 0.19 — a keypoint's score, 0.317 → 0.127; its coordinates move by up to 0.054), with
   *  room. */
  int8Bound: number;
}

const next = random(2020);
const resized = (image: tf.Tensor3D, size: number) => tf.expandDims(tf.image.resizeBilinear(image, [size, size]), 0);
const CASES: Case[] = [
  { name: 'emotion', weights: 'float32', input: () => tf.div(tf.mean(resized(face, 64), 3, true), 255), int8Bound: 0.06 },
  { name: 'antispoof', weights: 'float16', input: () => tf.div(resized(face, 128), 255), int8Bound: 0.001 },
  { name: 'movenet-lightning', weights: 'float16', input: () => tf.cast(resized(photo, 192), 'int32'), int8Bound: 0.3 },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const screenshot = readPng(await readRepoFile('node_modules/@vladmandic/face-api/demo/screenshot-images.png'));
  const [left, top, width, height] = [0, 426, 382, 307];
  const pixels = new Int32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = ((top + y) * screenshot.width + left) * 3;
    pixels.set(screenshot.data.subarray(row, row + width * 3), y * width * 3);
  }
  photo = tf.tensor3d(pixels, [height, width, 3], 'int32');
  face = tf.slice(photo, [96, 40, 0], [60, 52, 3]);
});

describe.each(CASES)('tfjs.ioHandler with tf.loadGraphModel: $name ($weights weights)', ({ name, input, int8Bound }) => {
  let files: TfjsModel;
  let expected: tf.Tensor[];
  let x: tf.Tensor;

  beforeAll(async () => {
    files = await loadHumanModel(name);
    x = input();
    expected = await run(await loadGraphModel(originalHandler(files)), x);
  });

  it('lossless: the same outputs bit for bit, and the weights as the files stored them (nothing widened)', async () => {
    const bytes = await tfjs.pack(files, { quantize: 'lossless' });
    const archive = await open(bytes);
    expect(archive.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    const artifacts = await tfjs.ioHandler(bytes).load();
    const shipped = Object.values(files.shards).reduce((n, s) => n + s.length, 0);
    expect(artifacts.weightData.byteLength).toBe(shipped);
    const specs = files.modelJson.weightsManifest.flatMap((g) => g.weights);
    expect(artifacts.weightSpecs.map((w) => [w.name, w.dtype, w.quantization?.dtype])).toEqual(specs.map((w) => [w.name, w.dtype, w.quantization?.dtype]));
    const model = await loadGraphModel(tfjs.ioHandler(bytes));
    const got = await run(model, x);
    expect(got.length).toBe(expected.length);
    got.forEach((t, i) => expect(sameBits(bitsOf(t), bitsOf(expected[i])), `output ${i}`).toBe(true));
  });

  it(`int8: outputs within ${int8Bound} of the largest output, from a smaller file`, async () => {
    const lossless = await tfjs.pack(files, { quantize: 'lossless' });
    const bytes = await tfjs.pack(files, { quantize: 'int8' });
    expect(bytes.length).toBeLessThan(lossless.length);
    const got = await run(await loadGraphModel(tfjs.ioHandler(await open(bytes))), x);
    got.forEach((t, i) => {
      const [a, b] = [t.dataSync(), expected[i].dataSync()];
      const scale = Math.max(...Array.from(b, Math.abs));
      const worst = Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k])));
      expect(worst / scale, `output ${i}: max |Δ| ${worst} of max |y| ${scale}`).toBeLessThan(int8Bound);
    });
  });
});

describe('tfjs.ioHandler: sources, progress and refusals', () => {
  let files: TfjsModel;
  let bytes: Uint8Array;
  beforeAll(async () => {
    files = await loadHumanModel('handtrack'); // uint8-quantized weights
    bytes = await tfjs.pack(files, { quantize: 'lossless' });
  });

  it('uint8-quantized weights reach TF.js as their codes, with the manifest\'s scale and min', async () => {
    const artifacts = await tfjs.ioHandler(bytes).load();
    const shipped = files.modelJson.weightsManifest.flatMap((g) => g.weights);
    expect(artifacts.weightSpecs).toEqual(shipped.map((w) => ({ ...w, ...(w.quantization ? { quantization: { ...w.quantization, original_dtype: 'float32' } } : {}) })));
    expect(sameBits(new Uint8Array(artifacts.weightData), concatenated(Object.values(files.shards)))).toBe(true);
  });

  it('reads a URL (Range requests) and reports progress up to the file size; a model of a few MB in one request', async () => {
    const ranges: (string | undefined)[] = [];
    const server: Server = createServer((req, res) => {
      ranges.push(req.headers.range);
      const range = requestedRange(req.headers.range, bytes.length);
      const { from, to } = range ?? { from: 0, to: bytes.length - 1 };
      res.writeHead(range ? 206 : 200, { 'content-range': `bytes ${from}-${to}/${bytes.length}`, 'content-length': to - from + 1 });
      res.end(bytes.subarray(from, to + 1));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const seen: [number, number][] = [];
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.tzip`;
      let artifacts!: TfjsModelArtifacts;
      const freed = await freedWhile(async () => (artifacts = await tfjs.ioHandler(url, { onProgress: (done, total) => seen.push([done, total]) }).load()));
      // The file it downloaded is freed before TF.js gets the weights, which are intact (the shards' bytes).
      expect(freed).toEqual([bytes.length]);
      expect(sameBits(new Uint8Array(artifacts.weightData), concatenated(Object.values(files.shards)))).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)![1]).toBe(bytes.length);
      expect(Math.max(...seen.map(([d]) => d))).toBeLessThanOrEqual(bytes.length);
      // Every weight is read: the first request asks for the first 8 MiB (as onnx.createSession's), not 64 KiB at each end.
      expect(ranges).toEqual([`bytes=0-${(8 << 20) - 1}`]);
    } finally {
      server.close();
    }
  });

  it('over a slow connection the weights decode while the rest of the file downloads (not after its last byte)', async () => {
    let lastByteAt = 0;
    const server: Server = createServer((req, res) => {
      const range = requestedRange(req.headers.range, bytes.length);
      const { from, to } = range ?? { from: 0, to: bytes.length - 1 };
      res.writeHead(range ? 206 : 200, { 'content-range': `bytes ${from}-${to}/${bytes.length}`, 'content-length': to - from + 1 });
      // 64 KiB every 20 ms: about 3.3 MB/s.
      let at = from;
      const pump = () => {
        if (at > to) return void res.end();
        res.write(bytes.subarray(at, Math.min(at + 65536, to + 1)));
        at += 65536;
        lastByteAt = performance.now();
        setTimeout(pump, 20);
      };
      pump();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const decodedAt: number[] = [];
      const archive = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/m.tzip`);
      let artifacts!: TfjsModelArtifacts;
      const freed = await freedWhile(async () => (artifacts = await tfjs.ioHandler(archive, { onProgress: () => decodedAt.push(performance.now()) }).load()));
      expect(freed).toEqual([]); // an archive the caller opened stays open
      expect(artifacts.weightData.byteLength).toBe(Object.values(files.shards).reduce((n, s) => n + s.length, 0));
      expect(decodedAt.length).toBeGreaterThan(10);
      expect(decodedAt[0]).toBeLessThan(lastByteAt - 200); // the first weights well before the last byte was sent
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('an archive already open reports weights decoded, ending at all of them', async () => {
    const seen: number[][] = [];
    const artifacts = await tfjs.ioHandler(await open(bytes), { onProgress: (done, total) => seen.push([done, total]) }).load();
    expect(seen.at(-1)).toEqual([artifacts.weightData.byteLength, artifacts.weightData.byteLength]);
  });

  it('UNSUPPORTED for an archive without a model or with a model of another kind', async () => {
    const weightsOnly = await pack({ w: { dtype: 'float32', shape: [4], data: new Float32Array(4) } });
    const onnx = await pack({}, { entries: { 'model.onnx': { data: new Uint8Array(8) } }, model: { kind: 'onnx', entry: 'model.onnx' } });
    for (const file of [weightsOnly, onnx]) {
      const err = await tfjs.ioHandler(file).load().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TensorzipError);
      expect((err as TensorzipError).code).toBe('UNSUPPORTED');
    }
  });
});

describe('tfjs.ioHandler with tf.loadLayersModel', () => {
  let saved: tf.io.ModelArtifacts;
  let model: tfl.LayersModel;
  afterAll(() => model?.dispose());

  it('a model tfjs-layers built and saved loads back with the same predictions, bit for bit', async () => {
    model = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const modelJson = { format: 'layers-model', generatedBy: 'tfjs-layers', modelTopology: saved.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: saved.weightSpecs! }] };
    const bytes = await tfjs.pack({ modelJson: modelJson as unknown as TfjsModel['modelJson'], shards: { 'w.bin': new Uint8Array(saved.weightData as ArrayBuffer) } }, { quantize: 'lossless' });
    expect((await open(bytes)).model?.kind).toBe('tfjs-layers');
    const loaded = await tfl.loadLayersModel(tfjs.ioHandler(bytes));
    const x = tf.tensor4d(Float32Array.from({ length: 128 }, () => next() - 0.5), [1, 8, 8, 2]);
    expect(sameBits(bitsOf(loaded.predict(x) as tf.Tensor), bitsOf(model.predict(x) as tf.Tensor))).toBe(true);
    loaded.dispose();
  });
});
