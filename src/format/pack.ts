// pack(): the in-memory writer. Every chunk is encoded first; then the index (whose length decides where the data
// starts) is laid out until the offsets it lists stop moving, and the file is written index first (docs/FORMAT.md).
import { TensorzipError } from '../errors';
import { xxh32 } from '../codecs/checksum';
import { encodeChunk } from '../codecs/pipeline/encode';
import type { Kernels } from '../wasm/kernels';
import { allocateForOverwrite } from '../codecs/output-bytes';
import { checkShape, product } from '../codecs/shape';
import { checkTensorData, isTensorDtype, TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';
import { alignUp, FOOTER_BYTES, PREFIX_BYTES, writeFooter, writePrefix } from './framing';
import { serializeIndex, storedBytes, type IndexDocument, type TensorEntry } from './index-document';
import { checkMode, matches, planTensor, type QuantizeMode } from './plan';

export interface TensorInput {
  dtype: TensorDtype;
  shape: readonly number[];
  data: TensorArray;
}

export interface PackOptions {
  /** Default 'auto': int8 per output channel for float32 tensors of rank ≥ 2 and ≥ 1024 elements, the smallest
   *  scheme within `maxAbsError` / `minSqnrDb` when either is given, lossless for everything else. */
  quantize?: QuantizeMode;
  /** Per-name overrides, first match wins: `{ match: '*.bias', quantize: 'lossless' }` (`*` any run, `?` one char). */
  rules?: readonly { match: string; quantize: QuantizeMode }[];
  maxAbsError?: number;
  minSqnrDb?: number;
  /** Store tensors that are at least half zeros as bitmask + values (default true). */
  sparse?: boolean;
  /** Decoded bytes per chunk (default 1 MiB, at least 4 KiB). */
  chunkBytes?: number;
  /** User metadata, string to string. */
  metadata?: Record<string, string>;
  /** Called after each tensor with the input bytes packed so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

interface Piece {
  bytes: Uint8Array;
  /** Offset from the start of the data area. */
  at: number;
}

export function pack(kernels: Kernels, tensors: Record<string, TensorInput>, options: PackOptions = {}): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null) throw new TensorzipError('ARGUMENT', 'pack: expected an object of tensors by name');
  const mode = checkMode(options.quantize ?? 'auto', 'pack quantize');
  const rules = (options.rules ?? []).map((r, i) => ({ match: String(r.match), quantize: checkMode(r.quantize, `pack rules[${i}].quantize`) }));
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096) throw new TensorzipError('ARGUMENT', `pack chunkBytes: expected an integer ≥ 4096, found ${String(chunkBytes)}`);
  const pieces: Piece[] = [];
  let dataLength = 0;
  const place = (bytes: Uint8Array) => {
    const piece = { bytes, at: alignUp(dataLength) };
    pieces.push(piece);
    dataLength = piece.at + bytes.length;
    return piece;
  };
  // Entries with offsets relative to the data area; `relocate` makes them absolute once its start is known.
  const entries: { entry: TensorEntry; params: Piece | null; chunks: Piece[] }[] = [];

  const totalBytes = Object.values(tensors).reduce((n, t) => n + (t?.data?.byteLength ?? 0), 0);
  let doneBytes = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const what = `pack: tensor "${name}"`;
    if (name.length === 0) throw new TensorzipError('ARGUMENT', 'pack: tensor names must not be empty');
    if (!isTensorDtype(tensor?.dtype)) throw new TensorzipError('ARGUMENT', `${what}: unknown dtype ${JSON.stringify(tensor?.dtype)}`);
    const shape = checkShape(tensor.shape, `${what} shape`);
    const count = product(shape);
    const data = checkTensorData(tensor.data, tensor.dtype, count, what);
    const tensorMode = rules.find((r) => matches(r.match, name))?.quantize ?? mode;
    const plan = planTensor(kernels, tensor.dtype, shape, data, { mode: tensorMode, maxAbsError: options.maxAbsError, minSqnrDb: options.minSqnrDb, sparse: options.sparse ?? true });
    const q = plan.quantized;
    const entry: TensorEntry = {
      name, dtype: tensor.dtype, shape,
      stored: { dtype: q?.dtype ?? tensor.dtype, axis: q?.axis ?? null, blockSize: q?.blockSize ?? null, params: null },
      pipeline: plan.pipeline, chunkElements: 0, chunks: [], stats: q?.stats ?? null, metadata: {},
    };
    let params: Piece | null = null;
    if (q?.scale) {
      const zeros = q.zeroPoint ? new Uint8Array(q.zeroPoint.buffer, q.zeroPoint.byteOffset, q.zeroPoint.length) : new Uint8Array(0);
      const block = new Uint8Array(q.scale.byteLength + zeros.length);
      block.set(new Uint8Array(q.scale.buffer, q.scale.byteOffset, q.scale.byteLength));
      block.set(zeros, q.scale.byteLength);
      params = place(block);
    }
    // Elements per chunk: chunkBytes of decoded data, rounded down to whole stored units (4-bit pairs, GGML blocks).
    const unit = q?.dtype === 'int4' || q?.dtype === 'uint4' ? 2 : q?.dtype === 'q4_k' ? 256 : q?.dtype.startsWith('q') ? 32 : 1;
    const decodedBytes = q ? 4 : TENSOR_DTYPES[tensor.dtype].bytes;
    entry.chunkElements = Math.max(unit, Math.floor(chunkBytes / decodedBytes / unit) * unit);
    const chunks: Piece[] = [];
    for (let first = 0; first < count; first += entry.chunkElements) {
      const from = storedBytes(entry, first);
      const to = storedBytes(entry, Math.min(count, first + entry.chunkElements));
      chunks.push(place(encodeChunk(kernels, plan.stored.subarray(from, to), plan.pipeline)));
    }
    entries.push({ entry, params, chunks });
    doneBytes += data.byteLength;
    options.onProgress?.(doneBytes, totalBytes);
  }

  const doc: IndexDocument = { tensors: entries.map((e) => e.entry), metadata: { ...(options.metadata ?? {}) } };
  const checksums = new Map(pieces.map((p) => [p, xxh32(kernels, p.bytes)]));
  let dataStart = alignUp(PREFIX_BYTES);
  let index: Uint8Array;
  for (;;) {
    for (const { entry, params, chunks } of entries) {
      entry.stored.params = params && { offset: dataStart + params.at, length: params.bytes.length, checksum: checksums.get(params)! };
      entry.chunks = chunks.map((c) => ({ offset: dataStart + c.at, length: c.bytes.length, checksum: checksums.get(c)! }));
    }
    index = serializeIndex(doc);
    const needed = alignUp(PREFIX_BYTES + index.length);
    if (needed <= dataStart) break;
    dataStart = needed;
  }

  const fileSize = dataStart + dataLength + FOOTER_BYTES;
  const file = allocateForOverwrite(fileSize);
  file.fill(0);
  const location = { offset: PREFIX_BYTES, length: index.length, checksum: xxh32(kernels, index) };
  const hash = (bytes: Uint8Array) => xxh32(kernels, bytes);
  writePrefix(file, location, hash);
  file.set(index, PREFIX_BYTES);
  for (const p of pieces) file.set(p.bytes, dataStart + p.at);
  writeFooter(file.subarray(fileSize - FOOTER_BYTES), location, hash);
  return file;
}
