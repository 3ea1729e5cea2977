// One tensor's stored form, shared by pack() and ContainerWriter: its index entry (without file offsets), its
// parameter block, and its encoded chunks.
import { TensorzipError } from '../errors';
import { encodeChunk } from '../codecs/pipeline/encode';
import type { PipelineStage } from '../codecs/pipeline';
import { checkShape, product } from '../codecs/shape';
import { describeValue } from '../codecs/describe-value';
import type { Kernels } from '../wasm/kernels';
import { checkTensorData, isTensorDtype, TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';
import { storedBytes, type TensorEntry } from './index-document';
import { checkMode, matches, planTensor, type QuantizeMode } from './plan';

export interface TensorInput {
  dtype: TensorDtype;
  shape: readonly number[];
  data: TensorArray;
}

export interface EncodeOptions {
  /** Default 'auto': int8 per output channel for float32 tensors of rank ≥ 2 and ≥ 1024 elements, the smallest
   *  scheme within `maxAbsError` / `minSqnrDb` when either is given, lossless for everything else. */
  quantize?: QuantizeMode;
  /** Where weights keep their output channels, for per-channel scales: 0 (default; PyTorch, ONNX, safetensors,
   *  GGUF as read) or -1 (TF.js and Keras: HWIO convolution kernels, [in, out] dense kernels). */
  channelAxis?: 0 | -1;
  /** Per-name overrides, first match wins: `{ match: '*.bias', quantize: 'lossless' }` (`*` any run, `?` one char). */
  rules?: readonly { match: string; quantize: QuantizeMode }[];
  maxAbsError?: number;
  minSqnrDb?: number;
  /** Store tensors that are at least half zeros as bitmask + values (default true). */
  sparse?: boolean;
  /** Decoded bytes per chunk (default 1 MiB, at least 4 KiB). */
  chunkBytes?: number;
}

export interface EncodedTensor {
  /** The index entry; `stored.params` and `chunks` are filled in once the pieces have offsets. */
  entry: TensorEntry;
  params: Uint8Array | null;
  chunks: Uint8Array[];
  inputBytes: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Checks the options once; returns a function that encodes one tensor with them. */
export function tensorEncoder(kernels: Kernels, options: EncodeOptions, what: string): (name: string, tensor: TensorInput) => EncodedTensor {
  const mode = checkMode(options.quantize ?? 'auto', `${what} quantize`);
  const rules = (options.rules ?? []).map((r, i) => {
    if (typeof r?.match !== 'string') throw new TensorzipError('ARGUMENT', `${what} rules[${i}].match: expected a string, found ${describeValue(r?.match)}`);
    return { match: r.match, quantize: checkMode(r.quantize, `${what} rules[${i}].quantize`) };
  });
  const channelAxis = options.channelAxis ?? 0;
  if (channelAxis !== 0 && channelAxis !== -1) throw new TensorzipError('ARGUMENT', `${what} channelAxis: expected 0 or -1, found ${describeValue(options.channelAxis)}`);
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096) throw new TensorzipError('ARGUMENT', `${what} chunkBytes: expected an integer ≥ 4096, found ${describeValue(chunkBytes)}`);

  return (name, tensor) => {
    const where = `${what}: tensor "${name}"`;
    if (typeof name !== 'string' || name.length === 0) throw new TensorzipError('ARGUMENT', `${what}: tensor names must be non-empty strings`);
    if (!isTensorDtype(tensor?.dtype)) throw new TensorzipError('ARGUMENT', `${where}: unknown dtype ${describeValue(tensor?.dtype)}`);
    const shape = checkShape(tensor.shape, `${where} shape`);
    const count = product(shape);
    const data = checkTensorData(tensor.data, tensor.dtype, count, where);
    const rule = rules.find((r) => matches(r.match, name));
    const plan = planTensor(kernels, tensor.dtype, shape, data, { mode: rule?.quantize ?? mode, fromRule: rule !== undefined, channelAxis, maxAbsError: options.maxAbsError, minSqnrDb: options.minSqnrDb, sparse: options.sparse ?? true });
    const q = plan.quantized;
    const entry: TensorEntry = {
      name, dtype: tensor.dtype, shape,
      stored: { dtype: q?.dtype ?? tensor.dtype, axis: q?.axis ?? null, blockSize: q?.blockSize ?? null, params: null },
      pipeline: [], chunkElements: 0, chunks: [], stats: q?.stats ?? null, metadata: {},
    };
    let params: Uint8Array | null = null;
    if (q?.scale) {
      const zeros = q.zeroPoint ? new Uint8Array(q.zeroPoint.buffer, q.zeroPoint.byteOffset, q.zeroPoint.length) : new Uint8Array(0);
      params = new Uint8Array(q.scale.byteLength + zeros.length);
      params.set(new Uint8Array(q.scale.buffer, q.scale.byteOffset, q.scale.byteLength));
      params.set(zeros, q.scale.byteLength);
    }
    // Elements per chunk: chunkBytes of decoded data, rounded down to whole stored units (4-bit pairs, GGML blocks).
    const unit = q?.dtype === 'int4' || q?.dtype === 'uint4' ? 2 : q?.dtype === 'q4_k' ? 256 : q?.dtype.startsWith('q') ? 32 : 1;
    const decodedBytes = q ? 4 : TENSOR_DTYPES[tensor.dtype].bytes;
    entry.chunkElements = Math.max(unit, Math.floor(chunkBytes / decodedBytes / unit) * unit);
    const encodeChunks = (pipeline: PipelineStage[]) => {
      const chunks: Uint8Array[] = [];
      for (let first = 0; first < count; first += entry.chunkElements) {
        const from = storedBytes(entry, first);
        const to = storedBytes(entry, Math.min(count, first + entry.chunkElements));
        chunks.push(encodeChunk(kernels, plan.stored.subarray(from, to), pipeline));
      }
      return chunks;
    };
    entry.pipeline = plan.pipeline;
    let chunks = encodeChunks(entry.pipeline);
    if (chunks.reduce((n, c) => n + c.length, 0) >= plan.stored.length && entry.pipeline.every((s) => s.codec !== 'sparse')) {
      // Shuffle + LZ4 found nothing to take out (random mantissas, well-spread codes): store the codes as they are,
      // which is no larger and decodes faster.
      entry.pipeline = [];
      chunks = encodeChunks(entry.pipeline);
    }
    return { entry, params, chunks, inputBytes: data.byteLength };
  };
}
