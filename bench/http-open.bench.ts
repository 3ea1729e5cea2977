// open(url) over HTTP on localhost: face-api's face_recognition model (read with tfjs.read, packed with the default
// options), served by node:http with Range support from a child process. For Node and for Chromium (playwright,
// /usr/bin/chromium):
// - whole file: fetch the file, then open(bytes) and getAll();
// - ranged:     open(url) and getAll() (Range requests, coalesced);
// - one tensor: open(url) and get() of one tensor: its requests.
// Median of RUNS runs each (interleaved), the median of the paired ratios ranged / whole (robust to a machine whose
// load drifts), and the requests each made.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type TfjsModel } from 'tensorzip';

const RUNS = Number(process.env.RUNS ?? 15);
const DIR = 'node_modules/@vladmandic/face-api/model';
const MODEL = 'face_recognition_model';

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
const server = spawn(process.execPath, ['-e', SERVER, join(dir, 'model.tzip'), 'dist/index.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
const base = `http://127.0.0.1:${port}`;
const url = `${base}/model.tzip`;
const served = async () => Number(await (await fetch(`${base}/requests`)).text());
const inMemory = await engine.open(file);
const middleName = inMemory.tensors[inMemory.tensors.length >> 1].name; // away from both ends, which open() reads

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface Row { runtime: string; whole: number; ranged: number; ratio: number; rangedRequests: number; oneTensorRequests: number }

async function measure(runtime: string, run: (mode: 'whole' | 'ranged' | 'one') => Promise<number>): Promise<Row> {
  const times = { whole: [] as number[], ranged: [] as number[] };
  let rangedRequests = 0;
  await run('whole');
  await run('ranged'); // warm-up: kernels compiled and tiered up, connections open
  for (let i = 0; i < RUNS; i++) {
    times.whole.push(await run('whole'));
    const before = await served();
    times.ranged.push(await run('ranged'));
    rangedRequests = (await served()) - before;
  }
  const before = await served();
  await run('one');
  const ratio = median(times.ranged.map((t, i) => t / times.whole[i]));
  return { runtime, whole: median(times.whole), ranged: median(times.ranged), ratio, rangedRequests, oneTensorRequests: (await served()) - before };
}

const rows: Row[] = [];
rows.push(await measure('Node ' + process.version, async (mode) => {
  const t0 = performance.now();
  if (mode === 'whole') await (await engine.open(new Uint8Array(await (await fetch(url)).arrayBuffer()))).getAll();
  else if (mode === 'ranged') await (await engine.open(url)).getAll();
  else await (await engine.open(url)).get(middleName);
  return performance.now() - t0;
}));

if (process.env.CHROMIUM !== '0') {
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.evaluate("import('/tensorzip.mjs').then((tz) => { globalThis.tz = tz; return tz.init(); })"); // a string: no bundler resolves it
  rows.push(await measure(`Chromium ${browser.version()}`, (mode) => page.evaluate(async ([mode, url, name]) => {
    const { open } = (globalThis as unknown as { tz: typeof import('tensorzip') }).tz;
    const t0 = performance.now();
    if (mode === 'whole') await (await open(new Uint8Array(await (await fetch(url)).arrayBuffer()))).getAll();
    else if (mode === 'ranged') await (await open(url)).getAll();
    else await (await open(url)).get(name);
    return performance.now() - t0;
  }, [mode, url, middleName] as const)));
  await browser.close();
}
server.kill();
rmSync(dir, { recursive: true });

console.log(`${MODEL}: ${file.length} bytes, ${inMemory.tensors.length} tensors; median of ${RUNS} runs`);
console.log('| runtime | whole file, then open + getAll | open(url) + getAll | ratio (paired median) | getAll requests | one tensor: requests |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.runtime} | ${r.whole.toFixed(1)} ms | ${r.ranged.toFixed(1)} ms | ${r.ratio.toFixed(2)}x | ${r.rangedRequests} | ${r.oneTensorRequests} |`);
}
