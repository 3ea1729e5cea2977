// How onnx.createSession should hand a .tzip's initializers to ONNX Runtime: rebuilt inline model bytes, one external
// data file, one external "file" per tensor (no concatenation), or each tensor decoded into place in the model
// (`placed`: io/onnx-place.ts, what createSession does). Each mode runs in a fresh process (argv[2]);
// prints the time from the .tzip's bytes to a ready session and the peak resident memory.
//   node build/onnx-session-load.mjs [original|inline|external-one|external-each|placed]   (bundled by the runner below)
//   node build/onnx-session-load.mjs run   — builds the model and the .tzip once, then runs every mode 3 times
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { open, pack, onnx } from '../src/index';
import { placeOnnxTensors, readOnnxArchive, readOnnxEntry } from '../src/io/onnx-archive';
import { writeModel } from '../src/io/onnx-write';
import { graphProto, modelProto, nodeProto, tensorProto, valueInfo } from '../test/helpers/onnx-builder';

const LAYERS = 12;
const N = 2048;
const MODEL = 'build/onnx-session-load.onnx';
const TZIP = 'build/onnx-session-load.tzip';

async function prepare(): Promise<void> {
  if (existsSync(TZIP)) return;
  // The graph with stripped initializers, and the weights as tensors: onnx.write makes the .onnx.
  const tensors = Object.fromEntries(Array.from({ length: LAYERS }, (_, l) => {
    const w = new Float32Array(N * N);
    for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * 0.001 + l) * 0.02;
    return [`w${l}`, { dtype: 'float32' as const, shape: [N, N], data: w }];
  }));
  const nodes = Object.keys(tensors).map((w, l) => nodeProto('MatMul', [l === 0 ? 'x' : `h${l - 1}`, w], [l === LAYERS - 1 ? 'y' : `h${l}`]));
  const stripped = Object.keys(tensors).map((name) => tensorProto({ name, dataType: 1, dims: [N, N] }));
  const model = onnx.write({ model: modelProto(graphProto({ nodes, initializers: stripped, inputs: [valueInfo('x', 1, [1, N])], outputs: [valueInfo('y', 1, [1, N])] })), tensors }).model;
  writeFileSync(MODEL, model);
  const read = onnx.read(model);
  writeFileSync(TZIP, await pack(read.tensors, { quantize: 'lossless', entries: { 'model.onnx': { data: read.model } }, model: { kind: 'onnx', entry: 'model.onnx' } }));
}

async function load(mode: string): Promise<ort.InferenceSession> {
  if (mode === 'original') return ort.InferenceSession.create(readFileSync(MODEL));
  if (mode === 'placed') {
    const archive = await open(readFileSync(TZIP));
    return ort.InferenceSession.create((await placeOnnxTensors(archive, await readOnnxEntry(archive, 'bench')))!);
  }
  const m = await readOnnxArchive(await open(readFileSync(TZIP)), 'bench');
  if (mode === 'inline') return ort.InferenceSession.create(writeModel(m, undefined, 'CORRUPT'));
  if (mode === 'external-one') {
    const files = onnx.write(m, { externalData: 'weights.bin' });
    return ort.InferenceSession.create(files.model, { externalData: [files.externalData!] });
  }
  const externalData: { path: string; data: Uint8Array }[] = [];
  const model = writeModel(m, (_, data) => {
    externalData.push({ path: `t${externalData.length}`, data });
    return { location: `t${externalData.length - 1}`, offset: 0 };
  }, 'CORRUPT');
  return ort.InferenceSession.create(model, { externalData });
}

const mode = process.argv[2];
if (mode === 'run') {
  await prepare();
  console.log(`model: ${LAYERS} MatMul weights of ${N}×${N} float32 (${(LAYERS * N * N * 4) / 2 ** 20} MiB); .tzip lossless ${(readFileSync(TZIP).length / 2 ** 20).toFixed(1)} MiB`);
  for (const m of ['original', 'inline', 'external-one', 'external-each', 'placed']) {
    const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [process.argv[1], m], { encoding: 'utf8' })));
    const best = (k: string) => Math.min(...runs.map((r) => r[k]));
    console.log(`${m.padEnd(14)} ready in ${best('ms').toFixed(0)} ms (best of 3), peak RSS ${(best('peakRss') / 2 ** 20).toFixed(0)} MiB`);
  }
} else {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
  const t0 = performance.now();
  const session = await load(mode);
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  const y = (await session.run({ x: new ort.Tensor('float32', new Float32Array(N).fill(0.01), [1, N]) })).y.data as Float32Array;
  process.stdout.write(JSON.stringify({ ms, peakRss: peak, y0: y[0] }));
}
