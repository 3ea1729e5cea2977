// Decoding a ≥ 50 MB model on 2 workers against one thread (open(…, { workers: 2 }) vs open(…)), in Node and in
// headless Chromium. The model: face-api's 7 TF.js models in one archive, as float32 lossless (their values, which
// TF.js computes from the shipped uint8 codes) and as pack()'s default int8 + float32 mix. Each run is a fresh
// process (Node) or a fresh browser (Chromium): cold = open + getAll() right after init(), workers started inside it;
// warm = the median of BENCH_WARM more getAll() on the same archive (new output arrays each time, as a user's decode
// allocates them: first-touch page faults included); into = the median of BENCH_WARM decodes of every tensor into the
// arrays the first getAll() returned (get(name, { out }), side by side): the decode alone, without page faults.
// Last, whether first-touch page faults (most of a decode into fresh arrays on this VM) run in parallel at all: fresh
// memory filled on one thread against the same amount over two; and the ceiling of any speedup here: two processes
// decoding on one thread each at the same time, against one alone, and the same with two worker threads of one Node
// process and two dedicated workers of one Chromium page (each its own archive: no library code between them). The page is cross-origin isolated, as one that
// decodes on several threads should be served (shared memory; results.sharedMemory says whether each runtime had it). Medians over BENCH_PROCESSES runs (default 5),
// the two ways taking turns. This machine has 2 cores shared with other jobs: the load average is recorded with the
// results (bench/results/workers.json).
// Run: node scripts/bench.mjs workers
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright';
import { init, open, pack, tfjs, type TensorInput } from 'tensorzip';
import { isChild, median } from './fresh-processes';
import { faceApiWeights } from '../test/helpers/face-api';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const WARM = Number(process.env.BENCH_WARM ?? 15);
const DIR = 'build/bench/workers';
const ARCHIVES = { 'float32 lossless': `${DIR}/face-api-lossless.tzip`, 'int8 + float32 (pack default)': `${DIR}/face-api-auto.tzip` };
const WAYS = [0, 2];

interface Run { coldMs: number; warmMs: number; intoMs: number; sharedMemory: boolean }

/** What one fresh process or page measures (the same code, as a string, runs in the page). */
async function measure(lib: { init(): Promise<unknown>; open: typeof open }, bytes: Uint8Array, workers: number, warm: number): Promise<Run> {
  await lib.init();
  const started = performance.now();
  const archive = await lib.open(bytes, { workers });
  const outputs = await archive.getAll();
  const coldMs = performance.now() - started;
  const middle = (times: number[]) => times.sort((a, b) => a - b)[times.length >> 1]!;
  const times: number[] = [];
  for (let i = 0; i < warm; i++) {
    const t = performance.now();
    await archive.getAll();
    times.push(performance.now() - t);
  }
  const into: number[] = [];
  for (let i = 0; i < warm; i++) {
    const t = performance.now();
    await Promise.all(Object.entries(outputs).map(([name, tensor]) => archive.get(name, { out: tensor.data as never })));
    into.push(performance.now() - t);
  }
  archive.close();
  return { coldMs, warmMs: middle(times), intoMs: middle(into), sharedMemory: typeof SharedArrayBuffer === 'function' };
}

/** First-touch page faults, the bulk of a decode into fresh arrays: ms to fill FAULT_MIB of fresh memory on one
 *  thread, and the same amount split over two worker threads (median of 3), to see whether faults run in parallel. */
const FAULT_MIB = 64;
async function faultParallelism(): Promise<{ oneThreadMs: number; twoThreadsMs: number }> {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (mib) => { const a = new Uint8Array(mib << 20); for (let i = 0; i < a.length; i += 4096) a[i] = 1; parentPort.postMessage(0); });`;
  const time = async (threads: number) => {
    const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
    await new Promise((done) => setTimeout(done, 200));
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await Promise.all(workers.map((w) => new Promise((done) => { w.once('message', done); w.postMessage(FAULT_MIB / threads); })));
      runs.push(performance.now() - t);
    }
    await Promise.all(workers.map((w) => w.terminate()));
    return median(runs);
  };
  return { oneThreadMs: await time(1), twoThreadsMs: await time(2) };
}

if (isChild()) {
  const { file, workers } = JSON.parse(process.env.WORKERS_BENCH!);
  console.log(JSON.stringify(await measure({ init, open }, new Uint8Array(readFileSync(file)), workers, WARM)));
  process.exit(0);
}

async function makeArchives(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  if (Object.values(ARCHIVES).every(existsSync)) return;
  const tensors: Record<string, TensorInput> = await faceApiWeights((model) => tfjs.read(model));
  writeFileSync(ARCHIVES['float32 lossless'], await pack(tensors, { quantize: 'lossless' }));
  writeFileSync(ARCHIVES['int8 + float32 (pack default)'], await pack(tensors));
}

const childOptions = (file: string, workers: number) => ({
  env: { ...process.env, TENSORZIP_BENCH_CHILD: '1', WORKERS_BENCH: JSON.stringify({ file, workers }) }, encoding: 'utf8' as const, maxBuffer: 1 << 26,
});
const lastLine = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Run;

function nodeRun(file: string, workers: number): Run {
  return lastLine(execFileSync(process.execPath, [process.argv[1]!], childOptions(file, workers)));
}

/** What this machine gives two threads that never wait for each other: two processes decoding on one thread each at
 *  the same time, against one alone (into preallocated arrays, medians over BENCH_PROCESSES). The ceiling of any
 *  2-worker speedup here. */
async function independentPair(file: string): Promise<{ aloneIntoMs: number; pairIntoMs: number; throughput: number }> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    alone.push(nodeRun(file, 0).intoMs);
    const both = await Promise.all([0, 1].map(() => promisify(execFile)(process.execPath, [process.argv[1]!], childOptions(file, 0))));
    pair.push(...both.map(({ stdout }) => lastLine(stdout).intoMs));
  }
  return { aloneIntoMs: median(alone), pairIntoMs: median(pair), throughput: (2 * median(alone)) / median(pair) };
}

/** The decode a thread of the independent pairs below runs: open + getAll once, 5 into-decodes to warm up, then on
 *  each message 9 more into-decodes, answering their median ms. `lib` is the library, `bytes` the archive. */
const PAIR_THREAD = `async (lib, bytes, answer, onRequest) => {
  await lib.init();
  const archive = await lib.open(bytes);
  const outs = await archive.getAll();
  const into = () => Promise.all(Object.entries(outs).map(([name, t]) => archive.get(name, { out: t.data })));
  for (let i = 0; i < 5; i++) await into();
  onRequest(async () => {
    const times = [];
    for (let i = 0; i < 9; i++) { const t = performance.now(); await into(); times.push(performance.now() - t); }
    answer(times.sort((a, b) => a - b)[4]);
  });
  answer('ready');
}`;

/** Two threads that decode independently (each its own archive, on one thread) in one process or page: the ms of one
 *  alone and of the slower of the two at the same time, taking turns 3 times each (medians). `request(i)` asks thread
 *  i for a measurement. */
async function pairTurns(request: (i: number) => Promise<number>): Promise<{ aloneMs: number; pairMs: number }> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let k = 0; k < 3; k++) {
    alone.push(await request(k % 2));
    pair.push(Math.max(...await Promise.all([request(0), request(1)])));
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[1]!; // runs in a page too: no imports
  return { aloneMs: middle(alone), pairMs: middle(pair) };
}

/** independentPair for two worker threads of one Node process (BENCH_PROCESSES processes; medians). */
async function independentThreads(file: string): Promise<{ aloneIntoMs: number; pairIntoMs: number; throughput: number }> {
  const { Worker } = await import('node:worker_threads');
  const library = pathToFileURL(resolve('dist/index.mjs')).href;
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.library).then((lib) => (${PAIR_THREAD})(lib, require('node:fs').readFileSync(workerData.file),
      (m) => parentPort.postMessage(m), (f) => parentPort.on('message', f)));`;
  const alone: number[] = [];
  const pair: number[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const threads = [0, 1].map(() => new Worker(code, { eval: true, workerData: { library, file } }));
    const next = (w: InstanceType<typeof Worker>) => new Promise<number>((done) => w.once('message', done));
    await Promise.all(threads.map(next));
    const turns = await pairTurns((i) => { const answer = next(threads[i]!); threads[i]!.postMessage(0); return answer; });
    await Promise.all(threads.map((w) => w.terminate()));
    alone.push(turns.aloneMs);
    pair.push(turns.pairMs);
  }
  return { aloneIntoMs: median(alone), pairIntoMs: median(pair), throughput: (2 * median(alone)) / median(pair) };
}

/** independentPair for two dedicated workers of one page (a fresh browser each of BENCH_PROCESSES times; medians):
 *  each loads the script-tag build, decodes archive 0 on one thread. */
async function chromiumPair(origin: string, launch: () => ReturnType<typeof chromium.launch>): Promise<{ aloneIntoMs: number; pairIntoMs: number; throughput: number }> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      const turns = await page.evaluate(async ({ thread, pairTurns }) => {
        const code = `importScripts('${location.origin}/tensorzip.js');
          fetch('${location.origin}/0.tzip').then((r) => r.arrayBuffer()).then((b) => (${thread})(self.tensorzip, new Uint8Array(b),
            (m) => postMessage(m), (f) => (onmessage = f)));`;
        const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
        const threads = [new Worker(url), new Worker(url)];
        const next = (w: Worker) => new Promise<number>((done) => (w.onmessage = ({ data }) => done(data)));
        await Promise.all(threads.map(next));
        const turns = await (0, eval)(`(${pairTurns})`)((i: number) => { const answer = next(threads[i]!); threads[i]!.postMessage(0); return answer; });
        threads.forEach((w) => w.terminate());
        return turns as { aloneMs: number; pairMs: number };
      }, { thread: PAIR_THREAD, pairTurns: pairTurns.toString() });
      alone.push(turns.aloneMs);
      pair.push(turns.pairMs);
    } finally {
      await browser.close();
    }
  }
  return { aloneIntoMs: median(alone), pairIntoMs: median(pair), throughput: (2 * median(alone)) / median(pair) };
}

async function chromiumRuns(files: string[]): Promise<{ runs: Record<string, Run[]>; pair: Awaited<ReturnType<typeof chromiumPair>> }> {
  const served: Record<string, Buffer> = { '/tensorzip.js': readFileSync('dist/index.iife.js'), ...Object.fromEntries(files.map((f, i) => [`/${i}.tzip`, readFileSync(f)])) };
  // Cross-origin isolated (COOP + COEP), as a page that decodes on several threads is served: shared memory exists
  // there, so the workers decode into the tensors and share out each batch of chunks themselves.
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((req, res) => {
    const body = served[req.url ?? ''];
    if (body === undefined) return void res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html', ...isolation }).end('<!doctype html><title>workers</title>');
    res.writeHead(200, { 'content-type': req.url!.endsWith('.js') ? 'text/javascript' : 'application/octet-stream', ...isolation }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runs: Record<string, Run[]> = {};
  const launch = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    for (let p = 0; p < PROCESSES; p++) {
      for (const [i] of files.entries()) {
        for (const workers of WAYS) {
          const browser = await launch();
          try {
            const page = await browser.newPage();
            await page.goto(`${origin}/`);
            await page.addScriptTag({ url: '/tensorzip.js' });
            const run = await page.evaluate(async ({ source, url, workers, warm }) => {
              const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
              const lib = (globalThis as unknown as { tensorzip: never }).tensorzip;
              return (0, eval)(`(${source})`)(lib, bytes, workers, warm) as Promise<Run>;
            }, { source: measure.toString(), url: `/${i}.tzip`, workers, warm: WARM });
            (runs[`${i}:${workers}`] ??= []).push(run);
          } finally {
            await browser.close();
          }
        }
      }
    }
    return { runs, pair: await chromiumPair(origin, launch) };
  } finally {
    server.close();
  }
}

await makeArchives();
const files = Object.values(ARCHIVES);
const load = { start: loadavg()[0] };
const nodeRuns: Record<string, Run[]> = {};
for (let p = 0; p < PROCESSES; p++) {
  for (const [i, file] of files.entries()) for (const workers of WAYS) (nodeRuns[`${i}:${workers}`] ??= []).push(nodeRun(file, workers));
}
const { runs: browserRuns, pair: chromiumCeiling } = await chromiumRuns(files);
const faults = await faultParallelism();
const ceiling = await independentPair(files[0]!);
const threadCeiling = await independentThreads(files[0]!);
const loadEnd = loadavg()[0];

const rows = [];
for (const [runtime, runs] of [['node', nodeRuns], ['chromium', browserRuns]] as const) {
  for (const [i, [input, file]] of Object.entries(ARCHIVES).entries()) {
    const archive = await open(new Uint8Array(readFileSync(file)));
    const decodedMB = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0) / 1e6;
    const one = runs[`${i}:0`]!;
    const two = runs[`${i}:2`]!;
    const m = (rs: Run[], key: 'coldMs' | 'warmMs' | 'intoMs') => median(rs.map((r) => r[key]));
    rows.push({
      runtime, input, fileMB: readFileSync(file).length / 1e6, decodedMB, tensors: archive.tensors.length,
      oneThread: { coldMs: m(one, 'coldMs'), warmMs: m(one, 'warmMs'), intoMs: m(one, 'intoMs'), coldMBps: decodedMB / m(one, 'coldMs') * 1e3, warmMBps: decodedMB / m(one, 'warmMs') * 1e3, intoMBps: decodedMB / m(one, 'intoMs') * 1e3 },
      twoWorkers: { coldMs: m(two, 'coldMs'), warmMs: m(two, 'warmMs'), intoMs: m(two, 'intoMs'), coldMBps: decodedMB / m(two, 'coldMs') * 1e3, warmMBps: decodedMB / m(two, 'warmMs') * 1e3, intoMBps: decodedMB / m(two, 'intoMs') * 1e3 },
      speedup: { cold: m(one, 'coldMs') / m(two, 'coldMs'), warm: m(one, 'warmMs') / m(two, 'warmMs'), into: m(one, 'intoMs') / m(two, 'intoMs') },
      runs: { oneThread: one, twoWorkers: two },
    });
  }
}

const result = {
  date: new Date().toISOString(), node: process.version, chromium: '/usr/bin/chromium', cpu: cpus()[0]?.model, cores: cpus().length,
  loadAverage1m: { start: load.start, end: loadEnd }, processes: PROCESSES, warmRepeats: WARM, rows,
  pageFaults: { freshMiB: FAULT_MIB, ...faults }, independentPair: { input: Object.keys(ARCHIVES)[0], ...ceiling },
  independentThreads: { input: Object.keys(ARCHIVES)[0], node: threadCeiling, chromium: chromiumCeiling },
  sharedMemory: { node: nodeRuns['0:2']!.every((r) => r.sharedMemory), chromium: browserRuns['0:2']!.every((r) => r.sharedMemory) },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/workers.json', `${JSON.stringify(result, null, 2)}\n`);
for (const r of rows) {
  console.log(`${r.runtime.padEnd(8)} ${r.input.padEnd(30)} ${r.decodedMB.toFixed(1)} MB: one thread cold ${r.oneThread.coldMs.toFixed(0)} ms, warm ${r.oneThread.warmMs.toFixed(0)} ms, into ${r.oneThread.intoMs.toFixed(0)} ms; 2 workers cold ${r.twoWorkers.coldMs.toFixed(0)} ms, warm ${r.twoWorkers.warmMs.toFixed(0)} ms, into ${r.twoWorkers.intoMs.toFixed(0)} ms; speedup cold ${r.speedup.cold.toFixed(2)}x, warm ${r.speedup.warm.toFixed(2)}x, into ${r.speedup.into.toFixed(2)}x`);
}
console.log(`page faults: ${FAULT_MIB} MiB of fresh memory filled in ${faults.oneThreadMs.toFixed(0)} ms on one thread, ${faults.twoThreadsMs.toFixed(0)} ms split over two`);
console.log(`two independent one-thread processes at once: ${ceiling.throughput.toFixed(2)}x the throughput of one alone (into ${ceiling.aloneIntoMs.toFixed(0)} ms alone, ${ceiling.pairIntoMs.toFixed(0)} ms each as a pair)`);
for (const [runtime, c] of [['node worker_threads', threadCeiling], ['chromium dedicated workers', chromiumCeiling]] as const) {
  console.log(`two independent one-thread decodes in two ${runtime} at once: ${c.throughput.toFixed(2)}x the throughput of one alone (into ${c.aloneIntoMs.toFixed(0)} ms alone, ${c.pairIntoMs.toFixed(0)} ms the slower of a pair)`);
}
console.log(`load average (1 min): ${load.start.toFixed(2)} → ${loadEnd.toFixed(2)} on ${cpus().length} cores`);
