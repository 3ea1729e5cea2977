// 'auto' as rate control: every tensor it quantizes keeps qualityTarget(quality, its size) as the SQNR of its
// channels (1 / the mean over channels of noise / signal), measured here in float64 from the original and the decoded
// values — on generated weights of known distributions and on a sample of the tensors of real models (face-api, the
// openwakeword ONNX models, @vladmandic/human's TF.js models); a lower quality gives fewer bits; rank-1 tensors stay
// exact, small weights meet their higher target; pruning goes through pack and counts in the reported error.
import { describe, expect, it } from 'vitest';
import { compare, init, onnx, open, pack, qualityTarget, tfjs, TensorzipError, type TensorInput } from '../src/index';
import { codeBits } from '../src/codecs/quant/rate';
import { random } from './helpers/data';
import { FACE_API_MODELS, loadFaceApiModel } from './helpers/face-api';
import { REAL_ONNX_MODELS } from './helpers/onnx-models';
import { loadHumanModel } from './helpers/human-models';

await init();

/** 10·log10(Σx² / Σ(x − x̂)²) in float64; Infinity when equal. */
function sqnrDb(original: Float32Array, decoded: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < original.length; i++) {
    signal += original[i] * original[i];
    noise += (original[i] - decoded[i]) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** The SQNR of the channels along `axis`: −10·log10 of the mean over channels (of nonzero signal) of noise / signal. */
function channelSqnrDb(original: Float32Array, decoded: Float32Array, shape: readonly number[], axis: number): number {
  const k = axis < 0 ? axis + shape.length : axis;
  const inner = shape.slice(k + 1).reduce((n, d) => n * d, 1);
  const signal = new Array<number>(shape[k]).fill(0);
  const noise = new Array<number>(shape[k]).fill(0);
  original.forEach((x, i) => {
    const c = Math.floor(i / inner) % shape[k];
    signal[c] += x * x;
    noise[c] += (x - decoded[i]) ** 2;
  });
  const ratios = signal.flatMap((sig, c) => (sig > 0 ? [noise[c] / sig] : []));
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  return mean === 0 ? Infinity : -10 * Math.log10(mean);
}

const next = random(2121);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const laplace = () => (next() < 0.5 ? 1 : -1) * Math.log(1 - next());
const DISTRIBUTIONS: Record<string, () => number> = {
  gaussian,
  laplace,
  uniform: () => next() - 0.5,
  'gaussian with 0.1% outliers ×40': () => gaussian() * (next() < 0.001 ? 40 : 1),
};
const SHAPE = [64, 256];
const weights = (draw: () => number) => Float32Array.from({ length: SHAPE[0] * SHAPE[1] }, draw);

/** Packs `tensors` with their channels on `channelAxis`, and checks each float32 tensor against its target:
 *  quantized ones meet it on their channels, others are exact. */
async function expectTargetsMet(tensors: Record<string, TensorInput>, quality?: number, channelAxis: 0 | -1 = 0): Promise<void> {
  const archive = await open(await pack(tensors, { channelAxis, ...(quality === undefined ? {} : { quality }) }));
  for (const info of archive.tensors) {
    const original = tensors[info.name];
    if (original.dtype !== 'float32') continue;
    const decoded = (await archive.get(info.name)).data as Float32Array;
    if (info.stats === null) expect(Array.from(decoded), `${info.name}: stored ${info.storedDtype} without stats`).toEqual(Array.from(original.data as Float32Array));
    else {
      const measured = original.shape.length < 2 ? sqnrDb(original.data as Float32Array, decoded) : channelSqnrDb(original.data as Float32Array, decoded, original.shape, channelAxis);
      expect(measured, `${info.name} (${info.storedDtype}, ${info.shape})`).toBeGreaterThanOrEqual(qualityTarget(quality ?? 38, decoded.length) - 1e-9);
    }
  }
}

describe("pack 'auto' with a quality: generated weights", () => {
  it.each(Object.keys(DISTRIBUTIONS))('%s: each quality met, fewer bits as it drops', async (name) => {
    const data = weights(DISTRIBUTIONS[name]);
    let lastBytes = Infinity;
    for (const quality of [50, 38, 30, 20]) {
      await expectTargetsMet({ w: { dtype: 'float32', shape: SHAPE, data } }, quality);
      const info = (await open(await pack({ w: { dtype: 'float32', shape: SHAPE, data } }, { quality }))).tensors[0];
      expect(info.encodedBytes, `quality ${quality}`).toBeLessThan(lastBytes);
      lastBytes = info.encodedBytes;
    }
    // 20 dB: 3–5 bits of entropy-coded codes a weight, where fixed int8 stores 8 (and Huffman ~6–7).
    expect(lastBytes * 8 / data.length).toBeLessThan(5);
  });

  it('qualityTarget: the quality at 16,384 elements, 3 dB per halving (up to +12) or doubling (down to −6)', () => {
    expect(qualityTarget(38, 16384)).toBe(38);
    expect(qualityTarget(38, 8192)).toBeCloseTo(38 + 10 * Math.log10(2), 12);
    expect(qualityTarget(38, 64)).toBe(50);
    expect(qualityTarget(38, 2 ** 24)).toBe(32);
  });

  it('the order-0 entropy that picks per-channel or per-block scales is within 3% of what the entropy stage stores', async () => {
    for (const spread of [2, 8, 30]) {
      const codes = Int8Array.from({ length: 1 << 18 }, () => Math.max(-127, Math.min(127, Math.round(laplace() * spread))));
      const info = (await open(await pack({ codes: { dtype: 'int8', shape: [codes.length], data: codes } }))).tensors[0];
      const estimate = codeBits(codes) / 8;
      expect(Math.abs(info.encodedBytes - estimate) / estimate, `spread ${spread}`).toBeLessThan(0.03);
    }
  });

  it('one step for the whole tensor, in 16-bit codes, where int8 codes cannot reach the target: fewer bytes than float16', async () => {
    const data = weights(gaussian);
    const archive = await open(await pack({ w: { dtype: 'float32', shape: SHAPE, data } }, { quality: 52, channelAxis: 0 }));
    const info = archive.tensors[0];
    const decoded = (await archive.get('w')).data as Float32Array;
    expect(info.storedDtype).toBe('tfjs_uint16');
    expect(channelSqnrDb(data, decoded, SHAPE, 0)).toBeGreaterThanOrEqual(qualityTarget(52, data.length));
    expect(info.stats!.sqnrDb).toBeCloseTo(sqnrDb(data, decoded), 6);
    const half = await open(await pack({ w: { dtype: 'float32', shape: SHAPE, data } }, { quantize: 'fp16' }));
    expect(info.encodedBytes).toBeLessThan(0.8 * half.tensors[0].encodedBytes);
  });

  it('every channel counts the same: spiky channels of small weights keep the quality beside dense large ones', async () => {
    // Half the channels dense (gaussian, σ 1), half of small weights with one outlier each (the heads of detectors
    // hold such rows): one relative step for all leaves the spiky ones far noisier than the tensor as a whole.
    const data = new Float32Array(SHAPE[0] * SHAPE[1]);
    for (let c = 0; c < SHAPE[0]; c++) {
      for (let i = 0; i < SHAPE[1]; i++) data[c * SHAPE[1] + i] = c % 2 === 0 ? gaussian() : 0.001 * gaussian();
      if (c % 2 === 1) data[c * SHAPE[1]] = 0.05;
    }
    for (const quality of [30, 38]) {
      const archive = await open(await pack({ w: { dtype: 'float32', shape: SHAPE, data } }, { quality, channelAxis: 0 }));
      const decoded = (await archive.get('w')).data as Float32Array;
      expect(channelSqnrDb(data, decoded, SHAPE, 0), `quality ${quality}`).toBeGreaterThanOrEqual(qualityTarget(quality, data.length));
    }
  });

  it('small weight tensors meet their higher target in fewer bytes than float32; rank-1 tensors stay exact', async () => {
    const shape = [3, 3, 8, 4];
    const kernel = Float32Array.from({ length: 288 }, laplace);
    const bias = Float32Array.from({ length: 288 }, laplace);
    const archive = await open(await pack({ kernel: { dtype: 'float32', shape, data: kernel }, bias: { dtype: 'float32', shape: [288], data: bias } }, { channelAxis: -1 }));
    const info = archive.tensors.find((t) => t.name === 'kernel')!;
    const decoded = (await archive.get('kernel')).data as Float32Array;
    expect(info.stats).not.toBeNull();
    expect(channelSqnrDb(kernel, decoded, shape, -1)).toBeGreaterThanOrEqual(qualityTarget(38, kernel.length));
    expect(info.encodedBytes).toBeLessThan(kernel.byteLength / 2);
    expect((await archive.get('bias')).data).toEqual(bias);
  });

  it('a hard maxAbsError holds on top of the quality', async () => {
    const data = weights(gaussian);
    const bound = 0.01;
    const archive = await open(await pack({ w: { dtype: 'float32', shape: SHAPE, data } }, { quality: 20, maxAbsError: bound }));
    const decoded = (await archive.get('w')).data as Float32Array;
    expect(Math.max(...data.map((v, i) => Math.abs(v - decoded[i])))).toBeLessThanOrEqual(bound);
  });

  it('biases, norms and tensors holding NaN stay exact', async () => {
    const bias = Float32Array.from({ length: 512 }, gaussian);
    const nan = weights(gaussian);
    nan[7] = NaN;
    const archive = await open(await pack({ bias: { dtype: 'float32', shape: [512], data: bias }, nan: { dtype: 'float32', shape: SHAPE, data: nan } }, { quality: 10 }));
    expect((await archive.get('bias')).data).toEqual(bias);
    expect(Array.from((await archive.get('nan')).data as Float32Array)).toEqual(Array.from(nan));
  });

  it('rules set a quality per name', async () => {
    const data = weights(gaussian);
    const t = { dtype: 'float32' as const, shape: SHAPE, data };
    const archive = await open(await pack({ 'head/w': t, 'body/w': t }, { quality: 20, rules: [{ match: 'head/*', quality: 45 }] }));
    const [head, body] = ['head/w', 'body/w'].map((n) => archive.tensors.find((x) => x.name === n)!);
    expect(head.stats!.sqnrDb).toBeGreaterThanOrEqual(qualityTarget(45, data.length));
    expect(body.stats!.sqnrDb).toBeLessThan(qualityTarget(45, data.length));
    expect(body.encodedBytes).toBeLessThan(head.encodedBytes / 2);
  });

  it('refuses a quality or prune that is not one (ARGUMENT)', async () => {
    const t = { w: { dtype: 'float32' as const, shape: [4], data: new Float32Array(4) } };
    for (const options of [{ quality: -1 }, { quality: Number.NaN }, { quality: '40' }, { prune: { sparsity: 1 } }, { prune: 0.5 }, { rules: [{ match: '*', quality: -3 }] }, { maxAbsError: -1 }, { minSqnrDb: 30 }]) {
      await expect(pack(t, options as never), JSON.stringify(options)).rejects.toSatisfy((e) => e instanceof TensorzipError && e.code === 'ARGUMENT');
    }
  });
});

describe("pack 'auto' with prune: pruning meets quantization", () => {
  it('zeros the smallest share, stores it in under half the bytes, and stats and compare() count the pruning in the error', async () => {
    const data = weights(gaussian);
    const original = { w: { dtype: 'float32' as const, shape: SHAPE, data }, small: { dtype: 'float32' as const, shape: [100], data: data.slice(0, 100) } };
    const archive = await open(await pack(original, { prune: { sparsity: 0.7 } }));
    const info = archive.tensors.find((t) => t.name === 'w')!;
    const decoded = (await archive.get('w')).data as Float32Array;
    expect(decoded.filter((v) => v === 0).length).toBeGreaterThanOrEqual(0.7 * data.length);
    const measured = sqnrDb(data, decoded);
    expect(info.stats!.sqnrDb).toBeCloseTo(measured, 6);
    expect(measured).toBeLessThan(qualityTarget(38, data.length)); // pruning 70% costs more than the quality allows
    const report = await compare(original, archive);
    expect(report.tensors.find((t) => t.name === 'w')!.sqnrDb).toBeCloseTo(measured, 6);
    expect((await archive.get('small')).data).toEqual(original.small.data); // small: neither pruned nor quantized
    const unpruned = await open(await pack(original));
    expect(info.encodedBytes).toBeLessThan(unpruned.tensors.find((t) => t.name === 'w')!.encodedBytes / 2);
  });

  it('a rule prunes the tensors it names only', async () => {
    const data = weights(laplace);
    const t = { dtype: 'float32' as const, shape: SHAPE, data };
    const archive = await open(await pack({ 'fc/w': t, 'conv/w': t }, { rules: [{ match: 'fc/*', prune: { sparsity: 0.5 } }] }));
    const zeros = async (name: string) => ((await archive.get(name)).data as Float32Array).filter((v) => v === 0).length;
    expect(await zeros('fc/w')).toBeGreaterThanOrEqual(data.length / 2);
    expect(await zeros('conv/w')).toBeLessThan(data.length / 4);
  });
});

/** Up to `count` float32 tensors (weights of any size, biases), spread over the model's order. */
function sample(tensors: Record<string, TensorInput>, count: number): Record<string, TensorInput> {
  const names = Object.keys(tensors).filter((n) => tensors[n].dtype === 'float32');
  const step = Math.max(1, Math.floor(names.length / count));
  return Object.fromEntries(names.filter((_, i) => i % step === 0).slice(0, count).map((n) => [n, tensors[n]]));
}

async function humanModel(name: string): Promise<Record<string, TensorInput>> {
  return tfjs.read(await loadHumanModel(name));
}

describe("pack 'auto' on weights quantized before", () => {
  it.each(FACE_API_MODELS)('face-api %s (uint8 codes read as float32): every quantized weight back exactly as shipped', async (name) => {
    const model = await loadFaceApiModel(name);
    const quantized = new Set(model.modelJson.weightsManifest.flatMap((g) => g.weights).filter((w) => w.quantization).map((w) => w.name));
    const shipped = tfjs.read(model);
    const archive = await open(await pack(shipped));
    expect(quantized.size).toBeGreaterThan(0);
    for (const [weight, t] of Object.entries(shipped).filter(([n]) => quantized.has(n))) {
      const back = (await archive.get(weight)).data;
      if (!back.every((v, i) => Object.is(v, t.data[i]))) expect.fail(`${weight}: not the shipped values`);
    }
  });
});

describe("pack 'auto' at the default quality: a sample of every real model's tensors meets its target", () => {
  it.each(['face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'].filter((m) => FACE_API_MODELS.includes(m)))('face-api %s', async (name) => {
    await expectTargetsMet(sample(tfjs.read(await loadFaceApiModel(name)), 6), undefined, -1);
  });
  it.each(REAL_ONNX_MODELS.map((m) => m.file))('openwakeword %s', async (file) => {
    const model = REAL_ONNX_MODELS.find((m) => m.file === file)!;
    await expectTargetsMet(sample(onnx.read(model.bytes).tensors as Record<string, TensorInput>, 6));
  });
  it.each(['emotion', 'blazeface', 'movenet-lightning'])('human %s', async (name) => {
    await expectTargetsMet(sample(await humanModel(name), 6), undefined, -1);
  });
});
