// Loading a TF.js graph model over HTTP on localhost, in Node with tfjs-converter and the CPU backend: from its
// original files (`tf.loadGraphModel(url)`: model.json, then its shards) against from a .tzip
// (`tf.loadGraphModel(tfjs.ioHandler(url))`: Range requests), lossless and int8. Models: @vladmandic/human's
// MoveNet Lightning (float16 weights, the demo page's model) and handtrack (uint8 weights).
// Each load runs in a fresh process (a cold start, as a page load is, tensorzip's init() done before the clock starts)
// against a server in another process; per
// variant: the median wall time from the call to a model ready to run, the bytes the server sent, and the process's
// peak RSS above what it held before the load (process.resourceUsage().maxRSS). RUNS (default 7) loads each.
// Results go to BENCH_OUT (default bench/results/tfjs-load.json).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 7);
const OUT = process.env.BENCH_OUT ?? 'bench/results/tfjs-load.json';
const MODELS = ['movenet-lightning', 'handtrack'];
const MODEL_DIR = resolve('node_modules/@vladmandic/human/models');

interface Load { ms: number; peakMB: number }

if (process.env.TFJS_LOAD_URL !== undefined) {
  // A child: one load, then its numbers on stdout.
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const { init, tfjs } = await import('tensorzip');
  await tf.setBackend('cpu');
  // As a page does at start-up (its cost, compiling the WebAssembly once, is bench/cold-start's): the clock runs
  // from the load call.
  await init();
  const url = process.env.TFJS_LOAD_URL;
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const model = await loadGraphModel(url.endsWith('.tzip') ? tfjs.ioHandler(url) : url);
  const ms = performance.now() - started;
  const peakMB = (process.resourceUsage().maxRSS * 1024 - before) / 2 ** 20;
  model.dispose();
  process.stdout.write(`\n${JSON.stringify({ ms, peakMB } satisfies Load)}`);
  process.exit(0);
}

// The parent: packs each model, serves the files from a child process, and runs the loads one after another.
const { tfjs } = await import('tensorzip');
const dir = mkdtempSync(join(tmpdir(), 'tensorzip-tfjs-load-'));
for (const name of MODELS) {
  const modelJson = JSON.parse(readFileSync(join(MODEL_DIR, `${name}.json`), 'utf8'));
  const shards = Object.fromEntries(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(join(MODEL_DIR, p)))]));
  writeFileSync(join(dir, `${name}.lossless.tzip`), await tfjs.pack({ modelJson, shards }, { quantize: 'lossless' }));
  writeFileSync(join(dir, `${name}.int8.tzip`), await tfjs.pack({ modelJson, shards }, { quantize: 'int8' }));
}

// Serves MODEL_DIR and the .tzip files with Range support; GET /sent answers the bytes sent since the last /sent.
const SERVER = `
const { readFileSync, existsSync } = require('node:fs');
const { createServer } = require('node:http');
const { join } = require('node:path');
const [models, tzips] = process.argv.slice(1);
let sent = 0;
const server = createServer((req, res) => {
  const path = decodeURIComponent(req.url.split('?')[0]);
  if (path === '/sent') return res.end(String(sent), () => (sent = 0));
  const file = join(path.endsWith('.tzip') ? tzips : models, path);
  if (!existsSync(file)) return res.writeHead(404).end();
  const data = readFileSync(file);
  const range = /^bytes=(\\d*)-(\\d+)$/.exec(req.headers.range ?? '');
  if (!range) {
    sent += data.length;
    return res.writeHead(200, { 'content-length': data.length }).end(data);
  }
  const from = range[1] === '' ? Math.max(0, data.length - Number(range[2])) : Number(range[1]);
  const to = range[1] === '' ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
  sent += to - from + 1;
  res.writeHead(206, { 'content-range': 'bytes ' + from + '-' + to + '/' + data.length, 'content-length': to - from + 1 }).end(data.subarray(from, to + 1));
});
server.keepAliveTimeout = 600000; // the parent's connection idles while a child loads
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;
const server = spawn(process.execPath, ['-e', SERVER, MODEL_DIR, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((done) => server.stdout.once('data', (b: Buffer) => done(b.toString().trim())));
const origin = `http://127.0.0.1:${port}`;
const sent = async () => Number(await (await fetch(`${origin}/sent`)).text());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows: Record<string, unknown>[] = [];
try {
  for (const name of MODELS) {
    const variants = [['original files', `${origin}/${name}.json`], ['.tzip lossless', `${origin}/${name}.lossless.tzip`], ['.tzip int8', `${origin}/${name}.int8.tzip`]];
    const loads: Record<string, Load[]> = {};
    let bytes: Record<string, number> = {};
    await sent();
    // Interleaved, so that a drift in the machine's load touches every variant alike.
    for (let run = 0; run < RUNS; run++) {
      for (const [label, url] of variants) {
        const out = execFileSync(process.execPath, [process.argv[1]], { env: { ...process.env, TFJS_LOAD_URL: url }, encoding: 'utf8' });
        (loads[label] ??= []).push(JSON.parse(out.trim().split('\n').at(-1)!)); // after tfjs-core's banner
        bytes = { ...bytes, [label]: await sent() };
      }
    }
    for (const [label] of variants) {
      const row = { model: name, variant: label, bytes: bytes[label], ms: median(loads[label].map((l) => l.ms)), peakMB: median(loads[label].map((l) => l.peakMB)) };
      rows.push(row);
      console.log(`${name.padEnd(18)} ${label.padEnd(15)} ${String(row.bytes).padStart(9)} bytes  ${row.ms.toFixed(0).padStart(5)} ms  peak RSS +${row.peakMB.toFixed(0)} MB`);
    }
  }
} finally {
  server.kill();
}
writeFileSync(OUT, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, runs: RUNS, rows }, null, 2) + '\n');
console.log(`raw results: ${OUT}`);
