// Real TF.js models: the seven face-api models that @vladmandic/face-api ships (uint8-quantized weights, a few
// float32 ones, and quantized int32 constants), read by us and by tfjs-core, and carried through a .tzip file.
import { describe, expect, it } from 'vitest';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { FACE_API_MODELS, loadFaceApiModel } from './helpers/face-api';
import { tfjsCoreLoad } from './helpers/tfjs-core-load';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const models = await Promise.all(FACE_API_MODELS.map(loadFaceApiModel));

describe.each(BUILDS)('real TF.js models from @vladmandic/face-api (%s build)', (_, engine) => {
  const { tfjs, pack, open } = engine;

  it.each(FACE_API_MODELS.map((name, i) => [name, i] as const))('%s: every weight reads bit for bit as tfjs-core decodes it', (_name, i) => {
    const ours = tfjs.read(models[i]);
    const theirs = tfjsCoreLoad(models[i]);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const [name, t] of Object.entries(theirs)) {
      expect(ours[name].dtype, name).toBe(t.dtype);
      expect(ours[name].shape, name).toEqual(t.shape);
      if (!equalBytes(bytesOf(ours[name].data), bytesOf(t.values))) expect.fail(`${name}: our values differ from tfjs-core's`);
    }
  });

  it('ssd_mobilenetv1 holds quantized int32 constants, rounded as tfjs-core rounds them', () => {
    const ours = tfjs.read(models[FACE_API_MODELS.indexOf('ssd_mobilenetv1_model')]);
    const ints = Object.values(ours).filter((t) => t.dtype === 'int32');
    expect(ints.length).toBe(15);
    expect(Array.from(ours['Postprocessor/Slice/size'].data as Int32Array)).toEqual([-1, -1, -1]);
  });

  it('face_landmark_68: lossless .tzip gives the same bits; int8 .tzip stays within each tensor\'s recorded error', async () => {
    const weights = tfjs.read(models[FACE_API_MODELS.indexOf('face_landmark_68_model')]);
    const lossless = await open(await pack(weights, { quantize: 'lossless' }));
    for (const [name, t] of Object.entries(await lossless.getAll())) {
      if (!equalBytes(bytesOf(t.data), bytesOf(weights[name].data))) expect.fail(`${name}: lossless round trip differs`);
    }
    const int8 = await open(await pack(weights, { quantize: 'int8' }));
    let lossy = 0;
    for (const info of int8.tensors) {
      const got = (await int8.get(info.name)).data as Float32Array;
      const want = weights[info.name].data as Float32Array;
      let maxError = 0;
      for (let i = 0; i < want.length; i++) maxError = Math.max(maxError, Math.abs(got[i] - want[i]));
      if (info.stats === null) {
        expect(maxError, info.name).toBe(0);
      } else {
        lossy++;
        expect(maxError, info.name).toBe(info.stats.maxAbsError);
      }
    }
    expect(lossy).toBeGreaterThan(0);
  });

  it('tiny_face_detector → .tzip → TF.js uint8 shards load in tfjs-core within half a quantization step', async () => {
    const weights = tfjs.read(models[FACE_API_MODELS.indexOf('tiny_face_detector_model')]);
    const archive = await open(await pack(weights));
    const back = tfjs.write(await archive.getAll() as Record<string, TensorInput>, { quantize: 'uint8' });
    const loaded = tfjsCoreLoad(back);
    for (const group of back.modelJson.weightsManifest) {
      for (const spec of group.weights) {
        const step = spec.quantization?.scale ?? 0;
        const values = loaded[spec.name].values;
        const archived = (await archive.get(spec.name)).data as Float32Array;
        for (let i = 0; i < archived.length; i++) {
          if (Math.abs(values[i] - archived[i]) > step / 2 + 1e-7) expect.fail(`${spec.name}[${i}]: ${values[i]} is more than half a step from ${archived[i]}`);
        }
      }
    }
  });
});
