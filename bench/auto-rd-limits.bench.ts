// How small per-tensor settings can make a TF.js model at an output cosine, and what limits it: blazeface by default
// (BENCH_MODELS=emotion,… picks other @vladmandic/human models), run in tfjs-core's CPU backend on the input the
// auto-rd bench judges it on.
//   1. Each searched tensor (float32, rank ≥ 2) packed alone on a ladder wider than calibrate's: int4; 'auto' at
//      10..50 dB of SQNR on the tensor itself (qualityTarget's size rule undone); fp16. Per setting: bytes, relative
//      noise Σ(x − x̂)² / Σx², and, where the codes are one step for the whole tensor, their order-0 entropy (what a
//      perfect entropy coder would store).
//   2. Sensitivity k = (1 − output cosine) / relative noise, the tensor alone at its setting nearest 30 dB; and k with
//      bias correction (each conv's bias takes back the mean its weights' error adds, −Σ ΔW·E[input], with E[input] the
//      original model's mean activation per channel on the sample: not data-free, it needs intermediate outputs).
//   3. Damages add up (1 − cosine ≈ Σ k · noise): for damage budgets, the plan of fewest bytes (calibrate.ts's
//      greedy), packed and run for its real ratio, cosine and answer — with the bytes as stored, with the codes'
//      entropy as their cost (ratio estimated), and with bias correction (packed with the corrected biases).
// Results: bench/results/auto-rd-limits.json (a BENCH_MODELS run prints its rows only).
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { init, open, quant, qualityTarget, tfjs, type PackOptions, type TfjsModel } from 'tensorzip';
import { loadHumanModel } from '../test/helpers/human-models';
import { cosine, HUMAN_CASES, type Outputs } from './human-cases';

await init();
await tf.setBackend('cpu');
const MODELS = process.env.BENCH_MODELS?.split(',') ?? ['blazeface'];
const TARGET = 0.995;
const SQNR_LADDER = [10, 14, 18, 22, 26, 30, 34, 38, 42, 46, 50];
const BUDGETS = [0.005, 0.01, 0.02, 0.04];

type Setting = Omit<NonNullable<PackOptions['rules']>[number], 'match'>;
interface Level { label: string; setting: Setting; bytes: number; entropyBytes: number; noise: number; values: Float32Array }
interface Searched { name: string; shape: number[]; levels: Level[]; k: number; kCorrected: number }

/** The model as one float32/int32 shard, some weights replaced (manifest order kept). */
function withWeights(files: TfjsModel, weights: Record<string, Float32Array | Int32Array>): TfjsModel {
  const specs = files.modelJson.weightsManifest.flatMap((g) => g.weights.map(({ quantization: _, ...spec }) => spec));
  const parts = specs.map((s) => new Uint8Array(weights[s.name].buffer, weights[s.name].byteOffset, weights[s.name].byteLength));
  const shard = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (shard.set(p, at), at + p.length), 0);
  return { modelJson: { ...files.modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }, shards: { 'weights.bin': shard } };
}

/** Order-0 entropy in bytes of the codes of a tensor quantized on one step (its distinct values are its codes). */
function valueEntropyBytes(values: Float32Array): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let bits = 0;
  for (const c of counts.values()) bits -= c * Math.log2(c / values.length);
  return bits / 8;
}

const rows: Record<string, unknown>[] = [];
for (const modelName of MODELS) {
  const c = HUMAN_CASES.find((h) => h.name === modelName);
  if (c === undefined) throw new Error(`no human case ${modelName}`);
  const files = await loadHumanModel(modelName);
  const x = c.input();
  const original = tfjs.read(files);
  const values = Object.fromEntries(Object.entries(original).map(([n, t]) => [n, t.data as Float32Array | Int32Array]));
  // One model in memory; a run swaps weights in its weight map (what the graph reads its constants from).
  const model = await loadGraphModel(tfjs.ioHandler(await open(await tfjs.pack(files, { quantize: 'lossless' }))) as unknown as tf.io.IOHandler) as GraphModel;
  const weightMap = model.weights as Record<string, tf.Tensor[]>;
  const execute = async (m: GraphModel): Promise<Outputs> => {
    const out = await m.executeAsync(x);
    const list = Array.isArray(out) ? out : [out];
    const got = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
    return got;
  };
  const reference = await execute(model);
  const judge = (got: Outputs) => ({ cosine: Math.min(...reference.map((r, i) => cosine(r, got[i]))), answerUnchanged: c.answer(got) === c.answer(reference) });
  /** The outputs' cosine and answer with `replaced` weights swapped in. */
  const runWith = async (replaced: Record<string, Float32Array>) => {
    const saved = Object.keys(replaced).map((n) => [n, weightMap[n]] as const);
    for (const [n, v] of Object.entries(replaced)) weightMap[n] = [tf.tensor(v, [...original[n].shape], 'float32')];
    try {
      return judge(await execute(model));
    } finally {
      for (const [n, t] of saved) {
        tf.dispose(weightMap[n]);
        weightMap[n] = t;
      }
    }
  };

  // Bias correction: per conv, the mean per input channel of its input on the sample.
  type Node = { name: string; op: string; input: string[] };
  const nodes = (files.modelJson.modelTopology as { node: Node[] }).node;
  const convs = nodes.filter((n) => n.op === '_FusedConv2D' || n.op === 'DepthwiseConv2dNative');
  const inputNames = [...new Set(convs.map((n) => n.input[0]))];
  const activations = await model.executeAsync(x, inputNames) as tf.Tensor[];
  const means = Object.fromEntries(inputNames.map((n, i) => [n, tf.mean(activations[i], [0, 1, 2]).dataSync() as Float32Array]));
  tf.dispose(activations.filter((t) => t !== x)); // the first conv's input is the model's input itself
  /** Biases rounded to float16 (stored in 2 bytes like the model's own, at an error far below the correction's). */
  const asHalves = (biases: Record<string, Float64Array>) => Object.fromEntries(Object.entries(biases).map(([b, v]) => [b, quant.dequantize(quant.quantize(Float32Array.from(v), { dtype: 'float16' }))]));
  /** The biases that take back the mean error of quantized weights `q` on the original activations (a depthwise
   *  conv's, through the pointwise conv it feeds). */
  const correctedBiases = (q: Record<string, Float32Array>): Record<string, Float32Array> => {
    const biases: Record<string, Float64Array> = {};
    const add = (bias: string, j: number, v: number) => { (biases[bias] ??= Float64Array.from(values[bias]))[j] -= v; };
    for (const conv of convs) {
      const w = conv.input[1];
      if (!(w in q)) continue;
      const [kh, kw, cin, cout] = original[w].shape;
      const [exact, quantized, mean] = [values[w], q[w], means[conv.input[0]]];
      if (conv.op === '_FusedConv2D') {
        for (let e = 0; e < kh * kw * cin * cout; e++) add(conv.input[2], e % cout, (quantized[e] - exact[e]) * mean[Math.floor(e / cout) % cin]);
        continue;
      }
      const next = nodes.find((n) => n.op === '_FusedConv2D' && n.input[0] === conv.name);
      if (next === undefined) continue;
      const error = new Float64Array(cin);
      for (let e = 0; e < kh * kw * cin; e++) error[e % cin] += (quantized[e] - exact[e]) * mean[e % cin];
      const pointwise = q[next.input[1]] ?? values[next.input[1]];
      const pout = original[next.input[1]].shape[3];
      for (let i = 0; i < cin; i++) for (let j = 0; j < pout; j++) add(next.input[2], j, error[i] * pointwise[i * pout + j]);
    }
    return asHalves(biases);
  };

  // The searched tensors: float32 ones of rank ≥ 2 (not TF.js codes, which 'auto' keeps), each setting packed for all
  // of them at once, as pack() gives the model's channel axes.
  const asCodes = tfjs.read(files, { codes: true });
  const names = Object.keys(asCodes).filter((n) => !('quantized' in asCodes[n]) && original[n].dtype === 'float32' && original[n].shape.length >= 2);
  const settingFor = (label: string, n: number): Setting | null => {
    if (label === 'int4' || label === 'fp16') return { quantize: label };
    const quality = Number.parseFloat(label) - qualityTarget(0, n);
    return quality >= 0 ? { quantize: 'auto', quality } : null;
  };
  const levelsOf = new Map<string, Level[]>(names.map((n) => [n, []]));
  for (const label of ['int4', ...SQNR_LADDER.map((db) => `${db} dB`), 'fp16']) {
    const rules = names.flatMap((match) => {
      const setting = settingFor(label, values[match].length);
      return setting === null ? [] : [{ match, ...setting }];
    });
    const archive = await open(await tfjs.pack(files, { quantize: 'lossless', rules }));
    for (const { match, ...setting } of rules) {
      const [exact, got] = [values[match] as Float32Array, (await archive.get(match)).data as Float32Array];
      const signal = exact.reduce((n, v) => n + v * v, 0);
      const noise = exact.reduce((n, v, i) => n + (v - got[i]) ** 2, 0) / signal;
      const { encodedBytes: bytes, storedDtype } = archive.tensors.find((t) => t.name === match)!;
      const entropyBytes = storedDtype === 'tfjs_uint8' || storedDtype === 'tfjs_uint16' ? valueEntropyBytes(got) + 16 : bytes;
      levelsOf.get(match)!.push({ label, setting, bytes, entropyBytes, noise, values: got });
    }
  }
  const searched: Searched[] = [];
  for (const name of names) {
    // Only the settings no other beats on both bytes and noise, fewest bytes first (as calibrate.ts keeps them).
    const all = levelsOf.get(name)!;
    const levels = all.filter((l) => !all.some((m) => m !== l && m.bytes <= l.bytes && m.noise <= l.noise && (m.bytes < l.bytes || m.noise < l.noise))).sort((a, b) => a.bytes - b.bytes);
    const probe = levels.filter((l) => l.noise > 0).sort((a, b) => Math.abs(10 * Math.log10(a.noise) + 30) - Math.abs(10 * Math.log10(b.noise) + 30))[0];
    const alone = probe === undefined ? { cosine: 1 } : await runWith({ [name]: probe.values });
    const corrected = probe === undefined ? { cosine: 1 } : await runWith({ [name]: probe.values, ...correctedBiases({ [name]: probe.values }) });
    searched.push({ name, shape: [...original[name].shape], levels, k: probe ? (1 - alone.cosine) / probe.noise : 0, kCorrected: probe ? (1 - corrected.cosine) / probe.noise : 0 });
  }

  /** The cheapest levels whose damages add up to at most `budget` (calibrate.ts's greedy). */
  const plan = (budget: number, k: (s: Searched) => number, cost: (l: Level) => number): number[] => {
    const level = searched.map(() => 0);
    let total = searched.reduce((n, s) => n + k(s) * s.levels[0].noise, 0);
    while (total > budget) {
      let best: { i: number; l: number; saved: number; score: number } | null = null;
      for (const [i, s] of searched.entries()) {
        for (let l = level[i] + 1; l < s.levels.length; l++) {
          const saved = k(s) * (s.levels[level[i]].noise - s.levels[l].noise);
          const score = saved / Math.max(1, cost(s.levels[l]) - cost(s.levels[level[i]]));
          if (saved > 0 && (best === null || score > best.score)) best = { i, l, saved, score };
        }
      }
      if (best === null) break;
      level[best.i] = best.l;
      total -= best.saved;
    }
    return level;
  };

  const decodedBytes = Object.values(values).reduce((n, v) => n + v.byteLength, 0);
  /** The file less its model graph, as auto-rd counts it. */
  const weightBytesOf = async (bytes: Uint8Array) => bytes.length - (await open(bytes)).entries.reduce((n, e) => n + e.encodedBytes, 0);
  const defaultBytes = await tfjs.pack(files, { quantize: 'auto' });
  const defaultArchive = await open(defaultBytes);
  const searchedNames = new Set(searched.map((s) => s.name));
  // What the tensors the search leaves alone (biases, integers) and the index cost beside the searched ones.
  const rest = await weightBytesOf(defaultBytes) - defaultArchive.tensors.reduce((n, t) => n + (searchedNames.has(t.name) ? t.encodedBytes : 0), 0);
  const sumK = searched.reduce((n, s) => n + s.k, 0);
  const summary = {
    model: modelName, decodedBytes, searchedTensors: searched.length, searchedWeights: searched.reduce((n, s) => n + s.levels[0].values.length, 0),
    restBytes: rest, sumK, sumKCorrected: searched.reduce((n, s) => n + s.kCorrected, 0),
    // Every tensor at one SQNR: what the target asks of each when damages add up.
    uniformSqnrDbForTarget: 10 * Math.log10(sumK / (1 - TARGET)),
    searchedBytesFor5x: decodedBytes / 5 - rest,
  };
  console.log(JSON.stringify(summary));
  const plans: Record<string, unknown>[] = [];
  const variants = [
    { variant: 'bytes as stored', k: (s: Searched) => s.k, cost: (l: Level) => l.bytes, correct: false },
    { variant: 'codes at their entropy', k: (s: Searched) => s.k, cost: (l: Level) => l.entropyBytes, correct: false },
    { variant: 'bias corrected', k: (s: Searched) => s.kCorrected, cost: (l: Level) => l.bytes, correct: true },
  ];
  for (const v of variants) {
    for (const budget of BUDGETS) {
      const level = plan(budget, v.k, v.cost);
      const quantized = Object.fromEntries(searched.map((s, i) => [s.name, s.levels[level[i]].values]));
      const biases = v.correct ? correctedBiases(quantized) : {};
      const rules = searched.map((s, i) => ({ match: s.name, ...s.levels[level[i]].setting }));
      const bytes = await tfjs.pack(withWeights(files, { ...values, ...biases }), { quantize: 'lossless', rules });
      const archive = await open(bytes);
      const loaded = await loadGraphModel(tfjs.ioHandler(archive) as unknown as tf.io.IOHandler);
      const measured = judge(await execute(loaded));
      loaded.dispose();
      const costed = searched.reduce((n, s, i) => n + v.cost(s.levels[level[i]]), 0);
      const row = {
        model: modelName, variant: v.variant, budget, ratio: decodedBytes / await weightBytesOf(bytes), costRatio: decodedBytes / (rest + costed), ...measured,
        bitsPerSearchedWeight: costed * 8 / summary.searchedWeights,
        levels: Object.fromEntries(searched.map((s, i) => [s.name, s.levels[level[i]].label])),
      };
      plans.push(row);
      console.log(JSON.stringify({ ...row, levels: undefined }));
    }
  }
  rows.push({
    ...summary, plans,
    tensors: searched.map((s) => ({ name: s.name, shape: s.shape, k: s.k, kCorrected: s.kCorrected, levels: s.levels.map(({ values: _, setting: __, ...l }) => l) })),
  });
}
if (process.env.BENCH_MODELS === undefined) writeFileSync('bench/results/auto-rd-limits.json', `${JSON.stringify({ target: TARGET, rows }, null, 1)}\n`);
