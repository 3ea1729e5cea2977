// One tensor's stored form, shared by pack() and ContainerWriter: its index entry (without file offsets), its
// parameter block, and its encoded chunks.
import { TensorzipError } from '../errors';
import { encodeChunk } from '../codecs/pipeline/encode';
import { checkShape, product } from '../codecs/shape';
import { describeValue } from '../codecs/describe-value';
import type { Kernels } from '../wasm/kernels';
import { checkTensorData, isTensorDtype, TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';
import { storedBytes, type TensorEntry } from './index-document';
import { checkMode, DEFAULT_QUALITY_DB, matches, qualityTarget, planCodes, planTensor, type QuantizeMode, type StageChoice, type TensorPlan } from './plan';
import { choosePipeline, reachable, type PipelineChoice } from './pipeline-choice';
import type { QuantizedInput, TfjsCodes } from '../codecs/quant';
import { isTfjsCodes } from '../codecs/quant/tfjs';
import { GGML_TYPES, type GgmlDtype } from '../codecs/quant/ggml';

export interface TensorInput {
  dtype: TensorDtype;
  shape: readonly number[];
  data: TensorArray;
}

/** A float32 tensor given as codes quantized elsewhere (GGUF blocks, float16 halves, TF.js uint8/uint16 weights):
 *  `dtype`, `shape` and `data` are stored as they are (no requantization, no error statistics) and read back as
 *  float32. Float, GGML and TF.js types only: float16, bfloat16, float8e4m3fn, float8e5m2, q8_0, q4_0, q4_1, q4_k,
 *  and tfjs_uint8 / tfjs_uint16 with the manifest's `scale` and `min`.
 *  @example
 *  await pack({ 'blk.0.ffn_up.weight': { quantized: { dtype: 'q4_0', shape: [64, 32], data: blocks } } });
 *  await pack({ 'conv/kernel': { quantized: { dtype: 'tfjs_uint8', shape: [3, 3, 8, 16], data: codes, scale, min } } }); */
export interface QuantizedTensorInput {
  quantized: QuantizedInput | TfjsCodes;
}

export function isQuantizedTensorInput(tensor: unknown): tensor is QuantizedTensorInput {
  return tensor !== null && typeof tensor === 'object' && 'quantized' in tensor;
}

export interface EncodeOptions {
  /** Default 'auto': each float32 tensor of rank ≥ 2 in the fewest bits that keep its `quality` (int8 codes with as
   *  few levels as it allows per channel or block, or one step for the whole tensor in 8- or 16-bit codes, both
   *  entropy-coded; else float16; else lossless), and rank-1 tensors and scalars (biases, norms) lossless. */
  quantize?: QuantizeMode;
  /** 'auto': how close each quantized tensor stays to the original, as the signal-to-quantization-noise ratio in
   *  dB of its channels, −10·log10 of the mean over channels of Σ(x − x̂)² / Σx² (each channel along the tensor's
   *  channel axis counts the same, whatever the size of its weights) — every 6 dB halves the error and costs one
   *  more bit per weight. It is the SQNR of a tensor of 16,384 elements; a smaller tensor keeps 3 dB more per
   *  halving of its size (up to +12 dB), a larger one 3 dB less per doubling (down to −6 dB): each tensor then adds
   *  about the same noise to the outputs per bit it costs (`qualityTarget`). Default 38: the outputs of real models
   *  keep a cosine ≥ 0.995 to the original's with their answers unchanged (bench/auto-rd.bench.ts; 36 is 5–9%
   *  smaller but changed MoveNet's keypoint count, 35 blazeface's cosine to 0.985). Lower is smaller.
   *  @example
   *  await pack(tensors, { quantize: 'auto', quality: 35, rules: [{ match: 'head/*', quality: 50 }] }); */
  quality?: number;
  /** 'auto': the largest |x − x̂| any element may move, on top of `quality` (a hard bound, in the tensor's units). */
  maxAbsError?: number;
  /** Magnitude pruning before quantization: `{ sparsity: 0.5 }` sets each quantizable tensor's smallest half to
   *  zero (tensors `quantize` keeps lossless are not pruned); the zeros then go as a bitmask. Stats and `compare`
   *  count the pruning in the error. */
  prune?: { sparsity: number };
  /** The channel axis of each weight, for per-channel scales (negative counts from the end), by tensor name — as
   *  `tfjs.channelAxes(modelJson)` reads them from a model's graph. A weight not listed takes the axis whose scales
   *  leave the least error. */
  channelAxes?: Readonly<Record<string, number>>;
  /** One channel axis for every weight, over `channelAxes` and the data: 0 (PyTorch, ONNX) or -1 (TF.js and Keras
   *  HWIO convolution and [in, out] dense kernels; wrong for depthwise HWC1 kernels). */
  channelAxis?: 0 | -1;
  /** Per-name overrides, the first match wins: `{ match: '*.bias', quantize: 'lossless' }`,
   *  `{ match: 'dw/*', channelAxis: 2 }`, `{ match: 'head/*', quality: 50 }`, `{ match: 'fc*', prune: { sparsity: 0.7 } }`
   *  (`*` any run, `?` one char). What a rule leaves out comes from the model-wide options; its `channelAxis` goes
   *  over every other. */
  rules?: readonly EncodeRule[];
  /** Store tensors that are at least half zeros as bitmask + values (default true). */
  sparse?: boolean;
  /** Let Huffman codes and palettes compete with LZ4 for each tensor (default true). false keeps LZ4 stages only:
   *  more bytes (int8 codes of trained weights 1.25x → 1.06x) for a 2–3x faster decode. */
  entropy?: boolean;
  /** Decoded bytes per chunk (default 1 MiB, at least 4 KiB). */
  chunkBytes?: number;
}

export interface EncodeRule {
  match: string;
  quantize?: QuantizeMode;
  channelAxis?: number;
  quality?: number;
  prune?: { sparsity: number };
}

export interface EncodedTensor {
  /** The index entry; `stored.params` and `chunks` are filled in once the pieces have offsets. */
  entry: TensorEntry;
  params: Uint8Array | null;
  chunks: Uint8Array[];
  inputBytes: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

function checkInteger(value: unknown, what: string): number {
  if (!Number.isInteger(value)) throw new TensorzipError('ARGUMENT', `${what}: expected an integer, found ${describeValue(value)}`);
  return value as number;
}

function checkQuality(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new TensorzipError('ARGUMENT', `${what}: expected an SQNR in dB ≥ 0, found ${describeValue(value)}`);
  return value;
}

function checkSparsity(prune: unknown, what: string): number {
  const s = (prune as { sparsity?: unknown } | null)?.sparsity;
  if (typeof s !== 'number' || !(s >= 0 && s < 1)) throw new TensorzipError('ARGUMENT', `${what}: expected { sparsity } with sparsity from 0 to below 1, found ${describeValue(prune)}`);
  return s;
}

/** Checks the options once; returns a function that encodes one tensor with them. */
export function tensorEncoder(kernels: Kernels, options: EncodeOptions, what: string): (name: string, tensor: TensorInput | QuantizedTensorInput) => EncodedTensor {
  const mode = checkMode(options.quantize ?? 'auto', `${what} quantize`);
  const rules = (options.rules ?? []).map((r, i) => {
    if (typeof r?.match !== 'string') throw new TensorzipError('ARGUMENT', `${what} rules[${i}].match: expected a string, found ${describeValue(r?.match)}`);
    return {
      match: r.match,
      quantize: r.quantize === undefined ? undefined : checkMode(r.quantize, `${what} rules[${i}].quantize`),
      channelAxis: r.channelAxis === undefined ? undefined : checkInteger(r.channelAxis, `${what} rules[${i}].channelAxis`),
      quality: r.quality === undefined ? undefined : checkQuality(r.quality, `${what} rules[${i}].quality`),
      sparsity: r.prune === undefined ? undefined : checkSparsity(r.prune, `${what} rules[${i}].prune`),
    };
  });
  // minSqnrDb was 'auto''s SQNR floor before rate control; quality is that floor now, so an old caller hears of it.
  if (Object.hasOwn(options, 'minSqnrDb')) throw new TensorzipError('ARGUMENT', `${what} minSqnrDb: replaced by quality (SQNR in dB, see qualityTarget)`);
  const quality = options.quality === undefined ? DEFAULT_QUALITY_DB : checkQuality(options.quality, `${what} quality`);
  const maxAbsError = options.maxAbsError;
  if (maxAbsError !== undefined && !(typeof maxAbsError === 'number' && maxAbsError >= 0)) throw new TensorzipError('ARGUMENT', `${what} maxAbsError: expected a number ≥ 0, found ${describeValue(maxAbsError)}`);
  const sparsity = options.prune === undefined ? undefined : checkSparsity(options.prune, `${what} prune`);
  const channelAxis = options.channelAxis;
  if (channelAxis !== undefined && channelAxis !== 0 && channelAxis !== -1) throw new TensorzipError('ARGUMENT', `${what} channelAxis: expected 0 or -1, found ${describeValue(channelAxis)}`);
  const channelAxes = options.channelAxes ?? {};
  if (typeof channelAxes !== 'object' || channelAxes === null) throw new TensorzipError('ARGUMENT', `${what} channelAxes: expected an object of axes by tensor name`);
  // The caller's axis for a tensor, checked against its rank; undefined leaves the choice to the data.
  const axisOf = (name: string, rank: number, ruleAxis: number | undefined): number | undefined => {
    const [axis, source] = ruleAxis !== undefined ? [ruleAxis, 'rules channelAxis']
      : channelAxis !== undefined ? [channelAxis, 'channelAxis']
        : Object.hasOwn(channelAxes, name) ? [checkInteger(channelAxes[name], `${what} channelAxes[${describeValue(name)}]`), `channelAxes[${describeValue(name)}]`] : [undefined, ''];
    if (axis === undefined || rank < 2) return undefined;
    if (axis < -rank || axis >= rank) throw new TensorzipError('ARGUMENT', `${what}: ${source} ${axis} is out of range for tensor ${describeValue(name)} of rank ${rank}`);
    return axis;
  };
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096) throw new TensorzipError('ARGUMENT', `${what} chunkBytes: expected an integer ≥ 4096, found ${describeValue(chunkBytes)}`);

  const stages = { sparse: options.sparse ?? true, entropy: options.entropy ?? true };
  const planInput = (name: string, tensor: TensorInput, where: string) => {
    if (!isTensorDtype(tensor?.dtype)) throw new TensorzipError('ARGUMENT', `${where}: unknown dtype ${describeValue(tensor?.dtype)}`);
    const shape = checkShape(tensor.shape, `${where} shape`);
    const data = checkTensorData(tensor.data, tensor.dtype, product(shape), where);
    const rule = rules.find((r) => matches(r.match, name));
    const plan = planTensor(kernels, tensor.dtype, shape, data, {
      mode: rule?.quantize ?? mode, fromRule: rule?.quantize !== undefined, channelAxis: axisOf(name, shape.length, rule?.channelAxis),
      quality: qualityTarget(rule?.quality ?? quality, data.length), maxAbsError, sparsity: rule?.sparsity ?? sparsity, stages,
    });
    return { dtype: tensor.dtype, shape, plan, inputBytes: data.byteLength };
  };

  return (name, tensor: TensorInput | QuantizedTensorInput) => {
    const where = `${what}: tensor ${describeValue(name)}`;
    if (typeof name !== 'string' || name.length === 0) throw new TensorzipError('ARGUMENT', `${what}: tensor names must be non-empty strings`);
    const { dtype, shape, plan, inputBytes } = isQuantizedTensorInput(tensor)
      ? planQuantizedInput(kernels, tensor.quantized, where, stages) : planInput(name, tensor, where);
    const count = product(shape);
    const q = plan.quantized;
    const { axis = null, blockSize = null, stats = null } = q === null || isTfjsCodes(q) ? {} : q;
    const entry: TensorEntry = {
      name, dtype, shape, stored: { dtype: q?.dtype ?? dtype, axis, blockSize, params: null },
      pipeline: [], chunkElements: 0, chunks: [], stats: plan.stats ?? stats, metadata: {},
    };
    const params = q === null ? null : paramsBlock(q);
    // Elements per chunk: chunkBytes of decoded data, rounded down to whole stored units (4-bit pairs, GGML blocks).
    const unit = q?.dtype === 'int4' || q?.dtype === 'uint4' ? 2 : q?.dtype === 'q4_k' ? 256 : q?.dtype.startsWith('q') ? 32 : 1;
    const decodedBytes = q ? 4 : TENSOR_DTYPES[dtype].bytes;
    entry.chunkElements = Math.max(unit, Math.floor(chunkBytes / decodedBytes / unit) * unit);
    const chunkCount = Math.ceil(count / entry.chunkElements);
    const chunkAt = (k: number) => {
      const first = k * entry.chunkElements;
      return plan.stored.subarray(storedBytes(entry, first), storedBytes(entry, Math.min(count, first + entry.chunkElements)));
    };
    // The sample chunks the choice encoded with its pipeline are not encoded again.
    const encodeChunks = ({ pipeline, encoded }: PipelineChoice) => Array.from({ length: chunkCount }, (_, k) => encoded.get(k) ?? encodeChunk(kernels, chunkAt(k), pipeline));
    let choice = choosePipeline(kernels, plan.candidates, chunkCount, chunkAt);
    let chunks = encodeChunks(choice);
    const refused = chunks.some((c, k) => !reachable(choice.pipeline, c, chunkAt(k).length));
    if (refused || chunks.reduce((n, c) => n + c.length, 0) >= plan.stored.length) {
      // The sample misled: a chunk the reader would refuse as too short (a constant run under Huffman, which LZ4
      // stores within its bound), or no gain at all. The codes as they are, or LZ4, are then the safe choice.
      choice = refused ? choosePipeline(kernels, plan.candidates.filter((p) => p.every((s) => s.codec !== 'huffman' && s.codec !== 'huffman_ctx' && s.codec !== 'rans_lanes')), chunkCount, chunkAt)
        : { pipeline: [], encoded: new Map() };
      chunks = encodeChunks(choice);
    }
    entry.pipeline = choice.pipeline;
    return { entry, params, chunks, inputBytes };
  };
}

/** The parameter block of stored codes (docs/FORMAT.md, Per tensor): affine scales then zero points, or TF.js's
 *  float64 scale and min; null when the type has none. */
function paramsBlock(q: QuantizedInput | TfjsCodes): Uint8Array | null {
  if (isTfjsCodes(q)) return new Uint8Array(new Float64Array([q.scale, q.min]).buffer);
  if (!q.scale) return null;
  const zeros = q.zeroPoint ? new Uint8Array(q.zeroPoint.buffer, q.zeroPoint.byteOffset, q.zeroPoint.length) : new Uint8Array(0);
  const params = new Uint8Array(q.scale.byteLength + zeros.length);
  params.set(new Uint8Array(q.scale.buffer, q.scale.byteOffset, q.scale.byteLength));
  params.set(zeros, q.scale.byteLength);
  return params;
}

const CODE_ARRAYS: Partial<Record<string, { new (n: number): Uint8Array | Uint16Array; name: string }>> = {
  float16: Uint16Array, bfloat16: Uint16Array, float8e4m3fn: Uint8Array, float8e5m2: Uint8Array,
  tfjs_uint8: Uint8Array, tfjs_uint16: Uint16Array,
  ...Object.fromEntries(Object.keys(GGML_TYPES).map((dtype) => [dtype, Uint8Array])),
};

function planQuantizedInput(kernels: Kernels, q: QuantizedInput | TfjsCodes, where: string, stages: StageChoice): { dtype: TensorDtype; shape: number[]; plan: TensorPlan; inputBytes: number } {
  const array = typeof q?.dtype === 'string' && Object.hasOwn(CODE_ARRAYS, q.dtype) ? CODE_ARRAYS[q.dtype]! : undefined;
  if (array === undefined) throw new TensorzipError('ARGUMENT', `${where}: quantized codes of dtype ${describeValue(q?.dtype)} (accepted: ${Object.keys(CODE_ARRAYS).join(', ')})`);
  const shape = checkShape(q.shape, `${where} shape`);
  const blockSize = Object.hasOwn(GGML_TYPES, q.dtype) ? GGML_TYPES[q.dtype as GgmlDtype].values : null;
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (blockSize !== null && last % blockSize !== 0) throw new TensorzipError('ARGUMENT', `${where}: ${q.dtype} blocks of ${blockSize} values do not tile the last dimension (${last})`);
  const bytes = storedBytes({ dtype: 'float32', stored: { dtype: q.dtype, axis: null, blockSize: null, params: null } }, product(shape));
  if (!(q.data instanceof array) || q.data.byteLength !== bytes) {
    throw new TensorzipError('ARGUMENT', `${where}: ${q.dtype} codes for [${shape.join(', ')}] are a ${array.name} of ${bytes} bytes`);
  }
  if (isTfjsCodes(q) && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) {
    throw new TensorzipError('ARGUMENT', `${where}: ${q.dtype} codes need a finite scale and min, found scale ${describeValue(q.scale)}, min ${describeValue(q.min)}`);
  }
  const codes: QuantizedInput | TfjsCodes = isTfjsCodes(q) ? { dtype: q.dtype, shape, data: q.data, scale: q.scale, min: q.min }
    : { dtype: q.dtype, shape, data: q.data, scale: null, zeroPoint: null, axis: blockSize === null ? null : shape.length - 1, blockSize };
  return { dtype: 'float32', shape, plan: planCodes(kernels, codes, stages), inputBytes: bytes };
}
