// open(url) over HTTP on localhost: face-api's face_recognition model (read with tfjs.read, packed with the default
// options), served by node:http with Range support from a child process. For Node and for Chromium (playwright,
// /usr/bin/chromium):
// - whole file: fetch the file, then open(bytes) and getAll();
// - ranged:     open(url) and getAll() (Range requests, coalesced);
// - one tensor: open(url) and get() of one tensor: its requests.
// - open only:  open(url) alone (the first round trip and the index check), for where the time goes.
// Median of RUNS runs each (interleaved), the median of the paired ratios ranged / whole (robust to a machine whose
// load drifts), the best run of each, the requests each made, and in Node the CPU time of each (which the load moves
// less than wall time). BENCH_PROCESSES (default 3) fresh processes, each with its own server and browser; the
// results of all go to BENCH_OUT (default bench/results/http-open.json).
// TENSORZIP_BUILD=path/to/index.mjs times another build of the library (e.g. one from before a change) instead of dist/.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TfjsModel } from 'tensorzip';

const RUNS = Number(process.env.RUNS ?? 21);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const OUT = process.env.BENCH_OUT ?? 'bench/results/http-open.json';
const LIBRARY = resolve(process.env.TENSORZIP_BUILD ?? 'dist/index.mjs');
const DIR = 'node_modules/@vladmandic/face-api/model';
const MODEL = 'face_recognition_model';

interface Row {
  runtime: string; whole: number; ranged: number; ratio: number; bestWhole: number; bestRanged: number; openOnly: number;
  wholeCpu?: number; rangedCpu?: number; rangedRequests: number; oneTensorRequests: number;
}

if (process.env.HTTP_BENCH_PROCESS === undefined) {
  // The parent: runs the processes one after another and gathers their rows.
  const rows: Row[][] = [];
  for (let i = 0; i < PROCESSES; i++) {
    const out = join(tmpdir(), `tensorzip-http-open-${process.pid}-${i}.json`);
    execFileSync(process.execPath, [process.argv[1]], { stdio: 'inherit', env: { ...process.env, HTTP_BENCH_PROCESS: String(i), BENCH_OUT: out } });
    rows.push(JSON.parse(readFileSync(out, 'utf8')));
    rmSync(out);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`\nratio open(url) + getAll / whole file, paired median of each process: ${rows[0].map((r, k) => `${r.runtime} ${rows.map((p) => p[k].ratio.toFixed(2)).join(', ')} (median ${median(rows.map((p) => p[k].ratio)).toFixed(2)}x)`).join('; ')}`);
  writeFileSync(OUT, JSON.stringify({ date: new Date().toISOString(), library: LIBRARY, node: process.version, cpu: cpus()[0]?.model, runs: RUNS, processes: rows }, null, 2) + '\n');
  console.log(`raw results: ${OUT}`);
  process.exit(0);
}

const { createEngine } = await import(pathToFileURL(LIBRARY).href) as typeof import('tensorzip');
const engine = await createEngine();
const manifest = JSON.parse(readFileSync(`${DIR}/${MODEL}-weights_manifest.json`, 'utf8'));
const shards = Object.fromEntries(manifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(`${DIR}/${p}`))]));
const model: TfjsModel = { modelJson: { weightsManifest: manifest }, shards };
const file = await engine.pack(engine.tfjs.read(model));

// The server runs in a child process, as a real one would: in this process it would compete with the client for
// the event loop, charging each extra request twice.
const SERVER = `
const { readFileSync } = require('node:fs');
const { createServer } = require('node:http');
const [file, library] = [readFileSync(process.argv[1]), readFileSync(process.argv[2])];
let requests = 0;
createServer((req, res) => {
  if (req.url === '/tensorzip.mjs') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(library);
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>bench</title>');
  if (req.url === '/requests') return res.end(String(requests));
  requests++;
  const range = /^bytes=(\\d*)-(\\d+)$/.exec(req.headers.range ?? ''); // bytes=a-b, or the suffix bytes=-n
  if (!range) return res.writeHead(200, { 'content-length': file.length }).end(file);
  const from = range[1] === '' ? Math.max(0, file.length - Number(range[2])) : Number(range[1]);
  const to = range[1] === '' ? file.length - 1 : Math.min(Number(range[2]), file.length - 1);
  res.writeHead(206, { 'content-range': 'bytes ' + from + '-' + to + '/' + file.length, 'content-length': to - from + 1 }).end(file.subarray(from, to + 1));
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;
const dir = mkdtempSync(join(tmpdir(), 'tensorzip-bench-'));
writeFileSync(join(dir, 'model.tzip'), file);
const server = spawn(process.execPath, ['-e', SERVER, join(dir, 'model.tzip'), LIBRARY], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
const base = `http://127.0.0.1:${port}`;
const url = `${base}/model.tzip`;
const served = async () => Number(await (await fetch(`${base}/requests`)).text());
const inMemory = await engine.open(file);
const middleName = inMemory.tensors[inMemory.tensors.length >> 1].name; // away from both ends, which open() reads

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

type Mode = 'whole' | 'ranged' | 'open' | 'one';
/** A run's wall time, and in Node its CPU time, in ms. */
type Run = (mode: Mode) => Promise<{ ms: number; cpuMs?: number }>;

async function measure(runtime: string, run: Run): Promise<Row> {
  const times = { whole: [] as number[], ranged: [] as number[], open: [] as number[] };
  const cpu = { whole: [] as number[], ranged: [] as number[] };
  let rangedRequests = 0;
  await run('whole');
  await run('ranged'); // warm-up: kernels compiled and tiered up, connections open
  for (let i = 0; i < RUNS; i++) {
    const whole = await run('whole');
    const before = await served();
    const ranged = await run('ranged');
    rangedRequests = (await served()) - before;
    times.open.push((await run('open')).ms);
    times.whole.push(whole.ms);
    times.ranged.push(ranged.ms);
    if (whole.cpuMs !== undefined) cpu.whole.push(whole.cpuMs), cpu.ranged.push(ranged.cpuMs!);
  }
  const before = await served();
  await run('one');
  const ratio = median(times.ranged.map((t, i) => t / times.whole[i]));
  return {
    runtime, whole: median(times.whole), ranged: median(times.ranged), ratio, bestWhole: Math.min(...times.whole), bestRanged: Math.min(...times.ranged),
    openOnly: median(times.open), wholeCpu: cpu.whole.length ? median(cpu.whole) : undefined, rangedCpu: cpu.ranged.length ? median(cpu.ranged) : undefined,
    rangedRequests, oneTensorRequests: (await served()) - before,
  };
}

const rows: Row[] = [];
rows.push(await measure('Node ' + process.version, async (mode) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (mode === 'whole') await (await engine.open(new Uint8Array(await (await fetch(url)).arrayBuffer()))).getAll();
  else if (mode === 'ranged') await (await engine.open(url)).getAll();
  else if (mode === 'open') await engine.open(url);
  else await (await engine.open(url)).get(middleName);
  const ms = performance.now() - t0;
  const { user, system } = process.cpuUsage(c0);
  return { ms, cpuMs: (user + system) / 1000 };
}));

if (process.env.CHROMIUM !== '0') {
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.evaluate("import('/tensorzip.mjs').then((tz) => { globalThis.tz = tz; return tz.init(); })"); // a string: no bundler resolves it
  rows.push(await measure(`Chromium ${browser.version()}`, async (mode) => ({ ms: await page.evaluate(async ([mode, url, name]) => {
    const { open } = (globalThis as unknown as { tz: typeof import('tensorzip') }).tz;
    const t0 = performance.now();
    if (mode === 'whole') await (await open(new Uint8Array(await (await fetch(url)).arrayBuffer()))).getAll();
    else if (mode === 'ranged') await (await open(url)).getAll();
    else if (mode === 'open') await open(url);
    else await (await open(url)).get(name);
    return performance.now() - t0;
  }, [mode, url, middleName] as const) })));
  await browser.close();
}
server.kill();
rmSync(dir, { recursive: true });

const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} ms`);
console.log(`\n${MODEL}: ${file.length} bytes, ${inMemory.tensors.length} tensors; process ${process.env.HTTP_BENCH_PROCESS}, median of ${RUNS} runs (best run in brackets)`);
console.log('| runtime | whole file, then open + getAll | open(url) + getAll | ratio (paired median) | open(url) alone | CPU: whole / ranged | getAll requests | one tensor: requests |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.runtime} | ${ms(r.whole)} (${ms(r.bestWhole)}) | ${ms(r.ranged)} (${ms(r.bestRanged)}) | ${r.ratio.toFixed(2)}x | ${ms(r.openOnly)} | ${ms(r.wholeCpu)} / ${ms(r.rangedCpu)} | ${r.rangedRequests} | ${r.oneTensorRequests} |`);
}
writeFileSync(OUT, JSON.stringify(rows));
