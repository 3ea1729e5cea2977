// Time from a URL to a ready ONNX Runtime session (onnxruntime-node), the original .onnx (fetch + create) against
// its .tzip (onnx.createSession(ort, url), HTTP Range requests), from a local server in this process; bytes and
// requests sent, median time of ROUNDS (default 15) rounds.
//   esbuild bench/onnx-http-load.ts --bundle --platform=node --format=esm --external:onnxruntime-node --outfile=build/onnx-http-load.mjs && node build/onnx-http-load.mjs
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';
import { onnx } from '../src/index';
import { REAL_ONNX_MODELS } from '../test/helpers/onnx-models';

const files = new Map<string, Uint8Array>();
let sent = 0;
let requests = 0;
const server = createServer((req, res) => {
  const body = files.get(req.url ?? '');
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range ?? '');
  let [start, end] = [0, body.length - 1];
  if (range) {
    if (range[1] === '') start = Math.max(0, body.length - Number(range[2]));
    else [start, end] = [Number(range[1]), range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1)];
  }
  const part = body.subarray(start, end + 1);
  sent += part.length;
  requests++;
  res.writeHead(range ? 206 : 200, { 'content-length': part.length, 'accept-ranges': 'bytes', etag: '"1"', ...(range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}) });
  res.end(part);
});
// Longer than any pause between requests: undici reuses idle sockets, and one the server has just closed resets.
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const m of REAL_ONNX_MODELS) {
  files.set(`/${m.file}`, m.bytes);
  for (const mode of ['lossless', 'int8'] as const) files.set(`/${m.file}.${mode}.tzip`, await onnx.pack(m.bytes, { quantize: mode }));
  const ways: [string, () => Promise<unknown>][] = [
    ['.onnx', async () => ort.InferenceSession.create(new Uint8Array(await (await fetch(`${base}/${m.file}`)).arrayBuffer()))],
    ['lossless .tzip', () => onnx.createSession(ort, `${base}/${m.file}.lossless.tzip`)],
    ['int8 .tzip', () => onnx.createSession(ort, `${base}/${m.file}.int8.tzip`)],
  ];
  const times = new Map<string, number[]>(ways.map(([w]) => [w, []]));
  const bytes = new Map<string, number>();
  const counts = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [way, load] of ways) {
      sent = 0;
      requests = 0;
      const t0 = performance.now();
      await load();
      times.get(way)!.push(performance.now() - t0);
      bytes.set(way, sent);
      counts.set(way, requests);
    }
  }
  console.log(m.file, ways.map(([w]) => `${w}: ${median(times.get(w)!).toFixed(1)} ms, ${(bytes.get(w)! / 1024).toFixed(0)} KiB in ${counts.get(w)} requests`).join(' | '));
}
server.close();
