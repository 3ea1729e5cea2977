// How pack() stores each tensor: which quantization (the caller's mode, per-name rules, and the 'auto' policy) and
// which byte stages. The policy never breaks a model: small tensors (biases, norms) stay lossless under any
// model-wide mode (only a per-name rule quantizes them; 'auto' keeps rank-1 tensors and scalars exact and holds
// small weight tensors to a higher target), per-channel scales run along each tensor's channel axis (as
// the caller or the model's graph gives it, else the axis whose scales leave the least error), and a format the
// values overflow falls back to lossless.
import { describeValue } from '../codecs/describe-value';
import { isTensorzipError, TensorzipError } from '../errors';
import type { PipelineStage } from '../codecs/pipeline';
import { pipelineCandidates, type CandidateInput } from './pipeline-choice';
import type { QuantizedInput, QuantizedTensor, TfjsCodes } from '../codecs/quant';
import type { Kernels } from '../wasm/kernels';
import { dequantize, quantize } from '../codecs/quant/quantize';
import { decodeTfjsWeight, isTfjsCodes } from '../codecs/quant/tfjs';
import { errorStats } from '../codecs/quant/error-stats';
import type { QuantStats } from '../codecs/quant';
import { prune } from '../codecs/sparse/prune';
import { meets, quantizeForTarget, type UniformCodes } from '../codecs/quant/rate';
import { leastErrorAxis } from './channel-axis';
import { exactHalves } from './exact-halves';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';

export type QuantizeMode = 'lossless' | 'fp16' | 'bf16' | 'int8' | 'int4' | 'auto';
export const QUANTIZE_MODES: readonly QuantizeMode[] = ['lossless', 'fp16', 'bf16', 'int8', 'int4', 'auto'];

/** Tensors with fewer elements, or of rank < 2, stay lossless under a model-wide mode: biases, norms, scalars. */
export const SMALL_TENSOR_ELEMENTS = 1024;
/** Under default options, a tensor whose stored elements are at least this share zeros tries sparse stages. */
export const SPARSE_MIN_ZEROS = 0.5;
/** 'auto' without a `quality`: the lowest that kept real models' outputs intact (bench/auto-rd.bench.ts). */
export const DEFAULT_QUALITY_DB = 38;
/** The tensor size `quality` is the SQNR of; others get 3 dB per halving or doubling, within the bounds below. */
const QUALITY_ELEMENTS = 16384;
const QUALITY_MAX_RAISE_DB = 12;
const QUALITY_MAX_DROP_DB = 6;

/**
 * The SQNR in dB a tensor of `elements` values keeps under `quality`: noise in proportion to size, so that each
 * tensor costs the outputs about the same per bit it stores (a layer adds its weights' relative noise to its output
 * whatever its size, while its bits grow with its size).
 * @example
 * qualityTarget(38, 16384); // 38
 * qualityTarget(38, 4096);  // 44.02
 */
export function qualityTarget(quality: number, elements: number): number {
  const raise = 10 * Math.log10(QUALITY_ELEMENTS / Math.max(1, elements));
  return quality + Math.min(QUALITY_MAX_RAISE_DB, Math.max(-QUALITY_MAX_DROP_DB, raise));
}

export interface PlanOptions {
  mode: QuantizeMode;
  /** The mode comes from a per-name rule: apply it to small tensors too (except 'auto', which keeps them). */
  fromRule: boolean;
  /** The channel axis for per-channel scales (negative counts from the end); undefined: the least-error axis. */
  channelAxis?: number;
  /** 'auto': the SQNR in dB this tensor keeps at least (qualityTarget of pack's `quality`). */
  quality: number;
  /** 'auto': the largest |x − x̂| allowed on top of `quality`. */
  maxAbsError?: number;
  /** Share of the smallest weights set to zero before quantization (pack's `prune.sparsity`); undefined: none. */
  sparsity?: number;
  stages: StageChoice;
}

/** Which byte stages pack() may try (its `sparse` and `entropy` options). */
export interface StageChoice {
  sparse: boolean;
  entropy: boolean;
}

export interface TensorPlan {
  /** Stored codes; null when the tensor is stored as it is. */
  quantized: QuantizedInput | TfjsCodes | null;
  stored: Uint8Array;
  /** Bytes per stored element for the byte stages (1 for packed 4-bit and GGML blocks). */
  width: number;
  /** The byte stages worth a trial, the first preferred on a tie (pipeline-choice.ts). */
  candidates: PipelineStage[][];
  /** The stored values' error against the original where the codes do not carry it, or pruning adds to it. */
  stats?: QuantStats;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** At most this many distinct values: the tensor holds 8-bit codes already. */
const QUANTIZED_VALUES = 256;

function fewValues(data: Float32Array, most: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    seen.add(data[i]);
    if (seen.size > most) return false;
  }
  return true;
}

/** A format the values overflow (float16 past 65504) or cannot hold (NaN, ±Inf) gives null. */
function tryQuantize<T>(run: () => T): T | null {
  try {
    return run();
  } catch (err) {
    if (isTensorzipError(err, 'ARGUMENT')) return null;
    throw err;
  }
}

/** Small tensors stay precise under a model-wide mode (not when a rule names them); under 'auto', rank-1 tensors and
 *  scalars do, even when a rule names them, while small weights meet their (higher) qualityTarget. */
function keptPrecise(shape: readonly number[], count: number, options: PlanOptions): boolean {
  if (options.mode === 'auto') return shape.length < 2;
  return (count < SMALL_TENSOR_ELEMENTS || shape.length < 2) && !options.fromRule;
}

function quantizeFor(kernels: Kernels, data: Float32Array, shape: number[], options: PlanOptions): QuantizedTensor | UniformCodes | null {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (keptPrecise(shape, data.length, options)) return null;
  const axis = () => (shape.length < 2 ? undefined : options.channelAxis ?? leastErrorAxis(data, shape));
  return tryQuantize(() => {
    switch (options.mode) {
      case 'lossless': return null;
      case 'fp16': return quantize(kernels, data, { dtype: 'float16', shape });
      case 'bf16': return quantize(kernels, data, { dtype: 'bfloat16', shape });
      case 'int8': return quantize(kernels, data, { dtype: 'int8', shape, axis: axis() });
      case 'int4': return quantize(kernels, data, last % 32 === 0 ? { dtype: 'int4', shape, axis: -1, blockSize: 32 } : { dtype: 'int4', shape, axis: axis() });
      case 'auto': {
        // Values quantized before (TF.js uint8 weights read as float32) stay exact: a palette stores them in about
        // the bits of their codes, and quantizing them again would add its error to theirs.
        if (fewValues(data, QUANTIZED_VALUES)) return null;
        // The smallest that meets the target: codes with as few levels as it allows, else 16-bit floats.
        const target = { minSqnrDb: options.quality, maxAbsError: options.maxAbsError };
        const q = quantizeForTarget(kernels, data, shape, axis(), target);
        if (q) return q;
        for (const dtype of ['float16', 'bfloat16'] as const) {
          const half = tryQuantize(() => quantize(kernels, data, { dtype, shape }));
          if (half) return meets(half.stats, target) ? half : null;
        }
        return null;
      }
    }
  });
}

/** The float32 values codes stand for. */
function restore(kernels: Kernels, q: QuantizedInput | TfjsCodes): Float32Array {
  if (!isTfjsCodes(q)) return dequantize(kernels, q);
  return decodeTfjsWeight(kernels, q.data, { dtype: q.dtype === 'tfjs_uint8' ? 'uint8' : 'uint16', scale: q.scale, min: q.min });
}

function zeroShare(stored: Uint8Array, width: number): number {
  const count = stored.length / width;
  if (count === 0) return 0;
  const view = width === 4 ? new Uint32Array(stored.buffer, stored.byteOffset, count)
    : width === 2 ? new Uint16Array(stored.buffer, stored.byteOffset, count) : stored;
  let zeros = 0;
  for (let i = 0; i < count; i++) if (view[i] === 0) zeros++;
  return zeros / count;
}

export function planTensor(kernels: Kernels, dtype: TensorDtype, shape: number[], data: TensorArray, options: PlanOptions): TensorPlan {
  const pruning = dtype === 'float32' && options.sparsity !== undefined && !keptPrecise(shape, data.length, options);
  const values = pruning ? prune(data as Float32Array, { sparsity: options.sparsity! }) : data;
  // Float32 kept as it is goes as 16-bit codes when that loses nothing.
  const quantized = dtype === 'float32' ? quantizeFor(kernels, values as Float32Array, shape, options) ?? exactHalves(kernels, values as Float32Array, shape) : null;
  const bytes = bytesOf(values);
  const plan = quantized ? planCodes(kernels, quantized, options.stages) : planStages(kernels, null, bytes, TENSOR_DTYPES[dtype].bytes, shapeOf(shape, null, bytes.length), options.stages);
  if (pruning) plan.stats = errorStats(kernels, data as Float32Array, quantized ? restore(kernels, quantized) : values as Float32Array);
  else if (quantized && isTfjsCodes(quantized)) plan.stats = quantized.stats;
  return plan;
}

/** Codes quantized before pack() saw them (GGUF blocks, float16 halves, TF.js codes): stored as they are. */
export function planCodes(kernels: Kernels, quantized: QuantizedInput | TfjsCodes, stages: StageChoice): TensorPlan {
  const width = quantized.dtype === 'float16' || quantized.dtype === 'bfloat16' || quantized.dtype === 'tfjs_uint16' ? 2 : 1;
  const bytes = bytesOf(quantized.data);
  return planStages(kernels, quantized, bytes, width, shapeOf(quantized.shape, 'axis' in quantized ? quantized.axis : null, bytes.length), stages);
}

/** The fewest elements per channel for which the channels are worth telling apart. */
const MIN_CHANNEL_ELEMENTS = 16;

/**
 * What the byte stages may use of a tensor's shape, when `byteLength` bytes hold whole elements of it (not 4-bit
 * codes or GGML blocks): the bytes of one row along the last axis, and the channels — along the scales' axis, else
 * the last axis longer than 1 (TF.js kernels keep their output channels last, HWC1 depthwise ones on axis 2) — with
 * the elements each channel holds in a row (`run`).
 */
function shapeOf(shape: readonly number[], axis: number | null, byteLength: number): Pick<CandidateInput, 'rowBytes' | 'channels'> {
  const elements = shape.reduce((n, d) => n * d, 1);
  if (shape.length === 0 || elements === 0 || byteLength % elements !== 0) return {};
  let channelAxis = axis === null ? shape.length - 1 : axis < 0 ? axis + shape.length : axis;
  if (axis === null) while (channelAxis > 0 && shape[channelAxis] === 1) channelAxis--;
  const run = shape.slice(channelAxis + 1).reduce((n, d) => n * d, 1);
  const rowBytes = shape[shape.length - 1] * (byteLength / elements);
  // Channels of a few elements each would cost more in labels than their codes could save.
  return elements < MIN_CHANNEL_ELEMENTS * shape[channelAxis] ? { rowBytes } : { rowBytes, channels: { count: shape[channelAxis], run } };
}

function planStages(kernels: Kernels, quantized: QuantizedInput | TfjsCodes | null, bytes: Uint8Array, width: number, layout: Pick<CandidateInput, 'rowBytes' | 'channels'>, { sparse, entropy }: StageChoice): TensorPlan {
  // Typed arrays may sit at any offset: copy to an aligned buffer so the zero count can view it as words.
  const stored = bytes.slice();
  const ggml = quantized !== null && quantized.dtype.startsWith('q');
  const sparsePays = sparse && !ggml && width <= 4 && zeroShare(stored, width) >= SPARSE_MIN_ZEROS;
  return { quantized, stored, width, candidates: pipelineCandidates(kernels, { stored, width, sparse: sparsePays, entropy, ...layout }) };
}

/** A name matches a pattern where `*` stands for any run of characters and `?` for one. */
export function matches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

export function checkMode(mode: unknown, what: string): QuantizeMode {
  if (!QUANTIZE_MODES.includes(mode as QuantizeMode)) {
    throw new TensorzipError('ARGUMENT', `${what}: expected one of ${QUANTIZE_MODES.map((m) => `'${m}'`).join(', ')}, found ${describeValue(mode)}`);
  }
  return mode as QuantizeMode;
}
