// pack's default 'auto' (rate control at `quality` dB per tensor) on real float32 models from npm, run in their real
// framework before and after: the openwakeword ONNX models in onnxruntime-node, TF.js graph models of
// @vladmandic/human in tfjs-core's CPU backend. Per model and quality: the ratio of the tensors as the framework
// holds them (float32, integers at their width) to the file less its model graph, bits per weight, the share of the stored bytes in tensors kept exact, the outputs' cosine (lowest over outputs and inputs), the task's answer (argmax, detection, decision),
// pack time, and decode speed (archive.getAll(), float32 out, one thread, best of 5). face-api's shipped-uint8 models
// are packed too: 'auto' keeps their codes, so their weights decode to exactly the shipped values.
// BENCH_QUALITIES=30,35,40 picks the qualities (default: 35, 38 — the default — and 40); BENCH_CALIBRATE the cosine
// targets of calibrate() rows (default 0.995; empty: none), each calibrated on the input its answer is judged on, with
// the same answer as its `accept`.
import { writeFileSync } from 'node:fs';
import zlib, { brotliCompressSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { calibrate, init, onnx, open, pack, tfjs, type Archive, type CalibrationOutput, type TensorInput } from 'tensorzip';
import { REAL_ONNX_MODELS } from '../test/helpers/onnx-models';
import { readRepoFile } from '../test/helpers/files';
import { readPng } from '../test/helpers/png';
import { tfjsCoreLoad } from '../test/helpers/tfjs-core-load';
import { FACE_API_MODELS, loadFaceApiModel } from '../test/helpers/face-api';
import { loadHumanModel } from '../test/helpers/human-models';

await init();
await tf.setBackend('cpu');
const QUALITIES = (process.env.BENCH_QUALITIES ?? '35,38,40').split(',').map(Number);
/** BENCH_CALIBRATE=0.995 adds a row per model packed by calibrate() at that output cosine (comma-separated: several). */
const CALIBRATE = (process.env.BENCH_CALIBRATE ?? '0.995').split(',').filter(Boolean).map(Number);
/** BENCH_MODELS=blazeface,emotion runs the models whose names hold one of these words (default: all). */
const ONLY = process.env.BENCH_MODELS?.split(',');
const chosen = (name: string) => ONLY === undefined || ONLY.some((w) => name.includes(w));

type Outputs = Float32Array[];

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

interface Model {
  name: string;
  framework: 'onnxruntime-node' | 'tfjs-core cpu';
  pack(quality: number): Promise<Uint8Array>;
  /** calibrate() at a cosine target, with the inputs the answer is judged on as its samples, and the same answer. */
  calibrate(minOutputCosine: number, accept: (original: readonly CalibrationOutput[][], candidate: readonly CalibrationOutput[][]) => boolean): Promise<Uint8Array>;
  run(source: 'original' | Archive): Promise<Outputs>;
  /** The task's answer from the outputs, compared as a string. */
  answer(outputs: Outputs): string;
}

const floats = (d: unknown) => Float32Array.from(d as ArrayLike<number>);

const onnxModels: Model[] = REAL_ONNX_MODELS.map((m) => {
  const runModel = async (bytes: Uint8Array) => {
    const session = await ort.InferenceSession.create(bytes);
    const outs: Outputs = [];
    for (const feed of m.feeds(ort)) for (const t of Object.values(await session.run(feed))) if (t.type === 'float32') outs.push(floats(t.data));
    return outs;
  };
  const answers: Record<string, (o: Outputs) => string> = {
    // silero VAD: speech or not (probability ≥ 0.5) per sample rate; a wake word: detected or not; features: none.
    'silero_vad.onnx': (o) => o.filter((x) => x.length === 1).map((x) => (x[0] >= 0.5 ? 'speech' : 'silence')).join(','),
    'hey_jarvis_v0.1.onnx': (o) => (o[0][0] >= 0.5 ? 'wake' : 'no wake'),
  };
  return {
    name: m.file, framework: 'onnxruntime-node',
    pack: async (quality) => onnx.pack(m.bytes, { quantize: 'auto', quality }),
    calibrate: async (minOutputCosine, accept) => {
      const inputs = m.feeds(ort).map((feed) => Object.fromEntries(Object.entries(feed).map(([k, t]) => [k, { dtype: t.type, shape: [...t.dims], data: t.data } as TensorInput])));
      return (await calibrate({ onnx: m.bytes }, { framework: { ort }, minOutputCosine, inputs, accept })).bytes;
    },
    run: async (source) => runModel(source === 'original' ? m.bytes : (await onnx.unpack(source)).model),
    answer: answers[m.file] ?? ((o) => `argmax ${o.map(argmax).join(',')}`),
  };
});


/** face-api's demo photo (the group on its screenshot) and the leftmost face in it, as in the adapter tests. */
const screenshot = readPng(await readRepoFile('node_modules/@vladmandic/face-api/demo/screenshot-images.png'));
const [left, top, width, height] = [0, 426, 382, 307];
const pixels = new Int32Array(width * height * 3);
for (let y = 0; y < height; y++) {
  const row = ((top + y) * screenshot.width + left) * 3;
  pixels.set(screenshot.data.subarray(row, row + width * 3), y * width * 3);
}
const photo = tf.tensor3d(pixels, [height, width, 3], 'int32');
const face = tf.slice(photo, [96, 40, 0], [60, 52, 3]);
const LUMA = tf.tensor1d([0.2989, 0.587, 0.114]);
const resized = (image: tf.Tensor3D, size: number) => tf.expandDims(tf.image.resizeBilinear(image, [size, size]), 0);

const tfjsCases: { name: string; input: () => tf.Tensor; answer: (o: Outputs) => string }[] = [
  // Inputs prepared as @vladmandic/human prepares them: emotion takes luma (its RGB weights) scaled to -1..1,
  // antispoof RGB in 0..1, blazeface RGB in -1..1, MoveNet int32 pixels.
  { name: 'emotion', input: () => tf.sub(tf.mul(tf.sum(tf.mul(tf.div(resized(face, 64), 255), LUMA), 3, true), 2), 1), answer: (o) => `class ${argmax(o[0])}` },
  { name: 'antispoof', input: () => tf.div(resized(face, 128), 255), answer: (o) => (o[0][0] >= 0.5 ? 'real' : 'fake') },
  // blazeface: where faces are, as the cells of an 8x8 grid over the photo holding an anchor of face score ≥ 0.5
  // (logit ≥ 0). Its four outputs, as human reads them: the scores of 512 anchors (two per cell of 16x16) and of 384
  // (six per cell of 8x8), [1, n, 1] each, beside their boxes [1, n, 16].
  { name: 'blazeface', input: () => tf.sub(tf.div(resized(photo, 256), 127.5), 1), answer: (o) => {
    const scores = (n: number) => o.find((x) => x.length === n)!;
    const logits = [...scores(512), ...scores(384)];
    const cells = new Set<number>();
    for (let i = 0; i < 896; i++) {
      if (logits[i] < 0) continue;
      const cell16 = i >> 1;
      cells.add(i < 512 ? ((cell16 >> 5) << 3) + ((cell16 & 15) >> 1) : Math.floor((i - 512) / 6));
    }
    return `faces in cells ${[...cells].sort((a, b) => a - b).join(',')}`;
  } },
  // movenet: the 17 keypoints; the answer holds when none of those it finds (score ≥ 0.3) moves by 2% of the image.
  { name: 'movenet-lightning', input: () => tf.cast(resized(photo, 192), 'int32'), answer: (o) => `${Array.from({ length: 17 }, (_, k) => o[0][3 * k + 2] >= 0.3).filter(Boolean).length} keypoints` },
];

/** The largest move of a keypoint movenet finds (score ≥ 0.3 in the original), as a share of the image side. */
function keypointMove(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let k = 0; k < 17; k++) if (a[3 * k + 2] >= 0.3) worst = Math.max(worst, Math.abs(a[3 * k] - b[3 * k]), Math.abs(a[3 * k + 1] - b[3 * k + 1]));
  return worst;
}

const tfjsModels: Model[] = await Promise.all(tfjsCases.map(async (c) => {
  const files = await loadHumanModel(c.name);
  const x = c.input();
  const runHandler = async (handler: tf.io.IOHandler) => {
    const model = await loadGraphModel(handler);
    const out = await model.executeAsync(x);
    return (Array.isArray(out) ? out : [out]).map((t) => floats(t.dataSync()));
  };
  const original: tf.io.IOHandler = {
    load: () => tf.io.getModelArtifactsForJSON(files.modelJson as unknown as tf.io.ModelJSON, async (manifest) => {
      const parts = manifest.flatMap((g) => g.paths.map((p) => files.shards[p]));
      return [manifest.flatMap((g) => g.weights), tf.io.concatenateArrayBuffers(parts.map((p) => p.slice().buffer))];
    }),
  };
  return {
    name: `${c.name} (human)`, framework: 'tfjs-core cpu' as const,
    pack: async (quality: number) => tfjs.pack(files, { quantize: 'auto', quality }),
    calibrate: async (minOutputCosine: number, accept) => {
      const input = (await loadGraphModel(original)).inputs[0].name;
      const data = x.dataSync();
      const sample = { dtype: x.dtype, shape: x.shape, data } as TensorInput;
      return (await calibrate({ tfjs: files }, { framework: { tf: { ...tf, loadGraphModel } as never }, minOutputCosine, inputs: { [input]: sample }, accept })).bytes;
    },
    run: (source: 'original' | Archive) => runHandler(source === 'original' ? original : tfjs.ioHandler(source) as unknown as tf.io.IOHandler),
    answer: c.answer,
  };
}));

async function decodeMBps(archive: Archive, floatBytes: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await archive.getAll();
    best = Math.min(best, performance.now() - t0);
  }
  return floatBytes / 1e6 / (best / 1e3);
}

/** The task's answer holds: the same answer string, and for MoveNet no keypoint it finds moved by 2% of the image. */
const sameAnswer = (model: Model, expected: Outputs, got: Outputs) =>
  model.answer(got) === model.answer(expected) && (!model.name.startsWith('movenet') || keypointMove(expected[0], got[0]) < 0.02);
/** calibrate()'s outputs of every sample, one after another, as the runs above give them. */
const asOutputs = (samples: readonly CalibrationOutput[][]): Outputs => samples.flat().map((o) => Float32Array.from(o.values));

const rows: Record<string, unknown>[] = [];
for (const model of [...onnxModels, ...tfjsModels].filter((m) => chosen(m.name))) {
  const expected = await model.run('original');
  for (const quality of [...QUALITIES, ...CALIBRATE.map((c) => `calibrated ${c}`)]) {
    const t0 = performance.now();
    const bytes = typeof quality === 'number' ? await model.pack(quality)
      : await model.calibrate(Number(quality.split(' ')[1]), (original, candidate) => sameAnswer(model, asOutputs(original), asOutputs(candidate)));
    const packMs = performance.now() - t0;
    const archive = await open(bytes);
    const elements = archive.tensors.reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0);
    // The file less the model's graph (index and framing counted as the weights' cost), so that tensors stored once
    // for several names (silero's If branches share 44% of their weights) count once, as they download.
    const weightBytes = bytes.length - archive.entries.reduce((n, e) => n + e.encodedBytes, 0);
    const tensorBytes = archive.tensors.reduce((n, t) => n + t.encodedBytes, 0);
    // The model's tensors as float32 (and its integer tensors at their own width), as the framework holds them.
    const decodedBytes = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0);
    // What the tensors 'auto' keeps exact (small ones, integers) cost: the part of the file rate control cannot touch.
    const exactBytes = archive.tensors.reduce((n, t) => n + (t.stats === null ? t.encodedBytes : 0), 0);
    const got = await model.run(archive);
    const cos = Math.min(...expected.map((e, i) => cosine(e, got[i])));
    const stored: Record<string, number> = {};
    for (const t of archive.tensors) stored[t.storedDtype] = (stored[t.storedDtype] ?? 0) + 1;
    const row = {
      model: model.name, framework: model.framework, quality, decodedBytes, weightBytes, exactShare: exactBytes / tensorBytes, fileBytes: bytes.length,
      ratio: decodedBytes / weightBytes, bitsPerWeight: weightBytes * 8 / elements, outputCosine: cos,
      answer: model.answer(got), answerUnchanged: sameAnswer(model, expected, got),
      ...(model.name.startsWith('movenet') ? { keypointMove: keypointMove(expected[0], got[0]) } : {}), packMs,
      decodeMBps: await decodeMBps(archive, decodedBytes), stored,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}

// face-api's shipped uint8 models: 'auto' keeps the codes, so the weights read back are the shipped ones exactly.
const faceApi: Record<string, unknown>[] = [];
for (const name of ONLY === undefined ? FACE_API_MODELS : []) {
  const model = await loadFaceApiModel(name);
  const shipped = tfjsCoreLoad(model);
  const archive = await open(await pack(tfjs.read(model, { codes: true }), { quantize: 'auto' }));
  const back = await archive.getAll();
  let maxDiff = 0;
  for (const [n, w] of Object.entries(shipped)) for (let i = 0; i < w.values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w.values[i] - Number(back[n].data[i])));
  const all = Object.values(model.shards);
  const joined = new Uint8Array(all.reduce((n, s) => n + s.length, 0));
  all.reduce((at, s) => (joined.set(s, at), at + s.length), 0);
  const brotli11 = brotliCompressSync(joined, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: joined.length } }).length;
  const row = { model: `${name} (face-api, uint8)`, shardBytes: joined.length, brotli11, weightBytes: archive.tensors.reduce((n, t) => n + t.encodedBytes, 0), maxDiffFromShipped: maxDiff };
  faceApi.push(row);
  console.log(JSON.stringify(row));
}

// A partial run (BENCH_MODELS) prints its rows and leaves the results file alone.
if (ONLY === undefined) writeFileSync('bench/results/auto-rd.json', `${JSON.stringify({ qualities: QUALITIES, rows, faceApi }, null, 1)}\n`);
