// Cold start: the first full decode after init() against later ones, in fresh Node processes and fresh Chromium
// browsers (BENCH_PROCESSES of each, default 5; one process or browser per input and output mode, since V8 shares a
// module's compiled code within a process). Inputs: face-api's seven models (tfjs.read) packed lossless and int8,
// and an LZ4 frame of their first 20 MB of float32 weights. A pass is open() plus get() of every tensor (the frame:
// lz4.decompress), into preallocated arrays already written once (`get(name, { out })`) or into new ones. The cold
// pass is the first after init(); warm is the median of the later passes. Each row prints medians over the runs, and
// for Node the ratio of the main thread's CPU times too (on a shared machine, wall times swing with the load).
// TENSORZIP_BUILD=path/to/index.mjs times another build of the library (e.g. one from before a change) instead of dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { createEngine, type TensorInput } from 'tensorzip';
import { faceApiWeights } from '../test/helpers/face-api';

const RUNS = Number(process.env.BENCH_PROCESSES ?? 5);
const PASSES = 10;
const CHILD = 'TENSORZIP_BENCH_CHILD';
const DIR = 'build/bench/cold-start';
const LIBRARY = resolve(process.env.TENSORZIP_BUILD ?? 'dist/index.mjs');
const INPUTS = [
  { name: 'face-api lossless .tzip', file: 'lossless.tzip', preallocated: true },
  { name: 'face-api lossless .tzip', file: 'lossless.tzip', preallocated: false },
  { name: 'face-api int8 .tzip', file: 'int8.tzip', preallocated: true },
  { name: 'face-api int8 .tzip', file: 'int8.tzip', preallocated: false },
  { name: 'LZ4 frame, 20 MB of float32 weights', file: 'weights.lz4', preallocated: false },
];

/** Times in ms; the CPU times are the main thread's (Node on Linux only): on a busy machine they tell the work a pass
 *  does from the time it waits for a core. */
interface Run { initMs: number; coldMs: number; warmMs: number; initCpuMs?: number; coldCpuMs?: number; warmCpuMs?: number }

/** One run in a fresh runtime. Self-contained: Chromium receives its source text. */
async function measure(lib: typeof import('tensorzip'), file: Uint8Array, lz4Frame: boolean, preallocated: boolean, passes: number,
  threadCpuMs?: () => number): Promise<Run> {
  const started = performance.now();
  const startedCpu = threadCpuMs?.() ?? 0;
  await lib.init();
  const initMs = performance.now() - started;
  const initCpuMs = (threadCpuMs?.() ?? 0) - startedCpu;
  let outs: Record<string, Float32Array | Int32Array> = {};
  if (preallocated) {
    const archive = await lib.open(file);
    outs = Object.fromEntries(archive.tensors.map((t) => {
      const count = t.shape.reduce((n, d) => n * d, 1);
      return [t.name, (t.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count)).fill(1)];
    }));
  }
  const pass = async () => {
    if (lz4Frame) return void lib.lz4.decompress(file, { maxOutputSize: 1 << 30 });
    const archive = await lib.open(file);
    for (const t of archive.tensors) await archive.get(t.name, preallocated ? { out: outs[t.name] } : {});
  };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t = performance.now();
    const cpu = threadCpuMs?.() ?? 0;
    await pass();
    times.push(performance.now() - t);
    cpuTimes.push((threadCpuMs?.() ?? 0) - cpu);
  }
  const coldAndWarm = (values: number[]) => [values[0]!, values.slice(1).sort((a, b) => a - b)[(values.length - 1) >> 1]!];
  const [coldMs, warmMs] = coldAndWarm(times);
  const [coldCpuMs, warmCpuMs] = coldAndWarm(cpuTimes);
  return { initMs, coldMs: coldMs!, warmMs: warmMs!, ...(threadCpuMs ? { initCpuMs, coldCpuMs, warmCpuMs } : {}) };
}

/** Packs the inputs once, into DIR. */
async function prepareInputs(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const engine = await createEngine();
  const tensors: Record<string, TensorInput> = await faceApiWeights((model) => engine.tfjs.read(model));
  for (const quantize of ['lossless', 'int8'] as const) writeFileSync(`${DIR}/${quantize}.tzip`, await engine.pack(tensors, { quantize }));
  const weights = new Uint8Array(20e6);
  let at = 0;
  for (const t of Object.values(tensors)) {
    if (at === weights.length) break;
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, Math.min(t.data.byteLength, weights.length - at));
    weights.set(bytes, at);
    at += bytes.length;
  }
  writeFileSync(`${DIR}/weights.lz4`, engine.lz4.compress(weights));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Serves dist/index.mjs and the inputs to the browser. */
async function serve(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cold start</title>');
    const path = req.url === '/tensorzip.mjs' ? LIBRARY : INPUTS.some((i) => `/${i.file}` === req.url) ? `${DIR}${req.url}` : '';
    if (path === '') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': path.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** One run in a fresh browser (pages of one browser may share a renderer process, and with it compiled code). */
async function browserRun(url: string, input: (typeof INPUTS)[number]): Promise<Run> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    return await page.evaluate(`(async () => {
      const lib = await import('/tensorzip.mjs');
      const file = new Uint8Array(await (await fetch('/${input.file}')).arrayBuffer());
      return (${measure.toString()})(lib, file, ${input.file.endsWith('.lz4')}, ${input.preallocated}, ${PASSES});
    })()`) as Run;
  } finally {
    await browser.close();
  }
}

if (process.env[CHILD]) {
  const input = INPUTS[Number(process.env[CHILD])]!;
  const lib = await import(pathToFileURL(LIBRARY).href) as typeof import('tensorzip');
  const file = new Uint8Array(readFileSync(`${DIR}/${input.file}`));
  const threadCpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  console.log(JSON.stringify(await measure(lib, file, input.file.endsWith('.lz4'), input.preallocated, PASSES, threadCpuMs)));
} else {
  await prepareInputs();
  const server = await serve();
  const rows = [];
  console.log(`\n## Cold start: first full decode after init() / median of the next ${PASSES - 1}, medians over ${RUNS} runs\n`);
  console.log('| runtime | input | output | init ms | cold ms | warm ms | cold / warm | range | CPU ms: init | CPU: cold / warm |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const runtime of ['node', 'chromium'] as const) {
    for (const [i, input] of INPUTS.entries()) {
      const runs: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        runs.push(runtime === 'chromium' ? await browserRun(server.url, input)
          : JSON.parse(execFileSync(process.execPath, [process.argv[1]!], { env: { ...process.env, [CHILD]: String(i) }, encoding: 'utf8' })) as Run);
      }
      const ratios = runs.map((run) => run.coldMs / run.warmMs);
      const row = {
        runtime, input: input.name, output: input.preallocated ? 'preallocated' : 'new arrays',
        initMs: median(runs.map((run) => run.initMs)), coldMs: median(runs.map((run) => run.coldMs)),
        warmMs: median(runs.map((run) => run.warmMs)), ratio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios),
        initCpuMs: runtime === 'node' ? median(runs.map((run) => run.initCpuMs!)) : undefined,
        cpuRatio: runtime === 'node' ? median(runs.map((run) => run.coldCpuMs! / run.warmCpuMs!)) : undefined,
      };
      rows.push(row);
      console.log(`| ${runtime} | ${row.input} | ${row.output} | ${row.initMs.toFixed(1)} | ${row.coldMs.toFixed(1)} | ${row.warmMs.toFixed(1)} | ${row.ratio.toFixed(2)}x | ${row.minRatio.toFixed(2)}–${row.maxRatio.toFixed(2)} | ${row.initCpuMs?.toFixed(1) ?? '–'} | ${row.cpuRatio?.toFixed(2) ?? '–'} |`);
    }
  }
  server.close();
  const out = process.env.BENCH_OUT ?? 'bench/results/cold-start.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), library: LIBRARY, node: process.version, chromium: '/usr/bin/chromium', cpu: cpus()[0]?.model, runs: RUNS, passes: PASSES, rows }, null, 2) + '\n');
  console.log(`\nraw results: ${out}`);
}
