// open(): reads and checks the prefix, footer and index of a .tzip file, then decodes tensors chunk by chunk on
// request, verifying each chunk's checksum before it is decoded. Reads go through a ByteSource, so the same reader
// serves bytes in memory and (later) Blobs and HTTP Range requests.
import { TensorzipError } from '../errors';
import { xxh32 } from '../codecs/checksum';
import type { PipelineStage } from '../codecs/pipeline';
import type { QuantDtype, QuantStats, StoredQuantDtype } from '../codecs/quant';
import type { Kernels } from '../wasm/kernels';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from './dtypes';
import { allocateForOverwrite, newArrayForOverwrite } from '../codecs/output-bytes';
import { describeValue } from '../codecs/describe-value';
import { product } from '../codecs/shape';
import { FLAG_COMPRESSED_INDEX, FLAG_PACKED_CHUNKS, FLAG_SEALED, FOOTER_BYTES, PREFIX_BYTES, readFooter, readPrefix, type IndexLocation } from './framing';
import { indexBinding, openSealing, SEAL_HEADER_BYTES, type Sealing } from './seal-header';
import { SEAL_TAG_BYTES } from './seal';
import type { DecryptOptions } from './seal-keys';
import { decompressIndex } from './index-compression';
import { isTfjsCodesDtype } from '../codecs/quant/tfjs';
import { addDecoded, decodedTwin, type DecodedTwins } from './decoded-twins';
import { checkChunkUses, isQuantized, parseIndex, storedBytes, type ByteRange, type IndexDocument, type TensorEntry } from './index-document';
import type { QuantizedTensorInput } from './encode-tensor';
import { poolFor, releasePool, type WorkerPool, type WorkersOption } from '../parallel';
import { hasSharedMemory, isSharedMemory, sharedArray, sharedArrayBlocks } from '../parallel/shared';
import { SharedParams } from './shared-params';
import { paramsWhat, TensorChunks } from './tensor-chunks';
import { TensorsOnWorkers, WORKER_TENSOR_BYTES } from './decode-on-workers';

/** Random access to the bytes of a file. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** A source in memory reads without a promise too: a tensor of an archive then decodes at once, with no promise per
   *  tensor or chunk (archive.ts, decodeTensorNow) — an encrypted one where node:crypto opens its pieces (Node). */
  readNow?(offset: number, length: number): Uint8Array;
  /** A remote source: whether bytes [offset, offset + length) have all arrived, so that readArrived reads them at once. */
  hasArrived?(offset: number, length: number): boolean;
  /** A remote source: bytes that have all arrived, read without a promise (as read() reads them), else undefined. */
  readArrived?(offset: number, length: number): Uint8Array | undefined;
  /** Announces the ranges about to be read, so that a remote source can fetch them together. */
  prefetch?(ranges: readonly ByteRange[]): void;
  /** True when the source calls onProgress itself (a URL: bytes as they download). */
  readonly reportsProgress?: boolean;
  /** What tells this version of a remote file from another (its ETag, else Last-Modified); null when nothing does. */
  readonly identity?: string | null;
  /** A remote source: drops the bytes it downloaded and holds, their memory freed at once where the runtime can
   *  (free-bytes.ts); a later read downloads them again. */
  release?(): void;
}

/** A file that arrives from its start (a stream): a read waits for its bytes, and the size is known at the end. */
export interface ArrivingFile {
  /** The most bytes the file may have (more fails every read with LIMIT). */
  readonly maxSize: number;
  /** Bytes [offset, offset + length), as soon as they have arrived. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The whole file, once it has arrived. */
  whole(): Promise<ByteSource>;
  /** Runs `check` on the file's size and bytes as it ends (at once when it has), before any read waiting then is
   *  served: what it throws fails every pending and later read (and is thrown here when the file has already ended). */
  atEnd(check: (size: number, read: (offset: number, length: number) => Uint8Array) => void): void;
  /** Which bytes reads still need, when the stream keeps only those (open's `retain: false`); null when it keeps all. */
  readonly uses: ByteUses | null;
  /** Fails every pending and later read with `error`, stops the stream and drops its bytes. */
  fail(error: unknown): void;
}

/** The ranges the reads of a stream opened with `retain: false` still need: `need` counts one use per range listed
 *  (once, when the index has been read), `done` ends one. Bytes no use covers are dropped. */
export interface ByteUses {
  need(ranges: readonly ByteRange[]): void;
  done(ranges: readonly ByteRange[]): void;
}

export interface OpenOptions {
  /** Largest decoded tensor, in bytes (default 2 GiB); for a stream, also the most bytes it may have (LIMIT). */
  maxBytes?: number;
  /** Largest index, in bytes (default 64 MiB). */
  maxIndexBytes?: number;
  /** Most tensors an index may list (default 100,000: DeepSeek-V3, among the largest checkpoints, holds about 92,000
   *  with its FP8 scales); reading an index costs about 1.2 KB of memory per tensor. Counted before the index is
   *  parsed; more is LIMIT. docs/FORMAT.md, Limits, lists every limit. */
  maxTensors?: number;
  /** Most chunks an index may list, all tensors together (default 1,000,000: 1 TB of float32 at the default 1 MiB
   *  chunk, 4 GiB at the smallest 4 KiB one). Counted before the index is parsed; more is LIMIT. */
  maxChunks?: number;
  /** Check every chunk's xxh32 before decoding it (default true). */
  verify?: boolean;
  /** For a stream (a ReadableStream, a Node Readable): keep its bytes (default true), so that any tensor may be read at
   *  any time, or, with false, keep only what the reads still to come need. Each tensor and entry then reads once (a
   *  second get(), getCodes() or getEntry() of it is ARGUMENT): its bytes are dropped once it and every other tensor
   *  that lists them (shared ranges) have been read, and the stream is read ahead of the reads by at most 4 MiB, so
   *  memory holds the tensors being read plus 4 MiB, in 1 MiB blocks, and the stream's piece in hand — never the whole
   *  file (for an index-first file, as pack() writes; an index-last one is held whole until it opens, its index being
   *  at the end). Other sources ignore it: a URL's pieces are dropped once read, and bytes, Blobs and files are the
   *  caller's. A stream opened with `publicKey` is read whole first, to check its signature.
   *  @example
   *  const archive = await open((await fetch(url)).body!, { retain: false });
   *  for await (const { name, tensor } of archive.stream()) model.setWeight(name, tensor); // each once, in file order */
  retain?: boolean;
  /** The key or passphrase of an encrypted archive (docs/FORMAT.md, Encrypted archives; pack's `encrypt`): the index
   *  and each chunk are authenticated and decrypted as they are read (on the calling thread, also with `workers`,
   *  which then decode the plaintext). A wrong key or passphrase, or a changed byte, is SIGNATURE and nothing
   *  decrypted is returned; an encrypted archive without `decrypt` is ARGUMENT, and `decrypt` for an archive that is
   *  not encrypted is SIGNATURE (it may have been swapped for one anyone could write).
   *  @example
   *  const archive = await open(url, { decrypt: { passphrase } });   // or { key: generateSecretKey()'s JWK }
   *  const { data } = await archive.get('fc.weight');               // reads and decrypts only its chunks */
  decrypt?: DecryptOptions;
  /** Called after every read with the bytes read so far and the file size (for a URL: bytes downloaded; for a stream:
   *  bytes arrived, with NaN as the size until it has ended). */
  onProgress?: (bytesRead: number, fileSize: number) => void;
  /** Decode on this many workers (Node worker_threads, Web Workers in browsers and Deno), or 'auto' for one per core;
   *  default 0: on the calling thread. Starting the workers takes ~30 ms, so the first decode of a process is no faster
   *  (face-api's 50 MB on 2 cores: 0.80–0.96x of one thread's speed), and later ones are 1.4–1.9x as fast (Node,
   *  Chromium; bench/results/workers.json): hence no workers unless asked for. Where the runtime has shared memory
   *  (Node, Deno, cross-origin isolated pages), get() and getAll() then return tensors of 64 KiB and more in a
   *  SharedArrayBuffer, which the workers decode into; getAll() packs them side by side in few buffers (up to 16 MiB
   *  each), so one such tensor kept keeps its buffer's others alive. A file in memory of up to 64 MiB is then copied
   *  into shared memory once (not a stream opened with retain: false), and the tensors asked for together go to the
   *  workers whole.
   *  close() stops them; idle workers never keep a Node process alive.
   *  @example
   *  const archive = await open(bytes, { workers: 'auto' });
   *  const all = await archive.getAll(); // the tensors spread over the workers
   *  archive.close(); */
  workers?: WorkersOption;
}

export interface TensorInfo {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** How the elements are stored: the tensor's dtype (lossless) or a quantized type. */
  storedDtype: TensorDtype | StoredQuantDtype;
  /** The axis of per-channel or block scales; null for per-tensor scales and unscaled types. */
  storedAxis: number | null;
  pipeline: PipelineStage[];
  encodedBytes: number;
  decodedBytes: number;
  /** The error of lossy storage; null when lossless. */
  stats: QuantStats | null;
  metadata: Record<string, string>;
}

/** A file of the model stored beside the tensors (format 1.2): `model.json`, an ONNX graph, `tokenizer.json`, … */
export interface EntryInfo {
  /** A relative path: `/`-separated segments, never `..`. */
  name: string;
  /** Decoded bytes. */
  size: number;
  mediaType: string | null;
  pipeline: PipelineStage[];
  encodedBytes: number;
}

/** The archive's declared model: which entry describes it and how (`tfjs-graph`, `tfjs-layers`, `onnx`, …). */
export interface ModelInfo {
  kind: string;
  entry: string;
}

/** The array type of each dtype's `data` (16-bit and 8-bit floats keep their bits in unsigned integers). */
export interface TensorArrays {
  float32: Float32Array; float16: Uint16Array; bfloat16: Uint16Array; float64: Float64Array; int8: Int8Array;
  uint8: Uint8Array; int16: Int16Array; uint16: Uint16Array; int32: Int32Array; uint32: Uint32Array;
  int64: BigInt64Array; uint64: BigUint64Array; bool: Uint8Array; float8e4m3fn: Uint8Array; float8e5m2: Uint8Array;
}

/**
 * A decoded tensor; `data` has the array type of `dtype`. `Tensor` is a union over the dtypes, so checking `dtype`
 * narrows `data`: `if (t.dtype === 'float32') t.data` is a Float32Array.
 */
export type Tensor<D extends TensorDtype = TensorDtype> = { [K in D]: { dtype: K; shape: number[]; data: TensorArrays[K] } }[D];

export interface Archive {
  readonly tensors: readonly TensorInfo[];
  /** The model's other files (format 1.2); empty for files without them. */
  readonly entries: readonly EntryInfo[];
  /** The declared model, or null. */
  readonly model: ModelInfo | null;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Decodes one entry's bytes, checking every chunk's checksum; ARGUMENT when no entry has that name.
   * @example
   * const archive = await open(bytes);
   * if (archive.model?.kind === 'tfjs-graph') {
   *   const modelJson = JSON.parse(new TextDecoder().decode(await archive.getEntry(archive.model.entry)));
   * }
   */
  getEntry(name: string): Promise<Uint8Array>;
  /**
   * Announces that every tensor and entry is about to be read once (get, getCodes, getEntry), so that a URL source
   * fetches them in a few large requests, as getAll() does, rather than a request or more per call. Sources in
   * memory, Blobs and files ignore it.
   * @example
   * archive.prefetchAll();
   * for (const t of archive.tensors) codes.push(await archive.getCodes(t.name));
   */
  prefetchAll(): void;
  /**
   * Decodes one tensor (into `out` when given: the dtype's array type, as many elements as the shape). With
   * `dtype`, the tensor must have that dtype (else ARGUMENT) and the result is typed by it.
   * @example
   * const { data } = await archive.get('fc.weight', { dtype: 'float32' }); // data: Float32Array
   */
  get<D extends TensorDtype = TensorDtype>(name: string, options?: { dtype?: D; out?: TensorArrays[D] }): Promise<Tensor<D>>;
  /** Decodes every tensor. */
  getAll(): Promise<Record<string, Tensor>>;
  /**
   * Every tensor in file order, each as soon as its chunks have arrived: from a URL, the first tensors decode while
   * the rest of the file still downloads (open's onProgress counts the bytes). Memory holds the requests in flight
   * (at most 4 pieces of 8–16 MiB) and the tensors the caller keeps, never the whole file; from a stream, the bytes
   * arrived, or with open's `retain: false` those of the tensor being read plus 4 MiB.
   * @example
   * const archive = await open(url, { onProgress: (done, total) => bar.update(done / total) });
   * for await (const { name, tensor, index, count } of archive.stream()) model.setWeight(name, tensor);
   */
  stream(): AsyncIterableIterator<{ name: string; tensor: Tensor; index: number; count: number }>;
  /**
   * A tensor's stored codes, not dequantized, as pack() takes them back: TF.js uint8 / uint16 codes with their scale
   * and min, float16 / bfloat16 halves, fp8 codes and GGML blocks (decoded into `out` when given: a Uint8Array of
   * the codes' bytes, which `data` then views). ARGUMENT for a tensor stored as it is or with affine scales (use get()).
   * @example
   * const { quantized } = await archive.getCodes('conv/kernel'); // { dtype: 'tfjs_uint8', data: Uint8Array, scale, min, … }
   */
  getCodes(name: string, options?: { out?: Uint8Array }): Promise<QuantizedTensorInput>;
  /**
   * Stops the archive's workers (open's `workers`); later calls decode on the calling thread. An archive opened from a
   * stream also cancels it (a ReadableStream's reader is cancelled, a Node Readable destroyed) and drops its bytes:
   * the reads waiting and every later one are ABORTED. An archive opened from a URL drops the bytes it downloaded and
   * holds, their memory freed at once where the runtime can (ArrayBuffer.prototype.transfer) rather than at a later
   * garbage collection: a read still in progress may then fail, a later one downloads its bytes again.
   * @example
   * const archive = await open(bytes, { workers: 2 });
   * try { await archive.getAll(); } finally { archive.close(); }
   */
  close(): void;
}

const DEFAULT_MAX_BYTES = 2 ** 31;
const DEFAULT_MAX_INDEX_BYTES = 64 << 20;
const DEFAULT_MAX_TENSORS = 100_000;
const DEFAULT_MAX_CHUNKS = 1_000_000;

/**
 * Decodes a tensor's values as little-endian bytes into `dst` (exactly its decoded bytes, at any byte offset), without a
 * promise when the archive decodes at once: onnx.createSession decodes each tensor straight into the model it hands
 * ONNX Runtime, where no typed array could view it. Archives open() makes have one; a sharded archive has none.
 * `twins`, kept by the caller over the tensors it decodes (whose bytes it leaves as written), turns the decode of a
 * tensor stored as an earlier one into a copy of that one's bytes (decoded-twins.ts).
 */
export type TensorBytesDecoder = (name: string, dst: Uint8Array, twins?: DecodedTwins) => void | Promise<void>;
/** Where an archive keeps its TensorBytesDecoder: a hidden property. With a WeakMap keyed by archives instead, the
 *  young generation's collections kept every archive alive (promoted them), and open() of a model of 449 tensors in a
 *  loop cost a third more CPU time. */
const TENSOR_BYTES_DECODER = Symbol('tensorBytesDecoder');

/** The archive's TensorBytesDecoder, when it has one. */
export function tensorBytesDecoder(archive: Archive): TensorBytesDecoder | undefined {
  return (archive as Archive & { [TENSOR_BYTES_DECODER]?: TensorBytesDecoder })[TENSOR_BYTES_DECODER];
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  const readNow = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  return { size: bytes.length, readNow, read: async (offset, length) => readNow(offset, length) };
}

function limit(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw new TensorzipError('ARGUMENT', `open ${what}: expected a non-negative integer, found ${describeValue(value)}`);
  return v;
}

/**
 * Opens a file, or a file arriving from its start (a stream): an index-first one as soon as its prefix and index are
 * in, its end checked as it arrives; an index-last one once it has ended (its index is found from its end).
 */
export async function openArchive(kernels: Kernels, given: ByteSource | ArrivingFile, options: OpenOptions = {}): Promise<Archive> {
  if (!('atEnd' in given)) return openFile(kernels, given, null, options);
  try {
    const prefix = readPrefix(await given.read(0, PREFIX_BYTES), (bytes) => xxh32(kernels, bytes));
    if (prefix.index === null) return await openFile(kernels, await given.whole(), { file: given, arriving: false }, options);
    // Of no known size until it ends: its ranges are checked against maxSize when the index is read, and against its
    // size at the end.
    return await openFile(kernels, { size: Infinity, read: given.read, reportsProgress: true }, { file: given, arriving: true }, options);
  } catch (err) {
    given.fail(err);
    throw err;
  }
}

/** `stream`: the stream the file comes from, and whether it is still arriving (an index-first file opened early). */
async function openFile(kernels: Kernels, rawSource: ByteSource, stream: { file: ArrivingFile; arriving: boolean } | null, options: OpenOptions): Promise<Archive> {
  const arriving = stream?.arriving ? stream.file : null;
  let bytesRead = 0;
  const countBytes = (n: number) => {
    bytesRead += n;
    if (!rawSource.reportsProgress) options.onProgress?.(bytesRead, rawSource.size);
  };
  const counted = (bytes: Uint8Array) => {
    countBytes(bytes.length);
    return bytes;
  };
  const source: ByteSource = { size: rawSource.size, read: async (offset, length) => counted(await rawSource.read(offset, length)) };
  const maxBytes = limit(options.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  const maxIndexBytes = limit(options.maxIndexBytes, DEFAULT_MAX_INDEX_BYTES, 'maxIndexBytes');
  const maxTensors = limit(options.maxTensors, DEFAULT_MAX_TENSORS, 'maxTensors');
  const maxChunks = limit(options.maxChunks, DEFAULT_MAX_CHUNKS, 'maxChunks');
  const verify = options.verify ?? true;
  const hash = (bytes: Uint8Array) => xxh32(kernels, bytes);
  if (!arriving && source.size < PREFIX_BYTES + FOOTER_BYTES) throw new TensorzipError('TRUNCATED', `open: a .tzip file has at least ${PREFIX_BYTES + FOOTER_BYTES} bytes, found ${source.size}`);
  const prefix = readPrefix(await source.read(0, PREFIX_BYTES), hash);
  let sealing: Sealing | null = null;
  if (prefix.flags & FLAG_SEALED) {
    sealing = await openSealing(await source.read(PREFIX_BYTES, Math.min(SEAL_HEADER_BYTES, source.size - PREFIX_BYTES)), options.decrypt, hash);
  } else if (options.decrypt !== undefined) {
    throw new TensorzipError('SIGNATURE', 'open: decrypt was given, and the archive is not encrypted (anyone could have written it)');
  }
  const dataStart = PREFIX_BYTES + (sealing ? SEAL_HEADER_BYTES : 0);
  // An arriving file's footer comes last: its index is where the prefix says, and the footer is checked at the end.
  const footerOffset = source.size - FOOTER_BYTES;
  const location: IndexLocation = arriving ? prefix.index! : footerLocation(prefix.index, await source.read(footerOffset, FOOTER_BYTES), footerOffset, hash);
  if (location.length > maxIndexBytes) throw new TensorzipError('LIMIT', `open: the index is ${location.length} bytes, over maxIndexBytes (${maxIndexBytes})`);
  if (location.offset < dataStart || location.offset + location.length > footerOffset) {
    throw new TensorzipError('CORRUPT', `open: the index (bytes ${location.offset}–${location.offset + location.length}) lies outside the file's data area`);
  }
  const storedIndex = await source.read(location.offset, location.length);
  if (hash(storedIndex) !== location.checksum) throw new TensorzipError('CHECKSUM', 'open: the index checksum does not match', { offset: location.offset });
  const plainIndex = sealing ? await sealing.sealer.openIndex(location.offset, storedIndex, indexBinding(prefix.flags, sealing.header), sealing.publicIndex) : storedIndex;
  const indexBytes = prefix.flags & FLAG_COMPRESSED_INDEX ? decompressIndex(kernels, plainIndex, maxIndexBytes, location.offset) : plainIndex;
  const doc = parseIndex(kernels, indexBytes, location, source.size, { maxBytes, maxTensors, maxChunks }, {
    packedChunks: (prefix.flags & FLAG_PACKED_CHUNKS) !== 0, sealOverhead: sealing ? SEAL_TAG_BYTES : 0, dataStart,
  });
  if (arriving) {
    const end = dataEnd(location, doc) + FOOTER_BYTES;
    if (end > arriving.maxSize) throw new TensorzipError('LIMIT', `open: the index lists bytes up to ${end - FOOTER_BYTES}: the stream is longer than maxBytes (${arriving.maxSize})`);
    checkChunkUses([...doc.tensors, ...doc.entries], arriving.maxSize);
    arriving.atEnd((size, read) => checkArrivedEnd(size, read, location, doc, hash));
  }
  // retain: false — each tensor and entry reads once, and its bytes go when every read that needs them has been.
  const uses = stream?.file.uses ?? null;
  uses?.need([...doc.tensors, ...doc.entries].flatMap(rangesOf));
  const alreadyRead = new Set<TensorEntry>();
  const readOnce = <T>(entry: TensorEntry, decode: () => T | Promise<T>): T | Promise<T> => {
    if (uses === null) return decode();
    if (alreadyRead.has(entry)) throw new TensorzipError('ARGUMENT', `archive: ${describeValue(entry.name)} has been read already, and the archive was opened from a stream with retain: false, which reads each tensor and entry once (its bytes are gone)`);
    alreadyRead.add(entry);
    const done = () => uses.done(rangesOf(entry));
    let result: T | Promise<T>;
    try {
      result = decode();
    } catch (err) {
      done();
      throw err;
    }
    if (!(result instanceof Promise)) return done(), result;
    return result.finally(done);
  };
  const byName = new Map(doc.tensors.map((t) => [t.name, t]));
  const entriesByName = new Map(doc.entries.map((e) => [e.name, e]));
  // Tensors and entries whose ranges prefetchAll() announced and no read has used yet: their first read announces
  // nothing more (a URL source keeps a request's bytes until every read announced for them has been served).
  const announced = { tensors: new Set<string>(), entries: new Set<string>() };
  const prefetch = (names: Set<string>, name: string, ranges: readonly ByteRange[]) => {
    if (!names.delete(name)) rawSource.prefetch?.(ranges);
  };

  const mismatch = (range: ByteRange, what: string) => new TensorzipError('CHECKSUM', `open: ${what} does not match its checksum`, { offset: range.offset });
  // A sealed range is authenticated and decrypted first; its checksum is of the plaintext.
  const sealer = sealing?.sealer;
  const readPlain = async (range: ByteRange, what: string): Promise<Uint8Array> => {
    const bytes = await source.read(range.offset, range.length);
    return sealer ? sealer.open(range.offset, bytes, what) : bytes;
  };
  const checked = (range: ByteRange, what: string, bytes: Uint8Array): Uint8Array => {
    if (verify && hash(bytes) !== range.checksum) throw mismatch(range, what);
    return bytes;
  };
  const readChecked = async (range: ByteRange, what: string): Promise<Uint8Array> => checked(range, what, await readPlain(range, what));
  // getAll() and stream() of a sealed archive decrypt a few chunks ahead of the decoder: WebCrypto works off the calling thread,
  // and each call takes ~0.1 ms to come back, which decoding the chunk before covers.
  const decryptedAhead = new Map<number, Promise<Uint8Array>>();
  let toDecrypt: ByteRange[] = [];
  const readChunk = (range: ByteRange) => readPlain(range, `the chunk at bytes ${range.offset}–${range.offset + range.length - 1}`);
  const decryptAhead = () => {
    while (decryptedAhead.size < DECRYPT_AHEAD && toDecrypt.length > 0) {
      const range = toDecrypt.shift()!;
      if (decryptedAhead.has(range.offset)) continue;
      const plain = readChunk(range);
      plain.catch(() => {}); // its reader sees the error
      decryptedAhead.set(range.offset, plain);
    }
  };
  const decryptInOrder = (tensors: readonly TensorEntry[]) => {
    toDecrypt = tensors.flatMap((t) => t.chunks);
    decryptAhead();
  };
  const stopDecrypting = () => {
    toDecrypt = [];
    decryptedAhead.clear();
  };
  const readSealedChunk = (range: ByteRange): Promise<Uint8Array> => {
    const early = decryptedAhead.get(range.offset);
    if (early === undefined) return readChunk(range);
    decryptedAhead.delete(range.offset);
    decryptAhead();
    return early;
  };
  // Chunks are checked by the decoder, in WebAssembly memory, on the copy it decodes. The workers start once the file
  // has passed every check above: a pool is released only by close().
  const readNow = !rawSource.readNow || (sealer && !sealer.opensNow) ? null : sealer
    ? (range: ByteRange) => sealer.openNow(range.offset, counted(rawSource.readNow!(range.offset, range.length)), `the chunk at bytes ${range.offset}–${range.offset + range.length - 1}`)
    : (range: ByteRange) => counted(rawSource.readNow!(range.offset, range.length));
  // With workers, the chunks they decode of a file in memory (up to SHARED_FILE_BYTES) are read from one copy of the
  // file in shared memory, made when the first is read: each decode copied them into a staging buffer before (for
  // face-api's 8.1 MB, 1.3 ms of the calling thread before the workers could start). close() drops it. Not for a stream
  // opened with retain: false (`uses`): its bytes go as they are read, and such a copy would hold the file again.
  let sharedFile: Uint8Array | null = null;
  const fileShared = readNow !== null && !sealer && uses === null && hasSharedMemory() && rawSource.size <= SHARED_FILE_BYTES ? () => {
    if (sharedFile === null) {
      sharedFile = sharedArray(Uint8Array, rawSource.size);
      sharedFile.set(rawSource.readNow!(0, rawSource.size));
    }
    return sharedFile;
  } : null;
  const readShared = fileShared && ((range: ByteRange) => counted(fileShared().subarray(range.offset, range.offset + range.length)));
  const pool = await poolFor(options.workers, kernels.simd, 'open');
  const chunkReader: ChunkReader = {
    pool,
    read: sealer ? readSealedChunk : readNow ?? ((range) => source.read(range.offset, range.length)),
    readShared: readShared ?? undefined,
    sharedParams: new SharedParams(doc.tensors),
    checksum: (range) => (verify ? range.checksum : undefined),
    mismatch,
  };
  // With workers and the file in shared memory, whole tensors go to them (decode-on-workers.ts says why); a tensor
  // they did not decode decodes here, which raises its error (its bytes counted once, as it was handed over).
  const fromFile = (range: ByteRange) => rawSource.readNow!(range.offset, range.length);
  let onWorkers = pool !== null && fileShared !== null
    ? new TensorsOnWorkers(pool, doc.tensors, fileShared, verify, (entry, out) => void decodeTensorNow(kernels, entry, product(entry.shape), out, fromFile, checked, chunkReader))
    : null;
  // A remote file's bytes once they have arrived (a URL's, prefetched): read at once too, not encrypted.
  const readArrived = rawSource.hasArrived && rawSource.readArrived && !sealer
    ? (range: ByteRange) => counted(rawSource.readArrived!(range.offset, range.length)!) : null;
  /**
   * How a tensor's ranges are read without a promise, or null when they are not: the file in memory (and, encrypted,
   * node:crypto to open it), or every range of the tensor arrived; never with workers. A model's many small tensors
   * then decode with no promise per tensor or chunk (a cold load of handtrack's 619 tensors over HTTP took ~1.7x the
   * CPU time of the same decodes from memory).
   */
  const readerNow = (entry: TensorEntry): ((range: ByteRange) => Uint8Array) | null => {
    if (chunkReader.pool !== null) return null;
    if (readNow !== null) return readNow;
    if (readArrived === null) return null;
    const { params } = entry.stored;
    if (params && !rawSource.hasArrived!(params.offset, params.length)) return null;
    for (let k = 0; k < entry.chunks.length; k++) if (!rawSource.hasArrived!(entry.chunks[k].offset, entry.chunks[k].length)) return null;
    return readArrived;
  };

  const lookup = (name: string, what: string): TensorEntry => {
    const entry = byName.get(name);
    if (entry === undefined) throw new TensorzipError('ARGUMENT', `${what}: no tensor is named ${describeValue(name)}`);
    return entry;
  };
  const get = async <D extends TensorDtype = TensorDtype>(name: string, getOptions: { dtype?: D; out?: TensorArrays[D] } = {}): Promise<Tensor<D>> => {
    const entry = lookup(name, 'archive.get');
    if (getOptions.dtype !== undefined && getOptions.dtype !== entry.dtype) throw new TensorzipError('ARGUMENT', `archive.get dtype: ${describeValue(name)} is ${entry.dtype}, not ${describeValue(getOptions.dtype)}`);
    prefetch(announced.tensors, name, rangesOf(entry));
    return decodeEntry(entry, getOptions.out) as Tensor<D> | Promise<Tensor<D>>;
  };
  /** A tensor decoded: at once when its bytes are at hand (readerNow), else a promise. */
  const decodeEntry = (entry: TensorEntry, given: TensorArray | undefined): Tensor | Promise<Tensor> => {
    const count = product(entry.shape);
    const { array, bytes } = TENSOR_DTYPES[entry.dtype];
    if (given !== undefined && (!(given instanceof array) || given.length !== count)) throw new TensorzipError('ARGUMENT', `archive.get out: expected a ${array.name} of ${count} elements for ${describeValue(entry.name)}`);
    return readOnce(entry, () => {
      // open() checked that the chunks' bytes can decode to this many elements: the allocation is in proportion. With
      // workers, in shared memory where there is some: they decode into it. Not zero-filled: the chunks write every
      // byte (one that decodes short is an error), and a tensor that fails is never returned.
      const out: TensorArray = given ?? (chunkReader.pool !== null && count * bytes >= WORKER_TENSOR_BYTES ? sharedArray(array as never, count) : newArrayForOverwrite(array, count));
      const tensor = { dtype: entry.dtype, shape: entry.shape.slice(), data: out } as Tensor;
      const now = readerNow(entry);
      if (now !== null) {
        decodeTensorNow(kernels, entry, count, out, now, checked, chunkReader);
        return tensor;
      }
      const outBytes = onWorkers && new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      if (onWorkers !== null && outBytes !== null && (isSharedMemory(outBytes) || outBytes.length < WORKER_TENSOR_BYTES)) {
        countBytes(rangeBytes(rangesOf(entry)));
        return onWorkers.decode(entry, outBytes).then(() => tensor);
      }
      return decodeTensor(kernels, entry, count, out, readChecked, chunkReader).then(() => tensor);
    });
  };
  const decodeBytesInto: TensorBytesDecoder = (name, dst, twins) => {
    const entry = lookup(name, 'archive.get');
    const count = product(entry.shape);
    if (!(dst instanceof Uint8Array) || dst.length !== count * TENSOR_DTYPES[entry.dtype].bytes) throw new TensorzipError('ARGUMENT', `archive.get: expected a Uint8Array of ${count * TENSOR_DTYPES[entry.dtype].bytes} bytes for ${describeValue(name)}`);
    // Workers decode into shared memory: a copy then.
    if (chunkReader.pool !== null) {
      return get(name).then(({ data }) => void dst.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    }
    prefetch(announced.tensors, name, rangesOf(entry));
    return readOnce(entry, () => {
      const now = readerNow(entry);
      if (now === null) return decodeTensor(kernels, entry, count, dst, readChecked, chunkReader).then(() => void (twins && addDecoded(twins, entry, dst)));
      const twin = twins && decodedTwin(twins, entry);
      if (twin !== undefined) {
        // Its ranges are still read (not decoded): a URL source drops a piece once every read announced for it is done.
        for (const range of rangesOf(entry)) now(range);
        return void dst.set(twin);
      }
      decodeTensorNow(kernels, entry, count, dst, now, checked, chunkReader);
      if (twins) addDecoded(twins, entry, dst);
    });
  };
  const getCodes = async (name: string, codesOptions: { out?: Uint8Array } = {}): Promise<QuantizedTensorInput> => {
    const entry = lookup(name, 'archive.getCodes');
    const dtype = entry.stored.dtype as StoredQuantDtype;
    if (!isQuantized(entry) || (entry.stored.params !== null && !isTfjsCodesDtype(dtype))) {
      throw new TensorzipError('ARGUMENT', `archive.getCodes: ${describeValue(name)} is stored as ${dtype}, not as codes pack() takes (use get())`);
    }
    prefetch(announced.tensors, name, rangesOf(entry));
    const count = product(entry.shape);
    const given = codesOptions.out;
    const length = storedBytes(entry, count);
    const halves = dtype === 'float16' || dtype === 'bfloat16' || dtype === 'tfjs_uint16';
    if (given !== undefined && (!(given instanceof Uint8Array) || given.length !== length || (halves && given.byteOffset % 2 !== 0))) {
      throw new TensorzipError('ARGUMENT', `archive.getCodes out: expected a Uint8Array of ${length} bytes${halves ? ' at an even byte offset' : ''} for ${describeValue(name)}`);
    }
    const bytes = given ?? allocateForOverwrite(length);
    const tfjs = await readOnce(entry, () => {
      const now = readerNow(entry);
      return now !== null ? decodeTensorNow(kernels, entry, count, bytes, now, checked, chunkReader, true)
        : decodeTensor(kernels, entry, count, bytes, readChecked, chunkReader, true);
    });
    const shape = entry.shape.slice();
    const data = halves ? new Uint16Array(bytes.buffer, bytes.byteOffset, count) : bytes;
    return { quantized: tfjs && isTfjsCodesDtype(dtype) ? { dtype, shape, data, ...tfjs }
      : { dtype: dtype as QuantDtype, shape, data, scale: null, zeroPoint: null, axis: entry.stored.axis, blockSize: entry.stored.blockSize } };
  };

  const getEntry = async (name: string): Promise<Uint8Array> => {
    const entry = entriesByName.get(name);
    if (entry === undefined) throw new TensorzipError('ARGUMENT', `archive.getEntry: no entry is named ${describeValue(name)}`);
    prefetch(announced.entries, name, entry.chunks);
    // An ordinary array, never shared memory: callers hand entries to TextDecoder, which refuses shared views.
    return (await decodeEntry(entry, allocateForOverwrite(entry.shape[0]))).data as Uint8Array;
  };

  const archive: Archive = {
    tensors: doc.tensors.map(info),
    entries: doc.entries.map((e) => ({
      name: e.name, size: e.shape[0], mediaType: e.mediaType, pipeline: e.pipeline, encodedBytes: rangeBytes(e.chunks),
    })),
    model: doc.model && { ...doc.model },
    metadata: doc.metadata,
    get,
    getEntry,
    prefetchAll: () => {
      const unannounced = <T extends { name: string }>(items: T[], names: Set<string>) => items.filter((item) => !names.has(item.name) && names.add(item.name));
      rawSource.prefetch?.([...unannounced(doc.tensors, announced.tensors).flatMap(rangesOf), ...unannounced(doc.entries, announced.entries).flatMap((e) => e.chunks)]);
    },
    getCodes,
    close: () => {
      rawSource.release?.();
      if (chunkReader.pool !== null) releasePool(chunkReader.pool);
      chunkReader.pool = null;
      onWorkers = null;
      sharedFile = null;
      stream?.file.fail(new TensorzipError('ABORTED', 'archive.close() was called: the stream is cancelled and its bytes dropped'));
    },
    async *stream() {
      const firstByte = (t: TensorEntry) => Math.min(...rangesOf(t).map((r) => r.offset), Infinity);
      const order = [...doc.tensors].sort((a, b) => firstByte(a) - firstByte(b));
      rawSource.prefetch?.(order.filter((t) => !announced.tensors.delete(t.name)).flatMap(rangesOf));
      try {
        if (sealer && chunkReader.pool === null) decryptInOrder(order);
        for (const [index, t] of order.entries()) yield { name: t.name, tensor: await decodeEntry(t, undefined), index, count: order.length };
      } finally {
        stopDecrypting();
      }
    },
    getAll: async () => {
      const all: Record<string, Tensor> = Object.create(null); // any name, `__proto__` too, is a key of its own
      // Once for all (each tensor's ranges are in it), but for those prefetchAll() announced.
      rawSource.prefetch?.(doc.tensors.filter((t) => !announced.tensors.delete(t.name)).flatMap(rangesOf));
      if (chunkReader.pool === null) {
        if (sealer) decryptInOrder(doc.tensors);
        try {
          for (const t of doc.tensors) {
            const tensor = decodeEntry(t, undefined);
            all[t.name] = tensor instanceof Promise ? await tensor : tensor;
          }
        } finally {
          stopDecrypting();
        }
      } else {
        // Tensors side by side, so that a model's many one-chunk tensors keep every worker busy; the largest first, so
        // that their chunks are with the workers before this thread decodes the small ones itself.
        const elements = new Map(doc.tensors.map((t) => [t, product(t.shape)]));
        const bySize = [...doc.tensors].sort((a, b) => elements.get(b)! - elements.get(a)!);
        // The tensors the workers decode into, side by side in few shared buffers (sharedArrays says why).
        const isLarge = (t: TensorEntry) => elements.get(t)! * TENSOR_DTYPES[t.dtype].bytes >= WORKER_TENSOR_BYTES;
        const toWorkers = bySize.filter(isLarge);
        const decoding: Promise<readonly [TensorEntry, Tensor]>[] = [];
        const decode = (t: TensorEntry, out: TensorArray | undefined) => {
          const decoded = (async () => [t, await decodeEntry(t, out)] as const)();
          decoded.catch(() => {}); // Promise.all below sees the error
          decoding.push(decoded);
        };
        let next = 0;
        for (const arrays of sharedArrayBlocks(toWorkers.map((t) => ({ type: TENSOR_DTYPES[t.dtype].array as never, length: elements.get(t)! })))) {
          for (const out of arrays) decode(toWorkers[next++]!, out as TensorArray);
          // A buffer's tensors go to the workers before the next buffer is allocated: zero-filling one takes the
          // calling thread ~2 ms per 16 MiB, which the workers then overlap.
          await Promise.resolve();
        }
        for (const t of bySize) if (!isLarge(t)) decode(t, undefined);
        const decoded = new Map(await Promise.all(decoding));
        for (const t of doc.tensors) all[t.name] = decoded.get(t)!;
      }
      return all;
    },
  };
  Object.defineProperty(archive, TENSOR_BYTES_DECODER, { value: decodeBytesInto });
  return archive;
}

/** The index location the footer gives, which must be the prefix's when the prefix gives one (CORRUPT). */
function footerLocation(fromPrefix: IndexLocation | null, footer: Uint8Array, footerOffset: number, hash: (bytes: Uint8Array) => number): IndexLocation {
  const fromFooter = readFooter(footer, footerOffset, hash);
  if (fromPrefix && (fromPrefix.offset !== fromFooter.offset || fromPrefix.length !== fromFooter.length || fromPrefix.checksum !== fromFooter.checksum)) {
    throw new TensorzipError('CORRUPT', 'open: the prefix and the footer give different index locations');
  }
  return fromFooter;
}

/**
 * The end of an index-first file opened before it arrived, checked as open() checks a whole file: long enough for
 * every range the index lists and a footer (TRUNCATED), the footer the prefix's, the chunks' uses within its size.
 */
function checkArrivedEnd(size: number, read: (offset: number, length: number) => Uint8Array, location: IndexLocation, doc: IndexDocument, hash: (bytes: Uint8Array) => number): void {
  const footerOffset = size - FOOTER_BYTES;
  const end = dataEnd(location, doc);
  if (footerOffset < end) throw new TensorzipError('TRUNCATED', `open: the stream ended after ${size} bytes; its index lists bytes up to ${end}, then a ${FOOTER_BYTES}-byte footer`);
  footerLocation(location, read(footerOffset, FOOTER_BYTES), footerOffset, hash);
  checkChunkUses([...doc.tensors, ...doc.entries], size);
}

/** Where the last byte the index lists (itself, a chunk, a parameter block) ends. */
function dataEnd(location: IndexLocation, doc: IndexDocument): number {
  let end = location.offset + location.length;
  for (const item of [...doc.tensors, ...doc.entries]) for (const r of rangesOf(item)) end = Math.max(end, r.offset + r.length);
  return end;
}

/** Bytes the ranges hold together. */
function rangeBytes(ranges: readonly ByteRange[]): number {
  let n = 0;
  for (let k = 0; k < ranges.length; k++) n += ranges[k].length;
  return n;
}

/** The byte ranges decoding a tensor reads. */
const rangesOf = (entry: TensorEntry): ByteRange[] => (entry.stored.params ? [entry.stored.params, ...entry.chunks] : entry.chunks);

function info(entry: TensorEntry): TensorInfo {
  const count = product(entry.shape);
  return {
    name: entry.name, dtype: entry.dtype, shape: entry.shape.slice(), storedDtype: entry.stored.dtype, storedAxis: entry.stored.axis, pipeline: entry.pipeline,
    encodedBytes: rangeBytes(entry.chunks) + (entry.stored.params?.length ?? 0),
    decodedBytes: count * TENSOR_DTYPES[entry.dtype].bytes, stats: entry.stats, metadata: entry.metadata,
  };
}

interface ChunkReader {
  /** The workers chunks are decoded on, or null: the calling thread. */
  pool: WorkerPool | null;
  read(range: ByteRange): Uint8Array | Promise<Uint8Array>;
  /** read, in shared memory, for a chunk a worker decodes; absent: the chunk's bytes are staged for it. */
  readShared?(range: ByteRange): Uint8Array;
  /** The tensors' scales and zero points, as workers read them. */
  sharedParams: SharedParams;
  /** The checksum the decoder checks, or undefined when verification is off. */
  checksum(range: ByteRange): number | undefined;
  mismatch(range: ByteRange, what: string): TensorzipError;
}

/** The largest file in memory whose copy in shared memory the workers read (a larger one's chunks are staged per
 *  decode, at most 64 MiB at a time). */
const SHARED_FILE_BYTES = 64 << 20;
/** Chunks that decode to fewer bytes stay on the calling thread even with workers: handing one over costs more than
 *  decoding it (a model's many biases and norms). */
const WORKER_CHUNK_BYTES = 65536;
/** Chunks of a sealed archive getAll() has decrypting at once, ahead of the one it decodes (16 measured no faster). */
const DECRYPT_AHEAD = 8;

/**
 * Decodes a tensor's chunks into `out` (TensorChunks says how), each as it is read; with workers, chunks of 64 KiB and
 * more side by side. Returns TF.js codes' scale and min.
 */
async function decodeTensor(kernels: Kernels, entry: TensorEntry, count: number, out: TensorArray,
  read: (range: ByteRange, what: string) => Promise<Uint8Array>, chunks: ChunkReader, codes = false): Promise<{ scale: number; min: number } | undefined> {
  const params = entry.stored.params && await read(entry.stored.params, paramsWhat(entry));
  const tensor = new TensorChunks(kernels, entry, count, out, params, chunks.pool !== null ? chunks.sharedParams : null, codes);
  const pool = chunks.pool;
  // Chunks handed to workers: as many are read ahead as the workers take at once, and the first failure stops the
  // handing out.
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  // Whether chunks for the workers may have been asked for (here or by other get()s of this turn) since this tensor
  // last waited for them to go out.
  let maybeWaiting = pool !== null;
  for (let k = 0; k < entry.chunks.length && failure === null; k++) {
    const range = entry.chunks[k];
    const dst = tensor.dst(k);
    // The workers, for this chunk; null: this thread.
    const workers = dst.length >= WORKER_CHUNK_BYTES ? pool : null;
    const read = workers !== null && chunks.readShared ? chunks.readShared(range) : chunks.read(range);
    const bytes = read instanceof Uint8Array ? read : await read;
    const checksum = chunks.checksum(range);
    if (workers !== null) {
      const done: Promise<void> = workers.decode({ encoded: bytes, stages: entry.pipeline, target: tensor.target(k), out: dst, checksum })
        .catch((err) => void (failure ??= { error: tensor.located(k, err, chunks.mismatch) })).finally(() => inFlight.delete(done));
      inFlight.add(done);
      maybeWaiting = true;
      if (inFlight.size >= workers.capacityFor(dst)) await Promise.race(inFlight);
      continue;
    }
    // Large chunks asked for in this turn of the event loop go to the workers first: decoding this one here before
    // they are sent (a model's hundreds of small tensors, whose get()s may come before the large ones') would leave
    // the workers idle.
    if (maybeWaiting) {
      maybeWaiting = false;
      await pool!.handedOut();
    }
    try {
      tensor.decode(k, bytes, checksum);
    } catch (err) {
      throw tensor.located(k, err, chunks.mismatch);
    }
  }
  await Promise.all(inFlight);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return tensor.tfjs;
}

/** decodeTensor for bytes at hand (`read` gives them at once) on the calling thread: no promise, and per chunk no more
 *  than its decode. `checked` checks the parameters' checksum. */
function decodeTensorNow(kernels: Kernels, entry: TensorEntry, count: number, out: TensorArray, read: (range: ByteRange) => Uint8Array,
  checked: (range: ByteRange, what: string, bytes: Uint8Array) => Uint8Array, chunks: ChunkReader, codes = false): { scale: number; min: number } | undefined {
  const params = entry.stored.params && checked(entry.stored.params, paramsWhat(entry), read(entry.stored.params));
  const tensor = new TensorChunks(kernels, entry, count, out, params, null, codes);
  for (let k = 0; k < entry.chunks.length; k++) {
    const range = entry.chunks[k];
    try {
      tensor.decode(k, read(range), chunks.checksum(range));
    } catch (err) {
      throw tensor.located(k, err, chunks.mismatch);
    }
  }
  return tensor.tfjs;
}
