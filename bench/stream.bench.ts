// Streaming over a 50 Mbit/s connection: face-api's seven models in one .tzip (float32 lossless: 8.7 MB on the wire,
// 50.2 MB decoded), and 100 MB of generated float32 weights (lossless, 24 tensors of 4 MiB: a file larger than the
// 64 MiB of download pieces a reader holds at once), served with Range support by a local server that sends at most
// 6.25 MB/s, or as a ReadableStream giving the file at that rate. Each way runs in a fresh Node process (median of
// BENCH_PROCESSES, default 3):
// - "download, then decode": fetch() the whole file, open(bytes), then stream() — what a loader without streaming does;
// - "stream(), tensors kept": open(url), then stream(): each tensor decodes as soon as its chunks have arrived;
// - "stream(), tensors dropped": the same, the caller using each tensor and letting it go (a loader copying weights into
//   a framework): the memory bound of streaming;
// - "ReadableStream, read to its end" (tensors kept / dropped): the stream's chunks gathered and joined, then
//   open(bytes) and stream() — what open(stream) did before it read streams as they arrive;
// - "ReadableStream, as it arrives" (tensors kept / dropped): open(stream), then stream(): open() returns once the
//   prefix and index are in, each tensor decodes as soon as its chunks are;
// - "ReadableStream, retain: false, tensors dropped": open(stream, { retain: false }), then stream(): each tensor's
//   bytes dropped once it is decoded, the stream read at most 4 MiB ahead — the memory bound of a stream.
// Reported: time to the first tensor and to the last (from the request), the transfer time of the file alone, and the
// process's peak resident memory above what it held before the download (VmHWM − VmRSS, Linux).
// Run: node scripts/bench.mjs stream
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { init, open, pack, tfjs, type TensorInput } from 'tensorzip';
import { requestedRange } from '../test/helpers/byte-range';
import { faceApiWeights } from '../test/helpers/face-api';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const BYTES_PER_SECOND = 50e6 / 8;
const FILES = { 'face-api, float32 lossless': 'build/bench/stream/face-api-lossless.tzip', '100 MB of generated weights': 'build/bench/stream/generated-100mb.tzip' };
const WAYS = ['download, then decode', 'stream(), tensors kept', 'stream(), tensors dropped', 'ReadableStream, read to its end, tensors kept',
  'ReadableStream, read to its end, tensors dropped', 'ReadableStream, as it arrives, tensors kept', 'ReadableStream, as it arrives, tensors dropped',
  'ReadableStream, retain: false, tensors dropped'] as const;
type Way = (typeof WAYS)[number];

interface Run { way: Way; firstMs: number; lastMs: number; transferMs: number; peakMiB: number; tensors: number }

/** kB figures of /proc/self/status. */
function status(field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

/** Serves `file` with Range support at BYTES_PER_SECOND in all: responses in flight side by side share the rate, as
 *  requests over one link do. Resolves to its URL. */
async function throttledServer(file: Uint8Array): Promise<{ url: string; close(): void; lastByteAt(): number }> {
  let lastByteAt = 0;
  let firstRequestAt: number | undefined;
  let sent = 0;
  const server = createServer((req, res) => {
    firstRequestAt ??= performance.now();
    const range = requestedRange(req.headers.range, file.length);
    const { from, to } = range ?? { from: 0, to: file.length - 1 };
    res.writeHead(range ? 206 : 200, { 'content-length': to - from + 1, 'accept-ranges': 'bytes', ...(range && { 'content-range': `bytes ${from}-${to}/${file.length}` }) });
    let at = from;
    const pump = () => {
      const allowed = Math.floor((performance.now() - firstRequestAt!) / 1000 * BYTES_PER_SECOND) + 16384 - sent;
      const due = Math.min(to + 1, at + Math.min(allowed, 65536));
      if (due > at) {
        res.write(file.subarray(at, due));
        sent += due - at;
        at = due;
        lastByteAt = performance.now();
      }
      if (at > to) return void res.end();
      setTimeout(pump, 2);
    };
    pump();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/face-api.tzip`,
    close: () => { server.close(); server.closeAllConnections(); },
    lastByteAt: () => lastByteAt,
  };
}

/** `file` as a ReadableStream that gives at most BYTES_PER_SECOND, in fresh chunks of 64 KiB (as a socket's reads
 *  come; a chunk of a few bytes each time the rate allows them would cost more in objects than in bytes), pulled only
 *  when its reader asks. */
function throttledStream(file: Uint8Array): { stream: ReadableStream<Uint8Array>; lastByteAt(): number } {
  let lastByteAt = 0;
  let startedAt: number | undefined;
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      startedAt ??= performance.now();
      const due = Math.min(file.length, at + 65536);
      const allowedAt = startedAt! + (due - 16384) / BYTES_PER_SECOND * 1000;
      while (performance.now() < allowedAt) await new Promise((resolve) => setTimeout(resolve, 2));
      controller.enqueue(new Uint8Array(file.subarray(at, due)));
      at = due;
      lastByteAt = performance.now();
      if (at === file.length) controller.close();
    },
  }, { highWaterMark: 0 });
  return { stream, lastByteAt: () => lastByteAt };
}

/** The stream's chunks gathered and joined into one array (src/io/read-to-end.ts before streams were read as they
 *  arrive). */
async function readToEnd(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, part) => (all.set(part, at), at + part.length), 0);
  return all;
}

async function measure(file: string, way: Way): Promise<Run> {
  await init();
  const bytes = readFileSync(file); // no copy: a copy's garbage would be counted in the memory before
  const fromStream = way.startsWith('ReadableStream');
  const server = fromStream ? null : await throttledServer(bytes);
  const throttled = fromStream ? throttledStream(bytes) : null;
  const before = status('VmRSS');
  const kept: unknown[] = [];
  let firstMs = 0;
  let tensors = 0;
  let sum = 0;
  const started = performance.now();
  const archive = way === 'download, then decode' ? await open(new Uint8Array(await (await fetch(server!.url)).arrayBuffer()))
    : way.startsWith('ReadableStream, read to its end') ? await open(await readToEnd(throttled!.stream))
      : await open(server?.url ?? throttled!.stream, { retain: !way.includes('retain: false') });
  for await (const { tensor } of archive.stream()) {
    if (tensors++ === 0) firstMs = performance.now() - started;
    if (way.endsWith('tensors dropped')) sum += tensor.data[0] as number;
    else kept.push(tensor);
  }
  const lastMs = performance.now() - started;
  const transferMs = (server ?? throttled!).lastByteAt() - started;
  server?.close();
  return { way, firstMs, lastMs, transferMs, peakMiB: status('VmHWM') - before, tensors: tensors + (sum === Infinity ? 1 : 0) };
}

if (isChild()) {
  console.log(JSON.stringify(await measure(process.env.STREAM_FILE!, process.env.STREAM_WAY as Way)));
  process.exit(0);
}

/** Trained-looking float32 weights: a bell curve of small values, 24 tensors of 4 MiB. */
function generatedWeights(): Record<string, TensorInput> {
  let s = 7;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Object.fromEntries(Array.from({ length: 24 }, (_, k) => [`layer${k}.weight`, {
    dtype: 'float32', shape: [1024, 1024], data: Float32Array.from({ length: 1 << 20 }, () => (next() + next() + next() - 1.5) * 0.05),
  } as TensorInput]));
}

mkdirSync('build/bench/stream', { recursive: true });
if (!existsSync(FILES['face-api, float32 lossless'])) {
  const tensors: Record<string, TensorInput> = await faceApiWeights((model) => tfjs.read(model));
  writeFileSync(FILES['face-api, float32 lossless'], await pack(tensors, { quantize: 'lossless' }));
}
if (!existsSync(FILES['100 MB of generated weights'])) writeFileSync(FILES['100 MB of generated weights'], await pack(generatedWeights(), { quantize: 'lossless' }));

const loadStart = loadavg()[0];
const rows = [];
for (const [input, file] of Object.entries(FILES)) {
  const runs: Record<string, Run[]> = {};
  for (let p = 0; p < PROCESSES; p++) {
    for (const way of WAYS) {
      Object.assign(process.env, { STREAM_FILE: file, STREAM_WAY: way });
      (runs[way] ??= []).push(...runFreshProcesses<Run>(1));
    }
  }
  const archive = await open(new Uint8Array(readFileSync(file)));
  const fileMB = readFileSync(file).length / 1e6;
  const decodedMB = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0) / 1e6;
  for (const way of WAYS) {
    const rs = runs[way]!;
    const m = (key: keyof Omit<Run, 'way'>) => median(rs.map((r) => r[key]));
    rows.push({ input, fileMB, decodedMB, tensors: archive.tensors.length, way, firstTensorMs: m('firstMs'), lastTensorMs: m('lastMs'), transferMs: m('transferMs'), peakMiB: m('peakMiB'), runs: rs });
  }
}
const result = {
  date: new Date().toISOString(), node: process.version, mbitPerSecond: BYTES_PER_SECOND * 8 / 1e6,
  loadAverage1m: { start: loadStart, end: loadavg()[0] }, processes: PROCESSES, rows,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/stream.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(`at ${result.mbitPerSecond} Mbit/s, median of ${PROCESSES} fresh processes:`);
for (const r of rows) {
  console.log(`${r.input} (${r.fileMB.toFixed(1)} MB file, ${r.decodedMB.toFixed(1)} MB decoded): ${r.way.padEnd(50)} first tensor ${r.firstTensorMs.toFixed(0).padStart(6)} ms, last ${r.lastTensorMs.toFixed(0).padStart(6)} ms (file sent in ${r.transferMs.toFixed(0)} ms), peak +${r.peakMiB.toFixed(1)} MiB`);
}
console.log(`load average (1 min): ${loadStart.toFixed(2)} → ${result.loadAverage1m.end.toFixed(2)}`);
