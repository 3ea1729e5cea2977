// calibrate(): per-tensor settings searched so that the model's outputs stay within a cosine target, with the bits
// spent where the outputs feel them. The search, with F framework runs in all (each loads the model with a set of
// weights and runs it once on the sample inputs):
//   1. every searched tensor (float32, rank ≥ 2; the largest first when maxRuns cannot run them all) is packed alone at each setting of the
//      ladder: its bytes, its decoded values, its noise (Σ(x − x̂)²);
//   2. sensitivity: one run per tensor, that tensor alone at the cheapest setting: damage d = 1 − output cosine;
//   3. a plan for a damage budget: damages add up (1 − cosine grows with the outputs' noise power, which grows with
//      each tensor's noise), a tensor's damage at a setting is d · noise(setting) / noise(cheapest); from the
//      cheapest setting everywhere, the move with the most damage saved per byte is taken until the sum fits;
//   4. the plan is run; the budget is scaled by target / measured damage (tighter on a miss, looser on a pass) and
//      planned again, up to VERIFY_ROUNDS runs (a budget whose plan was already refuted is tightened again without a
//      run); the smallest plan that passed wins (lossless everywhere, which always passes, if none did); pack's
//      default 'auto' is run too, and wins when it passes in fewer bytes. The winner is packed, and its archive run
//      once more for the report.
import { TensorzipError } from '../errors';
import { xxh32 } from '../codecs/checksum';
import { equalBytes } from '../codecs/equal-bytes';
import { describeValue } from '../codecs/describe-value';
import type { Archive, OpenOptions } from '../format/archive';
import type { EncodeRule, TensorInput } from '../format/encode-tensor';
import { pack, type PackOptions, type QuantizedTensorInput } from '../format/pack';
import { DEFAULT_QUALITY_DB, matches } from '../format/plan';
import type { Kernels } from '../wasm/kernels';
import { readOnnx, type OnnxReadOptions } from '../io/onnx-read';
import { ONNX_MODEL_ENTRY, packOnnxModel } from '../io/onnx-archive';
import { onnxChannelAxes } from '../io/onnx-channel-axes';
import { readTfjs, type TfjsModel } from '../io/tfjs';
import { tfjsModelKind, tfjsPackInput, widenFloat16 } from '../io/tfjs-archive';
import { tfjsChannelAxes } from '../io/tfjs-channel-axes';
import { isQuantizedTensorInput } from '../format/encode-tensor';
import type { Framework } from './frameworks';
import { modelLoader, runModel, runModelOnEach, type ModelGraph, type ModelLoader, type ModelOutput } from './model-runner';
import { sampleInputs } from './sample-inputs';
import { compareOutputs, minCosine, type OutputComparison } from './output-metrics';
import { checkSeed, REFERENCE_FAILED, referenceFailure } from './model-compare';

/** A per-tensor setting: a pack() rule without its `match`. */
export type CalibrationSetting = Omit<EncodeRule, 'match' | 'channelAxis'>;

/** The qualities (dB, pack's 'auto') the search may give a tensor: 4 dB apart, about 2/3 of a bit per weight. */
const CALIBRATION_QUALITIES = [26, 30, 34, 38, 42, 46, 50];

/** The settings the search moves a tensor along, cheapest first; the last keeps it exact. Rate control at each
 *  quality gives a tensor the fewest bits for its noise, so the search can spend fractions of a bit where int4 → int8
 *  → fp16 could only double them. */
export const CALIBRATION_LADDER: readonly CalibrationSetting[] = [
  { quantize: 'int4' }, ...CALIBRATION_QUALITIES.map((quality) => ({ quantize: 'auto' as const, quality })), { quantize: 'fp16' }, { quantize: 'lossless' },
];
/** The ladder's place of pack's default, 'auto' at DEFAULT_QUALITY_DB. */
const DEFAULT_LEVEL = CALIBRATION_LADDER.findIndex((s) => s.quantize === 'auto' && s.quality === DEFAULT_QUALITY_DB);

/** Plans tried against the framework after the sensitivity runs. */
const VERIFY_ROUNDS = 8;
/** Budgets tried in all, with or without a run (a budget can give a plan already run). */
const PLAN_TRIES = 64;
const DEFAULT_MAX_RUNS = 200;

/** One output of the model on one sample: its name, shape and values (widened to float64). */
export type CalibrationOutput = ModelOutput;

/** A whole model as pack reads it: ONNX bytes (with external data files), or a TF.js graph model. */
export type CalibrateModel = { onnx: Uint8Array; externalData?: OnnxReadOptions['externalData'] } | { tfjs: TfjsModel };

export interface CalibrateOptions extends Omit<PackOptions, 'quantize' | 'rules' | 'maxAbsError' | 'minSqnrDb'> {
  /** `{ ort }` for an ONNX model, `{ tf }` for a TF.js graph model (see compare()). */
  framework: Framework;
  /** The target: every output's cosine against the original's, on the sample inputs, at least this (0 < x ≤ 1). */
  minOutputCosine: number;
  /** The task's own check on top of the cosine target (the same detections, the same keypoints): given the original
   *  model's outputs and a plan's, one array per sample, whether the answer holds. A plan it rejects has missed the
   *  target. Sensitivities stay measured by cosine. */
  accept?: (original: readonly CalibrationOutput[][], candidate: readonly CalibrationOutput[][]) => boolean;
  /** Sample inputs by input name; the rest are generated as compare() makes them (`seed`). An array gives several
   *  samples (a model whose branches run on different inputs, such as silero VAD's two sample rates): every output of
   *  every sample meets the target. */
  inputs?: Record<string, TensorInput> | readonly Record<string, TensorInput>[];
  seed?: number;
  /** Framework runs the search may make (default 200; a run loads the model and runs it on every sample): 3 +
   *  VERIFY_ROUNDS go to the reference, the plans, pack's default and the report, one to each searched tensor; past
   *  that, the smallest tensors are not searched and stay exact. */
  maxRuns?: number;
}

export interface CalibratedTensor {
  name: string;
  setting: CalibrationSetting;
  encodedBytes: number;
  /** 1 − output cosine with this tensor alone at the cheapest setting. */
  sensitivity: number;
}

export interface CalibrationReport {
  /** The rules pack() was given, one per searched tensor (the others stay lossless). */
  rules: EncodeRule[];
  tensors: CalibratedTensor[];
  /** The packed archive's outputs against the original's. */
  outputs: OutputComparison[];
  /** What `accept` said of the packed archive's outputs; null without `accept`. */
  accepted: boolean | null;
  minOutputCosine: number;
  /** Framework runs made, and the whole search's wall time. */
  runs: number;
  seconds: number;
}

export interface Calibrated {
  bytes: Uint8Array;
  report: CalibrationReport;
}

interface Level { setting: CalibrationSetting; bytes: number; values: TensorInput; noise: number }
/** `atDefault`: the level of pack's default 'auto' (DEFAULT_QUALITY_DB), or the one that beat it on bytes and noise. */
interface Candidate { names: string[]; levels: Level[]; atDefault: number; sensitivity: number }

/** What the search needs of a model, whatever its format. */
interface ModelParts {
  graph: ModelGraph;
  /** Every weight as values (what the original runs with). */
  values: Record<string, TensorInput>;
  /** The weights pack() is given (codes kept). */
  packed: Record<string, TensorInput | QuantizedTensorInput>;
  channelAxes: Record<string, number>;
  packModel(options: PackOptions): Promise<Uint8Array>;
}

function modelParts(kernels: Kernels, model: CalibrateModel): ModelParts {
  if (model !== null && typeof model === 'object' && 'onnx' in model) {
    const read = readOnnx(model.onnx, { externalData: model.externalData });
    return {
      graph: { kind: 'onnx', model: read.model }, values: read.tensors, packed: read.tensors, channelAxes: onnxChannelAxes(read.model),
      packModel: (options) => packOnnxModel(kernels, read, options, ONNX_MODEL_ENTRY),
    };
  }
  if (model !== null && typeof model === 'object' && 'tfjs' in model) {
    const { weightsManifest: _, ...modelJson } = model.tfjs?.modelJson ?? {};
    if (tfjsModelKind(modelJson) !== 'tfjs-graph') throw new TensorzipError('UNSUPPORTED', 'calibrate: the TF.js model is not a graph model (model.json without a graph topology); calibrate runs TF.js graph models');
    // float16 weights searched as the float32 values they are, as 'auto' takes them below 16 bits.
    const packed = widenFloat16(kernels, readTfjs(kernels, model.tfjs, { codes: true }));
    return {
      graph: { kind: 'tfjs', modelJson }, values: readTfjs(kernels, model.tfjs) as Record<string, TensorInput>, packed,
      channelAxes: tfjsChannelAxes(model.tfjs.modelJson),
      packModel: (options) => {
        const input = tfjsPackInput(kernels, model.tfjs, options);
        return pack(kernels, widenFloat16(kernels, input.tensors), input.options);
      },
    };
  }
  throw new TensorzipError('ARGUMENT', `calibrate model: expected { onnx: bytes } or { tfjs: { modelJson, shards } }, found ${describeValue(model)}`);
}

function noiseOf(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] - y[i]) ** 2;
  return sum;
}

/** Per setting: the tensor packed alone, its bytes and decoded values; only the settings no other beats on both bytes
 *  and noise (weights of few distinct values take fewer bytes exact, as a palette, than at int4), fewest bytes first. */
async function levelsOf(kernels: Kernels, open: (bytes: Uint8Array) => Promise<Archive>, name: string, t: TensorInput, options: PackOptions): Promise<Pick<Candidate, 'levels' | 'atDefault'>> {
  const all: Level[] = [];
  for (const setting of CALIBRATION_LADDER) {
    const archive = await open(await pack(kernels, { [name]: t }, { ...options, quantize: 'lossless', rules: [{ match: '*', ...setting }] }));
    const values = await archive.get(name);
    all.push({ setting, bytes: archive.tensors[0].encodedBytes, values, noise: noiseOf(t.data as Float32Array, values.data as Float32Array) });
  }
  const beats = (m: Level, j: number, l: Level, i: number) => m.bytes <= l.bytes && m.noise <= l.noise && (m.bytes < l.bytes || m.noise < l.noise || j < i);
  const levels = all.filter((l, i) => !all.some((m, j) => beats(m, j, l, i))).sort((a, b) => a.bytes - b.bytes);
  const byDefault = all[DEFAULT_LEVEL];
  const atDefault = levels.findIndex((m) => m === byDefault || beats(m, -1, byDefault, 0));
  return { levels, atDefault };
}

/** The searched tensors, those of the same values and channel axis as one (silero VAD's If branches share 44% of
 *  their weights): one setting for all of their names, so that pack stores their chunks once. */
function sameTensors(kernels: Kernels, searched: readonly [string, TensorInput][], axes: Record<string, number>): [string[], TensorInput][] {
  const raw = (t: TensorInput) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const byKey = new Map<string, [string[], TensorInput][]>();
  const groups: [string[], TensorInput][] = [];
  for (const [name, t] of searched) {
    const key = `${t.shape.join(',')} ${axes[name]} ${xxh32(kernels, raw(t))}`;
    const alike = byKey.get(key) ?? [];
    const same = alike.find(([, u]) => equalBytes(raw(u), raw(t)));
    if (same !== undefined) same[0].push(name);
    else {
      const group: [string[], TensorInput] = [[name], t];
      alike.push(group);
      byKey.set(key, alike);
      groups.push(group);
    }
  }
  return groups;
}

/** The cheapest levels whose estimated damages add up to at most `budget`. */
function plan(candidates: readonly Candidate[], budget: number): number[] {
  const level = candidates.map(() => 0);
  const damage = (c: Candidate, l: number) => (c.levels[0].noise === 0 ? 0 : (c.sensitivity * c.levels[l].noise) / c.levels[0].noise);
  let total = candidates.reduce((n, c) => n + damage(c, 0), 0);
  while (total > budget) {
    let best: { i: number; l: number; saved: number; score: number } | null = null;
    for (const [i, c] of candidates.entries()) {
      for (let l = level[i] + 1; l < c.levels.length; l++) {
        const saved = damage(c, level[i]) - damage(c, l);
        const score = saved / Math.max(1, c.levels[l].bytes - c.levels[level[i]].bytes);
        if (saved > 0 && (best === null || score > best.score)) best = { i, l, saved, score };
      }
    }
    if (best === null) break;
    level[best.i] = best.l;
    total -= best.saved;
  }
  return level;
}

/** Each tensor's rule, checked to be the first that matches it (a name holding `*` or `?` could match others). */
function rulesFor(candidates: readonly Candidate[], level: readonly number[], names: readonly string[]): EncodeRule[] {
  const rules = candidates.flatMap((c, i) => c.names.map((match) => ({ match, ...c.levels[level[i]].setting })));
  for (const name of names) {
    const first = rules.find((r) => matches(r.match, name));
    if (first !== undefined && first.match !== name) throw new TensorzipError('UNSUPPORTED', `calibrate: tensor names ${describeValue(first.match)} and ${describeValue(name)} cannot have rules of their own (pack()'s rules read * and ? as wildcards)`);
  }
  return rules;
}

export async function calibrate(kernels: Kernels, open: (bytes: Uint8Array, options?: OpenOptions) => Promise<Archive>, model: CalibrateModel, options: CalibrateOptions): Promise<Calibrated> {
  const started = performance.now();
  if (options === null || typeof options !== 'object') throw new TensorzipError('ARGUMENT', `calibrate options: expected an object, found ${describeValue(options)}`);
  const { framework, minOutputCosine: target, accept, inputs, seed: givenSeed, maxRuns = DEFAULT_MAX_RUNS, ...packOptions } = options;
  if (accept !== undefined && typeof accept !== 'function') throw new TensorzipError('ARGUMENT', `calibrate accept: expected a function of (original outputs, outputs), found ${describeValue(accept)}`);
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) throw new TensorzipError('ARGUMENT', `calibrate minOutputCosine: expected a number in (0, 1], found ${describeValue(target)}`);
  if (!Number.isSafeInteger(maxRuns) || maxRuns < VERIFY_ROUNDS + 4) throw new TensorzipError('ARGUMENT', `calibrate maxRuns: expected an integer ≥ ${VERIFY_ROUNDS + 4}, found ${describeValue(maxRuns)}`);
  for (const key of ['quantize', 'rules', 'maxAbsError', 'minSqnrDb']) {
    if ((packOptions as Record<string, unknown>)[key] !== undefined) throw new TensorzipError('ARGUMENT', `calibrate: ${key} is the search's to choose; leave it out`);
  }
  const seed = checkSeed(givenSeed, 'calibrate');
  const parts = modelParts(kernels, model);
  const load: ModelLoader = modelLoader(kernels, framework, parts.graph, 'calibrate');
  if (Array.isArray(inputs) && inputs.length === 0) throw new TensorzipError('ARGUMENT', 'calibrate inputs: an empty array (give one sample at least, or none to generate one)');
  const samples: (Record<string, TensorInput> | undefined)[] = Array.isArray(inputs) ? inputs : [inputs as Record<string, TensorInput> | undefined];
  let runs = 0;
  const feeds: Record<string, TensorInput>[] = [];
  const reference: ModelOutput[][] = [];
  for (const [k, given] of samples.entries()) {
    const what = samples.length > 1 ? `calibrate inputs[${k}]` : 'calibrate';
    const first = await runModel(load, parts.values, (modelInputs) => sampleInputs(kernels, modelInputs, given, seed, what), referenceFailure(given), `${what}: ${REFERENCE_FAILED}`);
    feeds.push(first.feeds);
    reference.push(first.outputs);
  }
  runs++;
  const runWith = async (weights: Record<string, TensorInput>) => {
    runs++;
    const outputs = await runModelOnEach(load, weights, feeds, 'CORRUPT', 'calibrate: the quantized weights do not run');
    return { comparisons: outputs.flatMap((o, k) => compareOutputs(reference[k], o)), accepted: accept === undefined ? null : accept(reference, outputs) === true };
  };
  /** 1 − the lowest output cosine (2 for NaN outputs), and whether `accept` took the outputs. */
  const damageOf = async (weights: Record<string, TensorInput>) => {
    const { comparisons, accepted } = await runWith(weights);
    const cosine = minCosine(comparisons);
    return { damage: cosine === cosine ? 1 - cosine : 2, accepted: accepted !== false };
  };

  const encoding: PackOptions = { channelAxes: { ...parts.channelAxes, ...packOptions.channelAxes }, channelAxis: packOptions.channelAxis, sparse: packOptions.sparse, entropy: packOptions.entropy, chunkBytes: packOptions.chunkBytes };
  const searched = Object.entries(parts.packed)
    .filter(([, t]) => !isQuantizedTensorInput(t) && t.dtype === 'float32' && t.shape.length >= 2)
    .sort(([, a], [, b]) => (b as TensorInput).data.length - (a as TensorInput).data.length)
    .slice(0, maxRuns - VERIFY_ROUNDS - 3) as [string, TensorInput][];
  const candidates: Candidate[] = [];
  const valuesOf = (names: readonly string[], values: TensorInput) => Object.fromEntries(names.map((n) => [n, values]));
  for (const [names, t] of sameTensors(kernels, searched, encoding.channelAxes ?? {})) {
    const { levels, atDefault } = await levelsOf(kernels, open, names[0], t, encoding);
    // A tensor whose cheapest setting is exact (a palette of its few values) does no damage there: no run.
    candidates.push({ names, levels, atDefault, sensitivity: levels[0].noise === 0 ? 0 : (await damageOf({ ...parts.values, ...valuesOf(names, levels[0].values) })).damage });
  }

  const weightsOf = (level: readonly number[]) => ({ ...parts.values, ...Object.fromEntries(candidates.flatMap((c, i) => c.names.map((n) => [n, c.levels[level[i]].values]))) });
  const bytesOf = (level: readonly number[]) => candidates.reduce((n, c, i) => n + c.levels[level[i]].bytes, 0);
  const budgetTarget = 1 - target;
  let best = candidates.map((c) => c.levels.length - 1);
  let budget = budgetTarget;
  const tried = new Set<string>();
  // Estimated damages can fall short of measured ones (they do not add up exactly): a budget that gives a plan already
  // refuted is tightened further, without a run, until the plan changes. PLAN_TRIES bounds those steps.
  let passed = false;
  for (let round = 0, tries = 0; round < VERIFY_ROUNDS && tries < PLAN_TRIES; tries++) {
    const level = plan(candidates, budget);
    const key = level.join();
    if (tried.has(key)) {
      if (passed) break; // a looser budget gave the same plan: nothing cheaper left to try
      budget *= 0.8;
      continue;
    }
    tried.add(key);
    round++;
    const { damage, accepted } = await damageOf(weightsOf(level));
    passed = damage <= budgetTarget && accepted;
    if (passed && bytesOf(level) < bytesOf(best)) best = level;
    // Damage grows about in step with the budget: aim the next plan at the target, in steps of at most 4x (a plan
    // within the cosine target that `accept` refused: a step tighter).
    const scale = damage === 0 ? 4 : budgetTarget / damage;
    budget *= passed ? Math.min(4, Math.max(1.25, scale)) : Math.max(0.1, Math.min(0.8, scale));
  }

  // pack's default (every searched tensor at 'auto' DEFAULT_QUALITY_DB, or the setting that beat it) when it meets the
  // target in fewer bytes: the estimates can steer the search past a plan that simple.
  const byDefault = candidates.map((c) => c.atDefault);
  if (bytesOf(byDefault) < bytesOf(best) && !tried.has(byDefault.join())) {
    const { damage, accepted } = await damageOf(weightsOf(byDefault));
    if (damage <= budgetTarget && accepted) best = byDefault;
  }

  const rules = rulesFor(candidates, best, Object.keys(parts.packed));
  const bytes = await parts.packModel({ ...packOptions, quantize: 'lossless', rules });
  const archive = await open(bytes, { decrypt: packOptions.encrypt });
  const { comparisons: outputs, accepted } = await runWith(await archive.getAll());
  const stored = new Map(archive.tensors.map((t) => [t.name, t.encodedBytes]));
  return {
    bytes,
    report: {
      rules,
      tensors: candidates.flatMap((c, i) => c.names.map((name) => ({ name, setting: c.levels[best[i]].setting, encodedBytes: stored.get(name) ?? 0, sensitivity: c.sensitivity }))),
      outputs, accepted, minOutputCosine: minCosine(outputs), runs, seconds: (performance.now() - started) / 1000,
    },
  };
}
