// pack(): the in-memory writer. Every tensor is encoded first; then the index (whose length decides where the data
// starts) is laid out until the offsets it lists stop moving, and the file is written index first (docs/FORMAT.md).
// A chunk equal to an earlier one is stored once, both listing its range (shared ranges, format 1.2).
import { equalBytes } from '../codecs/equal-bytes';
import { TensorzipError } from '../errors';
import { xxh32 } from '../codecs/checksum';
import { allocateForOverwrite } from '../codecs/output-bytes';
import type { Kernels } from '../wasm/kernels';
import { poolFor, releasePool, type WorkerPool, type WorkersOption } from '../parallel';
import { workerEncoder } from './encode-on-workers';
import { isQuantizedTensorInput, tensorEncoder, type EncodedTensor, type EncodeOptions, type QuantizedTensorInput, type TensorInput } from './encode-tensor';
import { ALIGNMENT, alignUp, FLAG_COMPRESSED_INDEX, FLAG_PACKED_CHUNKS, FLAG_SEALED, FOOTER_BYTES, MINOR_VERSION, MINOR_VERSION_1_3, MINOR_VERSION_1_4, MINOR_VERSION_1_5, PARAMS_ALIGNMENT, PREFIX_BYTES, writeFooter, writePrefix } from './framing';
import { indexBinding, newSealing, type Sealing } from './seal-header';
import { SEAL_TAG_BYTES } from './seal';
import type { EncryptOptions } from './seal-keys';
import { compressIndex } from './index-compression';
import { serializeIndex, type IndexDocument, type ModelRef, type TensorEntry } from './index-document';
import { checkModel, checkModelEntry, entryEncoder, type EntryInput } from './encode-entry';

export type { QuantizedTensorInput, TensorInput };

export interface PackOptions extends EncodeOptions {
  /** User metadata, string to string. */
  metadata?: Record<string, string>;
  /** Called after each tensor and entry with the input bytes packed so far and in all. */
  onProgress?: (done: number, total: number) => void;
  /** A model's other files by relative path (format 1.2): compressed and checksummed like a uint8 tensor, never
   *  quantized. `{ 'model.json': { data: jsonBytes, mediaType: 'application/json' } }` */
  entries?: Readonly<Record<string, EntryInput>>;
  /** Declares the model the file holds: its kind (`tfjs-graph`, `tfjs-layers`, `onnx`, …) and the entry that
   *  describes it (docs/FORMAT.md, "The model"). */
  model?: ModelRef;
  /** Store a chunk whose encoded bytes equal an earlier chunk's once, both listing the same range (default true;
   *  format 1.2's shared ranges). Tied or repeated weights — an ONNX model's initializers duplicated across `If`
   *  branches, a model saved with its embedding and output layer untied — then cost their bytes once. false writes
   *  every chunk on its own, a file that 1.1 readers read too.
   *  @example
   *  const file = await pack({ 'a.weight': w, 'b.weight': w });                  // w's chunks stored once
   *  const legacy = await pack({ 'a.weight': w, 'b.weight': w }, { dedupe: false }); // stored twice */
  dedupe?: boolean;
  /** Compress the index (when that is smaller) and pack chunks without alignment gaps (default true; format 1.3,
   *  flag bits 0 and 1). face-api's seven models in one file: a 117 KB index stored in 19 KB, 18 KB of padding gone.
   *  false writes a file that 1.2 readers read (with `dedupe: false`, 1.1 readers too).
   *  @example
   *  const legacy = await pack(tensors, { compact: false }); // readable by tensorzip 1.2 readers */
  compact?: boolean;
  /** Encode tensors of 64 KiB and more on a pool of workers (`n` or `'auto'`, one per core; default 0, the calling
   *  thread), started for this call and stopped at its end. The file is the same byte for byte.
   *  @example
   *  const file = await pack(tensors, { quantize: 'auto', workers: 'auto' }); */
  workers?: WorkersOption;
  /** Encrypt the file (format 1.4, docs/FORMAT.md, Encrypted archives): each chunk and the index with AES-256-GCM
   *  under a subkey of this archive, derived from `key` (32 bytes, a CryptoKey or an "oct" JWK, as
   *  generateSecretKey gives) or `passphrase` (PBKDF2-HMAC-SHA256, `iterations` default 600,000). 16 bytes per chunk
   *  and 80 for the header; HTTP Range reads, stream() and workers keep working. `publicIndex: true` leaves names,
   *  shapes and sizes readable (still authenticated).
   *  @example
   *  const key = generateSecretKey();
   *  const bytes = await pack(tensors, { encrypt: { key } });
   *  const archive = await open(bytes, { decrypt: { key } }); */
  encrypt?: EncryptOptions;
}

/** What pack() takes: a whole model's tensors and the options that keep the rest of it (its entries, its model
 *  kind, the channel axes its graph gives), as `onnx.packInput` and `tfjs.packInput` read them. */
export interface PackInput {
  tensors: Record<string, TensorInput | QuantizedTensorInput>;
  options: PackOptions;
}

interface Piece {
  bytes: Uint8Array;
  /** Offset from the start of the data area. */
  at: number;
  checksum: number;
}

export async function pack(kernels: Kernels, tensors: Record<string, TensorInput | QuantizedTensorInput>, options: PackOptions = {}): Promise<Uint8Array> {
  if (typeof tensors !== 'object' || tensors === null) throw new TensorzipError('ARGUMENT', 'pack: expected an object of tensors by name');
  const hash = (bytes: Uint8Array) => xxh32(kernels, bytes);
  const sealing = options.encrypt === undefined ? null : await newSealing(options.encrypt, hash, 'pack encrypt');
  const encode = tensorEncoder(kernels, options, 'pack');
  const pool = await poolFor(options.workers, kernels.simd, 'pack');
  try {
    return await layOut(kernels, tensors, options, encode, pool, sealing);
  } finally {
    if (pool !== null) releasePool(pool);
  }
}

/** Encodes every tensor (those of 64 KiB and more on `pool`'s workers when there is one, all started at once and
 *  taken in order) and lays the file out. */
async function layOut(kernels: Kernels, tensors: Record<string, TensorInput | QuantizedTensorInput>, options: PackOptions,
  encode: (name: string, tensor: TensorInput | QuantizedTensorInput) => EncodedTensor, pool: WorkerPool | null, sealing: Sealing | null): Promise<Uint8Array> {
  const hash = (bytes: Uint8Array) => xxh32(kernels, bytes);
  // A sealed piece is stored with its tag after it; its checksum stays the plaintext's.
  const overhead = sealing ? SEAL_TAG_BYTES : 0;
  const compact = options.compact !== false;
  const chunkAlignment = compact ? 1 : ALIGNMENT;
  const paramsAlignment = compact ? 1 : PARAMS_ALIGNMENT;
  let dataLength = 0;
  const pieces: Piece[] = [];
  const place = (bytes: Uint8Array, alignment: number, checksum = xxh32(kernels, bytes)): Piece => {
    const piece = { bytes, at: alignUp(dataLength, alignment), checksum };
    pieces.push(piece);
    dataLength = piece.at + bytes.length + overhead;
    return piece;
  };
  // Chunks by length and checksum, so that equal bytes are found by one comparison.
  const chunksByKey = new Map<string, Piece[]>();
  const placeChunk = (bytes: Uint8Array): Piece => {
    const checksum = xxh32(kernels, bytes);
    if (options.dedupe === false) return place(bytes, chunkAlignment, checksum);
    const key = `${bytes.length}:${checksum}`;
    const same = chunksByKey.get(key);
    const earlier = same?.find((p) => equalBytes(p.bytes, bytes));
    if (earlier) return earlier;
    const piece = place(bytes, chunkAlignment, checksum);
    if (same) same.push(piece);
    else chunksByKey.set(key, [piece]);
    return piece;
  };
  const placed: { entry: TensorEntry; params: Piece | null; chunks: Piece[] }[] = [];
  const entries = options.entries ?? {};
  if (typeof entries !== 'object' || entries === null) throw new TensorzipError('ARGUMENT', 'pack entries: expected an object of entries by name');
  const model = checkModel(options.model, 'pack');
  checkModelEntry(model, new Set(Object.keys(entries)), 'pack');
  const totalBytes = Object.values(tensors).reduce((n, t) => n + ((isQuantizedTensorInput(t) ? t.quantized : t)?.data?.byteLength ?? 0), 0)
    + Object.values(entries).reduce((n, e) => n + (e?.data?.byteLength ?? 0), 0);
  let doneBytes = 0;
  // Entries first: a reader streaming the file gets the model's description before its weights.
  const encodeEntry = entryEncoder(kernels, options, 'pack');
  const files = Object.entries(entries).map(([name, input]) => {
    const { entry, chunks } = encodeEntry(name, input);
    placed.push({ entry, params: null, chunks: chunks.map(placeChunk) });
    doneBytes += input.data.length;
    options.onProgress?.(doneBytes, totalBytes);
    return entry;
  });
  const tensorEntries: TensorEntry[] = [];
  const onWorkers = pool && workerEncoder(encode, pool, options);
  const started = onWorkers && Object.entries(tensors).map(([name, input]) => {
    const encoding = onWorkers(name, input);
    encoding.catch(() => {}); // the first failure in order is thrown below; the later ones are not unhandled
    return encoding;
  });
  for (const [i, [name, input]] of Object.entries(tensors).entries()) {
    const tensor = started ? await started[i]! : encode(name, input);
    placed.push({ entry: tensor.entry, params: tensor.params && place(tensor.params, paramsAlignment), chunks: tensor.chunks.map(placeChunk) });
    tensorEntries.push(tensor.entry);
    doneBytes += tensor.inputBytes;
    options.onProgress?.(doneBytes, totalBytes);
  }

  const doc: IndexDocument = { tensors: tensorEntries, entries: files, model, metadata: { ...(options.metadata ?? {}) } };
  // Packed, the data area starts right after the index; else at a multiple of 64. The index follows the prefix (and
  // the seal header of an encrypted file).
  const dataAlignment = compact ? 1 : ALIGNMENT;
  const indexOffset = PREFIX_BYTES + (sealing?.header.length ?? 0);
  let dataStart = alignUp(indexOffset, dataAlignment);
  let index: Uint8Array;
  let flags = 0;
  for (;;) {
    for (const { entry, params, chunks } of placed) {
      entry.stored.params = params && { offset: dataStart + params.at, length: params.bytes.length + overhead, checksum: params.checksum };
      entry.chunks = chunks.map((c) => ({ offset: dataStart + c.at, length: c.bytes.length + overhead, checksum: c.checksum }));
    }
    index = serializeIndex(doc);
    flags = (compact ? FLAG_PACKED_CHUNKS : 0) | (sealing ? FLAG_SEALED : 0);
    const compressed = compact ? compressIndex(kernels, index) : null;
    if (compressed && compressed.length < index.length) {
      index = compressed;
      flags |= FLAG_COMPRESSED_INDEX;
    }
    const needed = alignUp(indexOffset + index.length + overhead, dataAlignment);
    if (needed <= dataStart) break;
    dataStart = needed;
  }
  if (sealing) index = await sealing.sealer.sealIndex(indexOffset, index, indexBinding(flags, sealing.header), sealing.publicIndex);

  const fileSize = dataStart + dataLength + FOOTER_BYTES;
  const file = allocateForOverwrite(fileSize);
  file.fill(0);
  const location = { offset: indexOffset, length: index.length, checksum: xxh32(kernels, index) };
  // 1.6, 1.5 or 1.4 only for files that use what they add (the predict stage; the rans_lanes stage; the rans stage,
  // encryption): the others stay 1.3 files byte for byte.
  const uses = (codec: string) => [...tensorEntries, ...files].some((e) => e.pipeline.some((s) => s.codec === codec));
  const minor = uses('predict') ? MINOR_VERSION : uses('rans_lanes') ? MINOR_VERSION_1_5 : uses('rans') || sealing ? MINOR_VERSION_1_4 : MINOR_VERSION_1_3;
  writePrefix(file, location, flags, minor, hash);
  if (sealing) file.set(sealing.header, PREFIX_BYTES);
  file.set(index, indexOffset);
  for (const p of pieces) file.set(sealing ? await sealing.sealer.seal(dataStart + p.at, p.bytes) : p.bytes, dataStart + p.at);
  writeFooter(file.subarray(fileSize - FOOTER_BYTES), location, hash);
  return file;
}
