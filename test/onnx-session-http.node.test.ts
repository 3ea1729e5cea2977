// onnx.createSession(ort, url) reads every tensor, so its first request asks for the file's first 8 MiB rather than
// 64 KiB (io/http-source.ts, READS_EVERY_TENSOR): a small model comes in one request, as its .onnx would, and a larger
// one's head is the first of the pieces its tensors need, its footer then asked for with a tail request. Either way
// ONNX Runtime is handed the original .onnx; open(url) itself still asks for 64 KiB at each end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onnx, open } from '../src/index';
import { random } from './helpers/data';
import { freedWhile } from './helpers/freed-buffers';
import { graphProto, modelProto, nodeProto, tensorProto, valueInfo } from './helpers/onnx-builder';
import { REAL_ONNX_MODELS } from './helpers/onnx-models';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close(), s.closeAllConnections();
});

/** Serves `data` as a file server does (206 for bytes=a-b and the suffix bytes=-n) and logs each request's Range. */
async function serve(data: Uint8Array): Promise<{ url: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = createServer((req, res) => {
    ranges.push(req.headers.range ?? '');
    const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.range ?? '');
    if (range === null) return void res.writeHead(200, { 'content-length': data.length }).end(data);
    const from = range[1] === '' ? Math.max(0, data.length - Number(range[2])) : Number(range[1]);
    const to = range[1] === '' ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
    res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1 }).end(data.subarray(from, to + 1));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`, ranges };
}

/** An ort whose create() keeps the model it was given (compared with Buffer.compare: toEqual walks MBs slowly). */
function recordingOrt() {
  const models: Uint8Array[] = [];
  return { models, ort: { InferenceSession: { create: async (model: Uint8Array) => void models.push(model.slice()) } } };
}

describe('onnx.createSession from a URL', () => {
  const original = REAL_ONNX_MODELS.find((m) => m.file === 'embedding_model.onnx')!.bytes;
  let file: Uint8Array;
  beforeAll(async () => {
    file = await onnx.pack(original, { quantize: 'lossless' });
  });

  it('a model of 1.3 MB: one request for the whole file, and ONNX Runtime is handed the original .onnx', async () => {
    const { url, ranges } = await serve(file);
    const { models, ort } = recordingOrt();
    let freedBeforeOrt: number[] = [];
    const freed = await freedWhile((sofar) => onnx.createSession({ InferenceSession: { create: (model: Uint8Array) => {
      freedBeforeOrt = [...sofar];
      return ort.InferenceSession.create(model);
    } } }, url));
    expect(ranges).toEqual([`bytes=0-${(8 << 20) - 1}`]);
    expect(models.map((m) => Buffer.compare(m, original))).toEqual([0]);
    // The file it downloaded is freed before ORT is handed the model.
    expect(freedBeforeOrt).toEqual([file.length]);
    expect(freed).toEqual([file.length]);
  });

  it('a model of 12 MB: the first 8 MiB, the footer, then the rest; the original .onnx', async () => {
    const next = random(5);
    const n = 3_000_000; // 12 MB of float32 that hardly compress
    const weights = { dtype: 'float32' as const, shape: [n], data: Float32Array.from({ length: n }, () => next() - 0.5) };
    const stripped = graphProto({
      nodes: [nodeProto('Add', ['x', 'w'], ['y'])], initializers: [tensorProto({ name: 'w', dataType: 1, dims: [n] })],
      inputs: [valueInfo('x', 1, [n])], outputs: [valueInfo('y', 1, [n])],
    });
    const large = onnx.write({ model: modelProto(stripped), tensors: { w: weights } }).model;
    const largeFile = await onnx.pack(large, { quantize: 'lossless', entropy: false });
    expect(largeFile.length).toBeGreaterThan(8 << 20);
    const { url, ranges } = await serve(largeFile);
    const { models, ort } = recordingOrt();
    await onnx.createSession(ort, url);
    expect(ranges.slice(0, 2)).toEqual([`bytes=0-${(8 << 20) - 1}`, 'bytes=-65536']);
    expect(ranges.length).toBeGreaterThan(2);
    expect(models.map((m) => Buffer.compare(m, large))).toEqual([0]);
  });

  it('open(url) still asks for 64 KiB at each end', async () => {
    const { url, ranges } = await serve(file);
    await open(url);
    expect([...ranges].sort()).toEqual(['bytes=-65536', 'bytes=0-65535']);
  });
});
