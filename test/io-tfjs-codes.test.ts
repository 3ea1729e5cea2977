// face-api's seven TF.js models (@vladmandic/face-api, uint8-quantized weights) read with their codes kept, packed,
// and decoded: every weight bit for bit as tfjs-core's own io.decodeWeights gives it for the shipped shards, the
// .tzip about the size of the shards (not of the float32 values), and the codes written back as the same shard bytes.
import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { FACE_API_MODELS, loadFaceApiModel } from './helpers/face-api';
import { tfjsCoreLoad } from './helpers/tfjs-core-load';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const models = await Promise.all(FACE_API_MODELS.map(loadFaceApiModel));
const theirs = models.map(tfjsCoreLoad);
const shardBytes = models.reduce((n, m) => n + Object.values(m.shards).reduce((k, s) => k + s.length, 0), 0);

describe.each(BUILDS)('face-api TF.js models packed as their codes (%s build)', (build, engine) => {
  const { tfjs, pack, open } = engine;

  it('all 7: every weight decodes bit for bit as tfjs-core decodes the shipped shards; the .tzip is no larger than the shards', async () => {
    let total = 0;
    for (const [i, model] of models.entries()) {
      const tensors = tfjs.read(model, { codes: true });
      const file = await pack(tensors, { quantize: 'lossless' });
      total += file.length;
      const archive = await open(file);
      for (const spec of model.modelJson.weightsManifest.flatMap((g) => g.weights)) {
        const info = archive.tensors.find((t) => t.name === spec.name)!;
        const uint8 = spec.dtype === 'float32' && spec.quantization?.dtype === 'uint8';
        expect(info.storedDtype, spec.name).toBe(uint8 ? 'tfjs_uint8' : spec.dtype);
        const got = await archive.get(spec.name);
        const want = theirs[i][spec.name];
        expect([got.dtype, got.shape], spec.name).toEqual([want.dtype, want.shape]);
        if (!equalBytes(bytesOf(got.data), bytesOf(want.values))) expect.fail(`${FACE_API_MODELS[i]} ${spec.name}: decoded values differ from tfjs-core's`);
      }
    }
    if (build === 'simd') console.info(`face-api, 7 models, TF.js codes kept (lossless): ${total} bytes of .tzip for ${shardBytes} bytes of shards`);
    // Overhead only (index, 64-byte alignment): widened to float32 they would take about 50 MB.
    expect(total).toBeLessThan(shardBytes * 1.02);
  });

  it('codes given back by the archive write the same shard bytes (models without quantized int32 constants)', async () => {
    for (const [i, model] of models.entries()) {
      if (FACE_API_MODELS[i] === 'ssd_mobilenetv1_model') continue; // its int32 constants come back as int32, 4 bytes each
      const archive = await open(await pack(tfjs.read(model, { codes: true }), { quantize: 'lossless' }));
      const codes = Object.fromEntries(await Promise.all(archive.tensors.map(async (t) =>
        [t.name, t.storedDtype === 'tfjs_uint8' ? await archive.getCodes(t.name) : await archive.get(t.name)] as const)));
      const back = tfjs.write(codes, { shardBytes: 1 << 30 });
      const [shipped] = Object.values(model.shards);
      if (!equalBytes(Object.values(back.shards)[0], shipped)) expect.fail(`${FACE_API_MODELS[i]}: written shard differs from the shipped one`);
      // And tfjs-core reads the written model to the same values.
      const reread = tfjsCoreLoad(back);
      for (const [name, t] of Object.entries(theirs[i])) expect(equalBytes(bytesOf(reread[name].values), bytesOf(t.values)), name).toBe(true);
    }
  });

  it('uint16 and float16 weights keep their codes too', async () => {
    const values = Float32Array.from({ length: 3000 }, (_, k) => Math.sin(k) * 0.3);
    for (const quantize of ['uint16', 'float16'] as const) {
      const model = tfjs.write({ w: { dtype: 'float32', shape: [30, 100], data: values } }, { quantize });
      const archive = await open(await pack(tfjs.read(model, { codes: true })));
      expect(archive.tensors[0].storedDtype).toBe(quantize === 'uint16' ? 'tfjs_uint16' : 'float16');
      expect(equalBytes(bytesOf((await archive.get('w')).data), bytesOf(tfjsCoreLoad(model).w.values)), quantize).toBe(true);
      const back = tfjs.write({ w: await archive.getCodes('w') });
      expect(back.modelJson.weightsManifest[0].weights[0].quantization?.dtype).toBe(quantize);
      expect(equalBytes(Object.values(back.shards)[0], Object.values(model.shards)[0]), quantize).toBe(true);
    }
  });
});
