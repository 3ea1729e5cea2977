// npm run demo:web: serves demo/web/ on http://localhost:8080 (PORT to change it). The page loads MoveNet Lightning, a
// TF.js graph model @vladmandic/human ships, twice — from its original files and from a .tzip made here at start-up
// with the tensorzip CLI — runs both on a photo face-api ships, and shows the bytes and the outputs side by side.
// Files are served with send (Range requests, as a CDN answers them); nothing is built for the page itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import send from 'send';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MODEL_DIR = join(ROOT, 'node_modules/@vladmandic/human/models');
const MODEL = 'movenet-lightning';
const CACHE = join(ROOT, 'demo/web/.cache');

/** The .tzip files the page loads, packed from the original model by the CLI, and the sizes it shows. */
function prepareModels() {
  mkdirSync(CACHE, { recursive: true });
  const original = [`${MODEL}.json`, `${MODEL}.bin`].map((name) => readFileSync(join(MODEL_DIR, name)));
  const brotli = original.reduce((n, bytes) => n + brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
  const sizes = { model: MODEL, original: original.reduce((n, b) => n + b.length, 0), brotli11: brotli };
  for (const [key, args] of [['lossless', ['--quantize', 'lossless']], ['int8', ['--quantize', 'int8']]]) {
    const out = join(CACHE, `${MODEL}.${key}.tzip`);
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.mjs'), 'pack', join(MODEL_DIR, `${MODEL}.json`), '-o', out, ...args], { stdio: 'inherit' });
    sizes[key] = statSync(out).size;
  }
  writeFileSync(join(CACHE, 'sizes.json'), JSON.stringify(sizes));
  return sizes;
}

/** URL paths to folders on disk: the page, the library's build, TF.js's browser bundles, the models, the photo. */
const ROUTES = [
  ['/models/', MODEL_DIR],
  ['/tzip/', CACHE],
  ['/dist/', join(ROOT, 'dist')],
  ['/tfjs/core/', join(ROOT, 'node_modules/@tensorflow/tfjs-core/dist')],
  ['/tfjs/cpu/', join(ROOT, 'node_modules/@tensorflow/tfjs-backend-cpu/dist')],
  ['/tfjs/converter/', join(ROOT, 'node_modules/@tensorflow/tfjs-converter/dist')],
  ['/photos/', join(ROOT, 'node_modules/@vladmandic/face-api/demo')],
  ['/', join(ROOT, 'demo/web')],
];

/** Starts the server; resolves to its origin and a close function. */
export async function startDemoServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const sizes = prepareModels();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const [prefix, folder] = ROUTES.find(([p]) => path.startsWith(p));
    send(request, path.slice(prefix.length - 1) === '/' ? '/index.html' : path.slice(prefix.length - 1), { root: folder, dotfiles: 'allow' })
      .on('error', (err) => response.writeHead(err.status ?? 500).end())
      .pipe(response);
  });
  await new Promise((done) => server.listen(port, host, done));
  const origin = `http://${host}:${server.address().port}`;
  return { origin, sizes, close: () => new Promise((done) => server.close(done)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { origin, sizes } = await startDemoServer({ port: Number(process.env.PORT ?? 8080) });
  console.log(`${MODEL}: ${sizes.original.toLocaleString('en')} bytes as shipped, brotli-11 ${sizes.brotli11.toLocaleString('en')}, ` +
    `.tzip lossless ${sizes.lossless.toLocaleString('en')}, int8 ${sizes.int8.toLocaleString('en')}`);
  console.log(`tensorzip demo page: ${origin}/  (Ctrl+C to stop)`);
}
