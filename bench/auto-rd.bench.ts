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
import { tfjsCoreLoad } from '../test/helpers/tfjs-core-load';
import { FACE_API_MODELS, loadFaceApiModel } from '../test/helpers/face-api';
import { loadHumanModel } from '../test/helpers/human-models';
import { argmax, cosine, HUMAN_CASES as tfjsCases, type Outputs } from './human-cases';

await init();
await tf.setBackend('cpu');
const QUALITIES = (process.env.BENCH_QUALITIES ?? '35,38,40').split(',').map(Number);
/** BENCH_CALIBRATE=0.995 adds a row per model packed by calibrate() at that output cosine (comma-separated: several). */
const CALIBRATE = (process.env.BENCH_CALIBRATE ?? '0.995').split(',').filter(Boolean).map(Number);
/** BENCH_MODELS=blazeface,emotion runs the models whose names hold one of these words (default: all). */
const ONLY = process.env.BENCH_MODELS?.split(',');
const chosen = (name: string) => ONLY === undefined || ONLY.some((w) => name.includes(w));

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
