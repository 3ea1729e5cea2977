// How pack() stores each tensor: which quantization (the caller's mode, per-name rules, and the 'auto' policy) and
// which byte stages. The policy never breaks a model: small tensors (biases, norms) stay lossless under any
// model-wide mode (only a per-name rule quantizes them), per-channel scales run along each tensor's channel axis (as
// the caller or the model's graph gives it, else the axis whose scales leave the least error), and a format the
// values overflow falls back to lossless.
import { describeValue } from '../codecs/describe-value';
import { isTensorzipError, TensorzipError } from '../errors';
import type { PipelineStage } from '../codecs/pipeline';
import { pipelineCandidates, type CandidateInput } from './pipeline-choice';
import type { QuantizedInput, QuantizedTensor, TfjsCodes } from '../codecs/quant';
import type { Kernels } from '../wasm/kernels';
import { choose } from '../codecs/quant/choose';
import { quantize } from '../codecs/quant/quantize';
import { leastErrorAxis } from './channel-axis';
import { exactHalves } from './exact-halves';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';

export type QuantizeMode = 'lossless' | 'fp16' | 'bf16' | 'int8' | 'int4' | 'auto';
export const QUANTIZE_MODES: readonly QuantizeMode[] = ['lossless', 'fp16', 'bf16', 'int8', 'int4', 'auto'];

/** Tensors with fewer elements, or of rank < 2, stay lossless under a model-wide mode: biases, norms, scalars. */
export const SMALL_TENSOR_ELEMENTS = 1024;
/** Under default options, a tensor whose stored elements are at least this share zeros tries sparse stages. */
export const SPARSE_MIN_ZEROS = 0.5;

export interface PlanOptions {
  mode: QuantizeMode;
  /** The mode comes from a per-name rule: apply it to small tensors too (except 'auto', which keeps them). */
  fromRule: boolean;
  /** The channel axis for per-channel scales (negative counts from the end); undefined: the least-error axis. */
  channelAxis?: number;
  maxAbsError?: number;
  minSqnrDb?: number;
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
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function quantizeFor(kernels: Kernels, data: Float32Array, shape: number[], options: PlanOptions): QuantizedTensor | null {
  const count = data.length;
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  const small = count < SMALL_TENSOR_ELEMENTS || shape.length < 2;
  if (small && (options.mode === 'auto' || !options.fromRule)) return null;
  const axis = () => (shape.length < 2 ? undefined : options.channelAxis ?? leastErrorAxis(data, shape));
  try {
    switch (options.mode) {
      case 'lossless': return null;
      case 'fp16': return quantize(kernels, data, { dtype: 'float16', shape });
      case 'bf16': return quantize(kernels, data, { dtype: 'bfloat16', shape });
      case 'int8': return quantize(kernels, data, { dtype: 'int8', shape, axis: axis() });
      case 'int4': return quantize(kernels, data, last % 32 === 0 ? { dtype: 'int4', shape, axis: -1, blockSize: 32 } : { dtype: 'int4', shape, axis: axis() });
      case 'auto': {
        if (options.maxAbsError === undefined && options.minSqnrDb === undefined) return quantize(kernels, data, { dtype: 'int8', shape, axis: axis() });
        const q = choose(kernels, data, { shape, axis: axis(), maxAbsError: options.maxAbsError, minSqnrDb: options.minSqnrDb });
        return q.dtype === 'float32' ? null : q;
      }
    }
  } catch (err) {
    // A format the values overflow (float16 past 65504) or cannot hold (NaN, ±Inf): keep the tensor as it is.
    if (isTensorzipError(err, 'ARGUMENT')) return null;
    throw err;
  }
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
  // Float32 kept as it is goes as 16-bit codes when that loses nothing.
  const quantized = dtype === 'float32' ? quantizeFor(kernels, data as Float32Array, shape, options) ?? exactHalves(kernels, data as Float32Array, shape) : null;
  const bytes = bytesOf(data);
  return quantized ? planCodes(quantized, options.stages) : planStages(null, bytes, TENSOR_DTYPES[dtype].bytes, shapeOf(shape, null, bytes.length), options.stages);
}

/** Codes quantized before pack() saw them (GGUF blocks, float16 halves, TF.js codes): stored as they are. */
export function planCodes(quantized: QuantizedInput | TfjsCodes, stages: StageChoice): TensorPlan {
  const width = quantized.dtype === 'float16' || quantized.dtype === 'bfloat16' || quantized.dtype === 'tfjs_uint16' ? 2 : 1;
  const bytes = bytesOf(quantized.data);
  return planStages(quantized, bytes, width, shapeOf(quantized.shape, 'axis' in quantized ? quantized.axis : null, bytes.length), stages);
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

function planStages(quantized: QuantizedInput | TfjsCodes | null, bytes: Uint8Array, width: number, layout: Pick<CandidateInput, 'rowBytes' | 'channels'>, { sparse, entropy }: StageChoice): TensorPlan {
  // Typed arrays may sit at any offset: copy to an aligned buffer so the zero count can view it as words.
  const stored = bytes.slice();
  const ggml = quantized !== null && quantized.dtype.startsWith('q');
  const sparsePays = sparse && !ggml && width <= 4 && zeroShare(stored, width) >= SPARSE_MIN_ZEROS;
  return { quantized, stored, width, candidates: pipelineCandidates({ stored, width, sparse: sparsePays, entropy, ...layout }) };
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
