// Decoding face-api's 7 TF.js models, all in one process: the lossless .tzip pack() writes of their uint8 codes
// (tfjs.read with codes; open() with checksums + get() of every tensor as float32, the values TF.js computes), beside
// memcpy of those float32 values and the peers that decode the shipped shards (uint8 codes TF.js still has to
// dequantize): @foxglove/wasm-zstd at level 19 and node's brotli at quality 11. Also the regroup stage alone: the
// tensors pack() regroups, decoded through pipeline.decodeChunk as written and as one Huffman code (huffman 1).
// MB/s of each one's output, CPU time per call, best of BENCH_ROUNDS (default 5) rounds.
// Run: node scripts/bench.mjs face-api-decode
import { readFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import * as zstd from '@foxglove/wasm-zstd';
import { createEngine, type PipelineStage, type QuantizedTensorInput, type TensorInput } from 'tensorzip';
import { cpuTimes } from './cpu-times';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME ?? 200);
const FACE_API = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];

await zstd.isLoaded;
const engine = await createEngine({ simd: true });

interface Model {
  tzip: Uint8Array;
  names: string[];
  outs: Record<string, Float32Array | Int32Array>;
  shards: Uint8Array[];
  tensors: Record<string, TensorInput | QuantizedTensorInput>;
}

const models: Model[] = [];
for (const model of MODELS) {
  const manifest = JSON.parse(readFileSync(`${FACE_API}/${model}-weights_manifest.json`, 'utf8'));
  const paths: string[] = manifest.flatMap((g: { paths: string[] }) => g.paths);
  const shardMap = Object.fromEntries(paths.map((p) => [p, new Uint8Array(readFileSync(`${FACE_API}/${p}`))]));
  const tensors = engine.tfjs.read({ modelJson: { weightsManifest: manifest }, shards: shardMap }, { codes: true });
  const tzip = await engine.pack(tensors, { quantize: 'lossless' });
  const archive = await engine.open(tzip);
  const names = archive.tensors.map((t) => t.name);
  const outs = Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await archive.get(n)).data as Float32Array | Int32Array])));
  models.push({ tzip, names, outs, shards: Object.values(shardMap), tensors });
}

const shards = models.flatMap((m) => m.shards);
const shardBytes = shards.reduce((n, s) => n + s.length, 0);
const floatBytes = models.reduce((n, m) => n + Object.values(m.outs).reduce((k, o) => k + o.byteLength, 0), 0);
const zstd19 = shards.map((s) => zstd.compress(s, 19));
const brotli11 = shards.map((s) => brotliCompressSync(s, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: s.length } }));
const copies = models.map((m) => Object.fromEntries(m.names.map((n) => [n, m.outs[n].slice()])));

const tasks: Record<string, () => unknown> = {
  '.tzip lossless (open + get, float32 out)': async () => {
    for (const m of models) {
      const archive = await engine.open(m.tzip);
      for (const n of m.names) await archive.get(n, { out: m.outs[n] as never });
    }
  },
  'memcpy (float32 out)': () => {
    models.forEach((m, k) => { for (const n of m.names) m.outs[n].set(copies[k][n] as never); });
  },
  'zstd-19 wasm-zstd (shards out)': () => zstd19.forEach((c, k) => zstd.decompress(c, shards[k].length)),
  'brotli-11 node (shards out)': () => brotli11.forEach((c) => brotliDecompressSync(c)),
};
const outputBytes: Record<string, number> = {
  '.tzip lossless (open + get, float32 out)': floatBytes, 'memcpy (float32 out)': floatBytes,
  'zstd-19 wasm-zstd (shards out)': shardBytes, 'brotli-11 node (shards out)': shardBytes,
};
const sizes: Record<string, number> = {
  '.tzip lossless (open + get, float32 out)': models.reduce((n, m) => n + m.tzip.length, 0),
  'zstd-19 wasm-zstd (shards out)': zstd19.reduce((n, c) => n + c.length, 0),
  'brotli-11 node (shards out)': brotli11.reduce((n, c) => n + c.length, 0),
};

// The regrouped tensors: their codes encoded as pack() chose and as one Huffman code, decoded to float32.
const regrouped: { chunk: Uint8Array; one: Uint8Array; pipeline: PipelineStage[]; count: number; tfjs: { scale: number; min: number } }[] = [];
for (const m of models) {
  const archive = await engine.open(m.tzip);
  for (const t of archive.tensors) {
    if (t.pipeline[0]?.codec !== 'regroup') continue;
    const { quantized } = m.tensors[t.name] as QuantizedTensorInput;
    const codes = quantized.data as Uint8Array;
    const tfjs = { scale: (quantized as unknown as { scale: number }).scale, min: (quantized as unknown as { min: number }).min };
    regrouped.push({ chunk: engine.pipeline.encodeChunk(codes, t.pipeline), one: engine.pipeline.encodeChunk(codes, [{ codec: 'huffman', planes: 1 }]), pipeline: t.pipeline, count: codes.length, tfjs });
  }
}
const regroupedCodes = regrouped.reduce((n, r) => n + r.count, 0);
tasks['regrouped tensors: regroup + huffman K (float32 out)'] = () => regrouped.forEach((r) => engine.pipeline.decodeChunk(r.chunk, r.pipeline, { dtype: 'tfjs_uint8', count: r.count, tfjs: r.tfjs }));
tasks['regrouped tensors: huffman 1 (float32 out)'] = () => regrouped.forEach((r) => engine.pipeline.decodeChunk(r.one, [{ codec: 'huffman', planes: 1 }], { dtype: 'tfjs_uint8', count: r.count, tfjs: r.tfjs }));
outputBytes['regrouped tensors: regroup + huffman K (float32 out)'] = outputBytes['regrouped tensors: huffman 1 (float32 out)'] = 4 * regroupedCodes;
sizes['regrouped tensors: regroup + huffman K (float32 out)'] = regrouped.reduce((n, r) => n + r.chunk.length, 0);
sizes['regrouped tensors: huffman 1 (float32 out)'] = regrouped.reduce((n, r) => n + r.one.length, 0);

const times = await cpuTimes(tasks, ROUNDS, TIME_MS);
console.log(`face-api: ${(shardBytes / 1e6).toFixed(2)} MB of shards, ${(floatBytes / 1e6).toFixed(2)} MB as float32; ${regrouped.length} regrouped tensors (${(regroupedCodes / 1e6).toFixed(2)} M codes)\n`);
console.log('| decoder | encoded MB | MB/s of its output | ms per call |');
console.log('|---|---:|---:|---:|');
for (const [task, ms] of Object.entries(times)) {
  console.log(`| ${task} | ${sizes[task] === undefined ? '—' : (sizes[task] / 1e6).toFixed(3)} | ${(outputBytes[task] / 1e3 / ms).toFixed(0)} | ${ms.toFixed(1)} |`);
}
