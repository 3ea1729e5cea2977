// pack()'s tensors encoded on workers: the task a worker runs (src/worker.ts registers it) and the calling side,
// which copies each tensor's data into a buffer of the pool's when the task is handed out — so at most a few copies
// exist at once — and gets the same EncodedTensor the calling thread would have made.
import type { TaskInputs, WorkerPool, WorkerTask } from '../parallel';
import { isQuantizedTensorInput, tensorEncoder, type EncodedTensor, type EncodeOptions, type QuantizedTensorInput, type TensorInput } from './encode-tensor';

export const ENCODE_TENSOR_TASK = 'encodeTensor';

/** Tensors smaller than this are encoded on the calling thread: handing one over costs more than encoding it. */
const WORKER_TENSOR_BYTES = 65536;

interface EncodeTaskInput {
  name: string;
  tensor: TensorInput | QuantizedTensorInput;
  options: EncodeOptions;
}

const TYPED_ARRAYS = [Float32Array, Float64Array, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array] as const;
type Typed = InstanceType<(typeof TYPED_ARRAYS)[number]>;

/** The standard typed array type `data` is (a Node Buffer is a Uint8Array), or undefined for anything else. */
const typedArrayOf = (data: unknown) => TYPED_ARRAYS.find((type) => data instanceof type);

/** What a worker encodes: the data of a typed array of at least WORKER_TENSOR_BYTES; anything else stays here, where
 *  the encoder raises the same errors about it. */
function dataOf(tensor: TensorInput | QuantizedTensorInput): Typed | null {
  const data = (isQuantizedTensorInput(tensor) ? tensor.quantized?.data : tensor?.data) as unknown;
  return typedArrayOf(data) !== undefined && (data as Typed).byteLength >= WORKER_TENSOR_BYTES ? (data as Typed) : null;
}

/** `data` copied into `buffer`, as the same standard type. */
function copyInto(data: Typed, buffer: ArrayBuffer): Typed {
  const type = typedArrayOf(data)!;
  const copy = new type(buffer, 0, data.length) as Typed;
  copy.set(data as never);
  return copy;
}

/** The tensor with its data in `buffer` and its other arrays (scales, zero points) copied on their own, so that the
 *  message carries no other bytes of the buffers they are views of. */
function portable(tensor: TensorInput | QuantizedTensorInput, data: Typed, buffer: ArrayBuffer): TensorInput | QuantizedTensorInput {
  if (!isQuantizedTensorInput(tensor)) return { dtype: tensor.dtype, shape: tensor.shape, data: copyInto(data, buffer) as TensorInput['data'] };
  const q = tensor.quantized as unknown as Record<string, unknown>;
  const own = (value: unknown) => (typedArrayOf(value) !== undefined ? (value as Typed).slice() : value);
  return { quantized: { ...q, data: copyInto(data, buffer), ...('scale' in q ? { scale: own(q.scale) } : {}), ...('zeroPoint' in q ? { zeroPoint: own(q.zeroPoint) } : {}) } as never };
}

/** The worker's side: the tensor encoded as on the calling thread; its chunks never share a buffer with the input
 *  (which goes back to the pool for reuse). */
export const encodeTensorTask: WorkerTask = (kernels, input) => {
  const { name, tensor, options } = input as EncodeTaskInput;
  const encoded = tensorEncoder(kernels, options, 'pack')(name, tensor);
  const given = dataOf(tensor)?.buffer;
  const chunks = encoded.chunks.map((chunk) => (chunk.buffer === given ? chunk.slice() : chunk));
  const result: EncodedTensor = { ...encoded, chunks };
  const transfer = [...chunks, ...(encoded.params ? [encoded.params] : [])].map((bytes) => bytes.buffer as ArrayBuffer);
  return { result, transfer };
};

/** Only what tensorEncoder reads: callbacks and entries stay with the caller. */
function encodeOptionsOf(options: EncodeOptions): EncodeOptions {
  const { quantize, quality, maxAbsError, prune, channelAxes, channelAxis, rules, sparse, entropy, chunkBytes } = options;
  return { quantize, quality, maxAbsError, prune, channelAxes, channelAxis, rules, sparse, entropy, chunkBytes };
}

/**
 * An encoder like tensorEncoder's whose large tensors go to `pool`: each call starts the work at once and returns its
 * promise (small tensors, and tensors whose data the encoder would refuse, are encoded here, at once).
 * @example
 * const encode = workerEncoder(kernels, pool, options);
 * const encoded = await Promise.all(Object.entries(tensors).map(([name, t]) => encode(name, t)));
 */
export function workerEncoder(encodeHere: (name: string, tensor: TensorInput | QuantizedTensorInput) => EncodedTensor, pool: WorkerPool, options: EncodeOptions): (name: string, tensor: TensorInput | QuantizedTensorInput) => Promise<EncodedTensor> {
  const portableOptions = encodeOptionsOf(options);
  return async (name, tensor) => {
    const data = dataOf(tensor);
    if (data === null) return encodeHere(name, tensor);
    return pool.run<EncodedTensor>(ENCODE_TENSOR_TASK, (buffer): TaskInputs => {
      const bytes = buffer(data.byteLength);
      return { input: { name, tensor: portable(tensor, data, bytes), options: portableOptions } satisfies EncodeTaskInput, buffers: [bytes] };
    });
  };
}
