// transformers.js (@huggingface/transformers, with onnxruntime-node) loading a model through transformers.cache: a
// .tzip packed from the model's folder by transformers.pack. The model is tiny-bert (test/helpers/tiny-bert.ts: a
// BERT-shaped graph and a WordPiece tokenizer built here, since no npm package ships a transformers.js model). The
// same pipeline loaded from the plain files is the reference.
import { env, pipeline } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, open, transformers } from '../src/index';
import { tinyBertFiles } from './helpers/tiny-bert';

const MODEL_ID = 'tensorzip-test/tiny-bert';
const SENTENCES = ['The cat sat on the mat.', 'tensor zip is a small, fast model', 'a dog'];
const files = tinyBertFiles();

/** A cache over plain files, as transformers.js would find them in its own cache. */
function filesCache(byPath: Record<string, Uint8Array>) {
  const keys: string[] = [];
  return {
    keys,
    async match(request: string) {
      keys.push(request);
      const path = Object.keys(byPath).find((p) => request.endsWith(`${MODEL_ID}/${p}`) || request.endsWith(`${MODEL_ID}/resolve/main/${p}`));
      return path === undefined ? undefined : new Response(byPath[path] as Uint8Array<ArrayBuffer>);
    },
    async put() {},
  };
}

/** Mean-pooled embeddings of SENTENCES from a pipeline loaded through `cache`. */
async function embeddings(cache: unknown): Promise<number[][]> {
  env.useCustomCache = true;
  env.customCache = cache as typeof env.customCache;
  // Files the cache lacks would be looked for in a folder that does not exist, never downloaded.
  env.allowLocalModels = true;
  env.localModelPath = '/nonexistent-tensorzip-models/';
  env.allowRemoteModels = false;
  const extract = await pipeline('feature-extraction', MODEL_ID, { dtype: 'fp32' });
  const out = await extract(SENTENCES, { pooling: 'mean', normalize: true });
  await extract.dispose();
  return out.tolist() as number[][];
}

let reference: number[][];
beforeAll(async () => {
  await init();
  reference = await embeddings(filesCache(files));
}, 60_000);

describe('transformers.cache', () => {
  it('a lossless .tzip gives the pipeline the same outputs bit for bit, and holds every file', async () => {
    const bytes = await transformers.pack(files, { quantize: 'lossless' });
    const archive = await open(bytes);
    expect(archive.model).toEqual({ kind: 'onnx', entry: 'onnx/model.onnx' });
    expect(archive.entries.map((e) => e.name).sort()).toEqual(Object.keys(files).sort());
    expect(archive.tensors.map((t) => t.name).sort()).toEqual(['dense.weight', 'embeddings.token_type', 'embeddings.word']);
    expect(await embeddings(await transformers.cache(bytes, { modelId: MODEL_ID }))).toEqual(reference);
  }, 60_000);

  it('int8 weights keep each embedding within 0.01 cosine distance of the original', async () => {
    const bytes = await transformers.pack(files, { quantize: 'int8' });
    const got = await embeddings(await transformers.cache(bytes, { modelId: MODEL_ID }));
    const archive = await open(bytes);
    expect(archive.tensors.find((t) => t.name === 'dense.weight')?.storedDtype).toBe('int8');
    got.forEach((vector, i) => {
      const cosine = vector.reduce((sum, v, k) => sum + v * reference[i][k], 0); // both normalized
      expect(cosine).toBeGreaterThan(0.99);
      expect(vector).not.toEqual(reference[i]);
    });
  }, 60_000);

  it('answers only its model\'s files, by local path or hub URL, and leaves the rest', async () => {
    const cache = await transformers.cache(await open(await transformers.pack(files)), { modelId: MODEL_ID });
    const config = await cache.match(`/models/${MODEL_ID}/config.json`);
    expect(new Uint8Array(await config!.arrayBuffer())).toEqual(files['config.json']);
    expect(config!.headers.get('content-type')).toBe('application/json');
    const viaHub = await cache.match(new URL(`https://huggingface.co/${MODEL_ID}/resolve/main/tokenizer.json`));
    expect(new Uint8Array(await viaHub!.arrayBuffer())).toEqual(files['tokenizer.json']);
    expect(await cache.match(`/models/${MODEL_ID}/vocab.txt`)).toBeUndefined();
    expect(await cache.match('/models/someone-else/tiny-bert/config.json')).toBeUndefined();
    expect(await cache.match(`https://huggingface.co/x${MODEL_ID}/resolve/main/config.json`)).toBeUndefined();
  });

  it('pack needs one ONNX file to name, and cache a model id', async () => {
    const two = { ...files, 'onnx/model_quantized.onnx': files['onnx/model.onnx'] };
    await expect(transformers.pack(two)).rejects.toMatchObject({ name: 'TensorzipError', code: 'ARGUMENT' });
    const chosen = await open(await transformers.pack(two, { onnxFile: 'onnx/model_quantized.onnx' }));
    expect(chosen.model?.entry).toBe('onnx/model_quantized.onnx');
    expect(chosen.entries.find((e) => e.name === 'onnx/model.onnx')?.mediaType).toBe('application/x-onnx');
    await expect(transformers.cache(await transformers.pack(files), {} as { modelId: string })).rejects.toMatchObject({ name: 'TensorzipError', code: 'ARGUMENT' });
  });
});
