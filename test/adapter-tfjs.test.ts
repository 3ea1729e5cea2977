// tfjs.ioHandler in every runtime (Node, headless Chromium, Deno): a real TF.js graph model (@vladmandic/human's
// antispoof, float16 weights) packed lossless and loaded by tfjs-converter from bytes and from a Blob gives the same
// outputs, bit for bit, as the model loaded from its original files; from a URL too, with the downloaded file freed
// before TF.js is handed the weights.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { describe, expect, it } from 'vitest';
import { tfjs, type TfjsModel, type TfjsModelArtifacts } from '../src/index';
import { requestedRange } from './helpers/byte-range';
import { random } from './helpers/data';
import { readRepoFile } from './helpers/files';
import { freedWhile } from './helpers/freed-buffers';

const MODEL = 'node_modules/@vladmandic/human/models/antispoof';
const bitsOf = (t: tf.Tensor) => new Uint8Array((t.dataSync() as Float32Array).slice().buffer);

await tf.setBackend('cpu');
const modelJson = JSON.parse(new TextDecoder().decode(await readRepoFile(`${MODEL}.json`)));
const shard = await readRepoFile(`${MODEL}.bin`);
const files: TfjsModel = { modelJson, shards: { 'antispoof.bin': shard } };
// The original files through tfjs-core's own model.json reader, as tf.io.http reads them once fetched.
const original = await loadGraphModel({
  load: () => tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => [manifest.flatMap((g) => g.weights), shard.slice().buffer]),
});
const next = random(7);
const input = tf.tensor4d(Float32Array.from({ length: 128 * 128 * 3 }, () => next()), [1, 128, 128, 3]);
const expected = bitsOf(original.execute(input) as tf.Tensor);

describe('tfjs.ioHandler with tfjs-converter', () => {
  it('a lossless .tzip as bytes and as a Blob gives the original outputs bit for bit', async () => {
    const bytes = await tfjs.pack(files, { quantize: 'lossless' });
    for (const source of [bytes, new Blob([bytes as Uint8Array<ArrayBuffer>])]) {
      const model = await loadGraphModel(tfjs.ioHandler(source));
      const got = bitsOf(model.execute(input) as tf.Tensor);
      expect(got.length).toBe(expected.length);
      expect(got.every((v, i) => v === expected[i])).toBe(true);
      model.dispose();
    }
  });

  it('from a URL: the original outputs, and the downloaded file freed before TF.js is handed the weights', async () => {
    const bytes = await tfjs.pack(files, { quantize: 'lossless' });
    const realFetch = globalThis.fetch;
    // A server of the file that answers Range requests, as fetch sees one.
    globalThis.fetch = (async (_url: unknown, init?: { headers?: Record<string, string> }) => {
      const { from, to } = requestedRange(init?.headers?.Range, bytes.length)!;
      return new Response(bytes.slice(from, to + 1), { status: 206, headers: { 'content-range': `bytes ${from}-${to}/${bytes.length}`, 'content-length': String(to - from + 1) } });
    }) as typeof fetch;
    try {
      let artifacts!: TfjsModelArtifacts;
      const freed = await freedWhile(async () => (artifacts = await tfjs.ioHandler('https://models.example/antispoof.tzip').load()));
      expect(freed).toEqual([bytes.length]);
      const model = await loadGraphModel({ load: async () => artifacts });
      const got = bitsOf(model.execute(input) as tf.Tensor);
      expect(got.length).toBe(expected.length);
      expect(got.every((v, i) => v === expected[i])).toBe(true);
      model.dispose();
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
