// The .tzip container on a real model: the seven TF.js models @vladmandic/face-api ships (13.5 MB of uint8-quantized
// shards, 12.5 M weights), read with tfjs.read and packed under every quantize mode. For each mode:
// - size: ratio to the float32 weights and to the shipped TF.js shards; pack time;
// - decode: open() of the file in memory, then every tensor decoded into preallocated arrays (checksums verified),
//   in GB/s of output, beside memcpy of the same arrays and tfjs-core's io.decodeWeights of the shipped shards;
// - time to first tensor: open() plus get() of the model's first tensor, from memory;
// - partial reading: the bytes open(url) downloads from a local HTTP server (Range requests) for that one tensor.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createEngine, type QuantizeMode, type TensorInput } from 'tensorzip';
import { BENCH_SETTINGS, bestMedians } from './best-median';

await tf.setBackend('cpu');
const engine = await createEngine({ simd: true });
const DIR = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];
const MODES: QuantizeMode[] = ['lossless', 'fp16', 'bf16', 'int8', 'int4', 'auto'];

const groups: { weights: tf.io.WeightsManifestEntry[]; bytes: ArrayBuffer }[] = [];
const tensors: Record<string, TensorInput> = {};
let shippedBytes = 0;
for (const model of MODELS) {
  const manifest = JSON.parse(readFileSync(`${DIR}/${model}-weights_manifest.json`, 'utf8')) as tf.io.WeightsManifestConfig;
  const shards = Object.fromEntries(manifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(`${DIR}/${p}`))]));
  for (const group of manifest) {
    const all = Buffer.concat(group.paths.map((p) => shards[p]));
    groups.push({ weights: group.weights, bytes: all.buffer.slice(all.byteOffset, all.byteOffset + all.length) });
    shippedBytes += all.length;
  }
  for (const [name, t] of Object.entries(engine.tfjs.read({ modelJson: { weightsManifest: manifest }, shards }))) tensors[`${model}/${name}`] = t;
}
const names = Object.keys(tensors);
const outs = Object.fromEntries(names.map((n) => [n, tensors[n].data.slice()]));
const decodedBytes = names.reduce((sum, n) => sum + tensors[n].data.byteLength, 0);
const weightCount = names.reduce((sum, n) => sum + tensors[n].data.length, 0);
console.log(`${names.length} tensors, ${weightCount} weights, ${(decodedBytes / 1e6).toFixed(1)} MB as float32; shipped TF.js shards ${(shippedBytes / 1e6).toFixed(1)} MB`);

const memcpy = () => { for (const n of names) outs[n].set(tensors[n].data as never); };
const tfjsDecode = () => {
  for (const g of groups) Object.values(tf.io.decodeWeights(g.bytes, g.weights)).forEach((t) => t.dispose());
};

// A local server that counts the bytes it sends, answering Range requests.
let served = 0;
let file: Uint8Array = new Uint8Array(0);
const server = createServer((req, res) => {
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  const from = range ? Number(range[1]) : 0;
  const to = range ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
  const part = file.subarray(from, to + 1);
  served += part.length;
  res.writeHead(range ? 206 : 200, { 'content-length': part.length, ...(range ? { 'content-range': `bytes ${from}-${to}/${file.length}` } : {}) });
  res.end(part);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`;

const rows: Record<string, unknown>[] = [];
const first = names.find((n) => n.startsWith('face_recognition_model/'))!;
for (const mode of MODES) {
  const started = performance.now();
  const packed = await engine.pack(tensors, { quantize: mode, channelAxis: -1 }); // TF.js kernels: HWIO, [in, out]
  const packMs = performance.now() - started;
  const archive = await engine.open(packed);
  const pipelines = new Map<string, number>();
  for (const t of archive.tensors) {
    const key = `${t.storedDtype} → ${t.pipeline.map((s) => s.codec).join(' → ')}`;
    pipelines.set(key, (pipelines.get(key) ?? 0) + 1);
  }
  const worst = archive.tensors.reduce((m, t) => Math.max(m, t.stats?.maxAbsError ?? 0), 0);

  const decodeAll = async (verify: boolean) => {
    const a = await engine.open(packed, { verify });
    for (const n of names) await a.get(n, { out: outs[n] });
  };
  const firstTensor = async () => { await (await engine.open(packed)).get(first); };
  file = packed;
  served = 0;
  await (await engine.open(url)).get(first);
  const servedForFirst = served;

  const ms = await bestMedians(mode, {
    'open + get every tensor': () => decodeAll(true),
    'open + get every tensor, verify: false': () => decodeAll(false),
    'open + get first tensor': firstTensor,
    'memcpy (set)': memcpy,
    'tfjs-core io.decodeWeights (shipped shards)': tfjsDecode,
  });
  const gbs = (task: string) => decodedBytes / 1e6 / ms[task];
  const row = {
    mode, bytes: packed.length, ratioToFloat32: decodedBytes / packed.length, ratioToShipped: shippedBytes / packed.length,
    packMs, maxAbsError: worst, pipelines: Object.fromEntries(pipelines),
    decodeGbPerS: gbs('open + get every tensor'), decodeNoVerifyGbPerS: gbs('open + get every tensor, verify: false'),
    memcpyGbPerS: gbs('memcpy (set)'), tfjsGbPerS: gbs('tfjs-core io.decodeWeights (shipped shards)'),
    firstTensor: { name: first, ms: ms['open + get first tensor'], bytesDownloaded: servedForFirst },
  };
  rows.push(row);
  console.log(`\n## quantize: '${mode}' — ${(packed.length / 1e6).toFixed(2)} MB, ${row.ratioToFloat32.toFixed(2)}x of float32, ` +
    `${row.ratioToShipped.toFixed(2)}x of the shipped shards; packed in ${packMs.toFixed(0)} ms; worst max |error| ${worst.toPrecision(3)}`);
  console.log(`pipelines: ${[...pipelines].map(([k, v]) => `${k} ×${v}`).join('; ')}`);
  console.log('| decode | GB/s of float32 out | share of memcpy |');
  for (const task of Object.keys(ms).filter((t) => !t.includes('first'))) {
    console.log(`| ${task} | ${gbs(task).toFixed(2)} | ${(gbs(task) / gbs('memcpy (set)') * 100).toFixed(0)}% |`);
  }
  console.log(`time to first tensor (${first}, ${tensors[first].data.byteLength} B): ${ms['open + get first tensor'].toFixed(2)} ms from memory; ` +
    `open(url) downloads ${servedForFirst} of ${packed.length} bytes for it`);
}
server.close();

const out = 'bench/results/container.json';
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...BENCH_SETTINGS, model: '@vladmandic/face-api 1.7.15 model/', decodedBytes, shippedBytes, rows }, null, 2) + '\n');
console.log(`\nraw results: ${out}`);
