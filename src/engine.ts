// Engines: one kernel instance each (SIMD or scalar build) with the codecs bound to it. The top-level functions use
// a default engine, made by init() or, on first use, synchronously with the build the runtime supports.
import { bindLz4, type Lz4 } from './codecs/lz4';
import { bindEntropy, type Entropy } from './codecs/entropy';
import { bindQuant, type Quant } from './codecs/quant';
import { bindShuffle, type Shuffle } from './codecs/shuffle';
import { bindDelta, type Delta } from './codecs/delta';
import { bindSparse, type Sparse } from './codecs/sparse';
import { bindPipeline, type Pipeline } from './codecs/pipeline';
import { bindContainer, type Container } from './format';
import { toArchiveSource, toByteSource, type ArchiveSource, type SourceOptions } from './io/sources';
import { openAny, type OpenAnyOptions } from './io/open-any';
import { sign as signSource } from './io/signature';
import type { KeyInput } from './io/keys';
import type { Archive, OpenOptions } from './format';
import { bindGguf, bindOnnx, bindTfjs, type GgufReader, type Onnx, type Tfjs } from './io';
import { bindOnnxAdapter, type OnnxAdapter } from './adapters/onnx';
import { bindTfjsAdapter, type TfjsAdapter } from './adapters/tfjs';
import { bindTransformersAdapter, type TransformersAdapter } from './adapters/transformers';
import { bindDatasets, type Datasets } from './io/datasets';
import { bindModelTools, type ModelTools } from './adapters/model-tools';
import { chooseSimd, loadKernels, loadKernelsSync } from './wasm/load';
import type { Kernels } from './wasm/kernels';
import { warmUp } from './warm-up';

export interface EngineOptions {
  /** true: the SIMD build (fails where the runtime lacks SIMD); false: the scalar build; omitted: detect. */
  simd?: boolean;
}

export interface Engine {
  /** Whether this engine runs the SIMD build. */
  readonly simd: boolean;
  readonly lz4: Lz4;
  readonly entropy: Entropy;
  readonly quant: Quant;
  readonly shuffle: Shuffle;
  readonly delta: Delta;
  readonly sparse: Sparse;
  readonly pipeline: Pipeline;
  readonly tfjs: Tfjs & TfjsAdapter;
  readonly gguf: GgufReader;
  readonly onnx: Onnx & OnnxAdapter;
  readonly transformers: TransformersAdapter;
  readonly pack: Container['pack'];
  readonly createWriter: Container['createWriter'];
  readonly createShardedWriter: Container['createShardedWriter'];
  /** Opens a .tzip file (see the top-level open). */
  readonly open: (source: ArchiveSource, options?: OpenAnyOptions) => Promise<Archive>;
  readonly compare: ModelTools['compare'];
  readonly calibrate: ModelTools['calibrate'];
  readonly createDatasetWriter: Datasets['createDatasetWriter'];
  readonly openDataset: Datasets['openDataset'];
}

const resolveSource = (source: unknown, options: OpenOptions & SourceOptions) => toArchiveSource(source, options);

/** The container, with open() that also takes a sharded archive's index (io/open-any.ts). */
const withShards = (container: Container): Container => ({ ...container, open: (source, options) => openAny(container.open, source, options) });

function engineOf(kernels: Kernels): Engine {
  const get = () => kernels;
  const container = withShards(bindContainer(get, resolveSource));
  return { simd: kernels.simd, lz4: bindLz4(get), entropy: bindEntropy(get), quant: bindQuant(get), shuffle: bindShuffle(get), delta: bindDelta(get), sparse: bindSparse(get), pipeline: bindPipeline(get), gguf: bindGguf(get), ...container, ...bindModelTools(get, container), tfjs: { ...bindTfjs(get), ...bindTfjsAdapter(container.open) }, onnx: { ...bindOnnx(get), ...bindOnnxAdapter(container.open) }, transformers: bindTransformersAdapter(get, container.open), ...bindDatasets(get) };
}

/**
 * Makes an independent engine, e.g. to compare builds side by side. Engines of a build share its compiled code, so
 * after init() has warmed that build up, a new engine of it starts on the optimized code too.
 * @example
 * const scalar = await createEngine({ simd: false });
 * scalar.lz4.compress(bytes);
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return engineOf(await loadKernels(chooseSimd(options.simd)));
}

/** Builds init() has warmed up (warm-up.ts). */
const warmed = new Set<boolean>();

let defaultKernels: Kernels | undefined;

/**
 * Loads the WebAssembly kernels (the SIMD build where supported) for the top-level functions. Idempotent: later
 * calls keep the loaded build unless they ask for the other one. Calling it is optional in Node and Deno (the
 * first call of a function loads the kernels synchronously); in browsers it keeps compilation off the main thread.
 * It also warms the kernels up (up to ~40 ms, see warm-up.ts), so that the first large decode runs the optimized
 * code rather than V8's baseline code.
 * @example
 * const { simd } = await init();           // simd: true in current Node, Deno and browsers
 * await init({ simd: false });             // switch to the scalar build
 */
export async function init(options: EngineOptions = {}): Promise<{ simd: boolean }> {
  if (defaultKernels === undefined || (options.simd !== undefined && options.simd !== defaultKernels.simd)) {
    const simd = chooseSimd(options.simd);
    const kernels = await loadKernels(simd);
    if (!warmed.has(simd)) {
      warmed.add(simd);
      await warmUp(kernels);
    }
    defaultKernels = kernels;
  }
  return { simd: defaultKernels.simd };
}

function kernels(): Kernels {
  return (defaultKernels ??= loadKernelsSync(chooseSimd(undefined)));
}

let loadingDefault: Promise<void> | undefined;

/** Loads the default kernels off the main thread, for open() to overlap with its first read (no warm-up: that is
 *  init()'s, and a model's first decode is small against its cost). */
function loadDefaultKernels(): Promise<void> | undefined {
  if (defaultKernels !== undefined) return undefined;
  return (loadingDefault ??= (async () => {
    const loaded = await loadKernels(chooseSimd(undefined));
    defaultKernels ??= loaded;
  })());
}

/** LZ4 frames and blocks on the default engine (see Lz4). */
export const lz4: Lz4 = bindLz4(kernels);

/** Order-0 entropy blocks (Huffman, raw or run) on the default engine (see Entropy). */
export const entropy: Entropy = bindEntropy(kernels);

/** Quantization and 16-bit float formats on the default engine (see Quant). */
export const quant: Quant = bindQuant(kernels);

/** Byte and bit shuffle filters on the default engine (see Shuffle). */
export const shuffle: Shuffle = bindShuffle(kernels);

/** The delta filter for integer arrays on the default engine (see Delta). */
export const delta: Delta = bindDelta(kernels);

/** Sparse packing and pruning on the default engine (see Sparse). */
export const sparse: Sparse = bindSparse(kernels);

/** Per-chunk codec pipelines with the fused WebAssembly decoder, on the default engine (see Pipeline). */
export const pipeline: Pipeline = bindPipeline(kernels);

const container = withShards(bindContainer(kernels, resolveSource, loadDefaultKernels));

/** Packs named tensors into one .tzip file (see Container.pack). */
export const pack: Container['pack'] = container.pack;

/**
 * The detached signature (`<file>.sig`) of a .tzip file — bytes, a path or a URL, as open() takes — signed with a
 * private key (Ed25519 or ECDSA P-256: CryptoKey, JWK or PKCS#8 PEM). docs/SECURITY.md says what it covers.
 * @example
 * const { publicKey, privateKey } = await generateKeyPair();
 * const signature = await sign(bytes, privateKey);          // save as model.tzip.sig beside model.tzip
 * const archive = await open(bytes, { publicKey, signature }); // a URL or path finds <file>.sig by itself
 */
export async function sign(source: ArchiveSource, privateKey: KeyInput, options: { blockBytes?: number } & SourceOptions = {}): Promise<Uint8Array> {
  return signSource(await toByteSource(source, { ...options, publicKey: undefined }), privateKey, options);
}

/** A writer of sharded archives on the default engine (see Container.createShardedWriter). */
export const createShardedWriter: Container['createShardedWriter'] = container.createShardedWriter;

/** A streaming .tzip writer on the default engine (see Container.createWriter). */
export const createWriter: Container['createWriter'] = container.createWriter;

/**
 * Opens a .tzip file for random access to its tensors (see Container.open). The source can be:
 * - bytes: a Uint8Array (a Node Buffer), any ArrayBufferView, an ArrayBuffer;
 * - a Blob or File, read a slice at a time. In Node ≥ 19.8, `fs.openAsBlob(path)` gives one over a file;
 * - a URL or URL string, read with HTTP Range requests: the first 64 KiB and the footer, then, for each get() or
 *   getAll(), the chunks it needs coalesced into a few requests (4 in flight); a server that ignores Range sends
 *   the whole file, once. `timeoutMs` and `signal` bound every request; 429/502/503/504 are retried 3 times;
 *   failures are IO, NOT_FOUND, TIMEOUT, ABORTED or CHANGED (the file changed between requests);
 * - a file path or a file: URL (Node, Deno), read a range at a time;
 * - a ReadableStream or a Node Readable (any async iterable of bytes), read as it arrives, at most `maxBytes`. An
 *   index-first file (what `pack` writes) opens as soon as its prefix and index are in, and each read waits only for
 *   its own chunks: the first tensors decode while the rest still downloads. An index-last file (what `createWriter`
 *   writes) opens once the stream has ended: its index is at the end. The end of an index-first file is
 *   checked as it comes (its footer, every range the index lists inside the file). The bytes are kept as they arrive,
 *   one copy of the file, since any tensor may be read at any time — or, with `retain: false`, only until the tensors
 *   that use them have been read (each reads once), the stream read at most 4 MiB ahead: memory then holds the tensor
 *   being read plus 4 MiB, never the whole file. A stream that fails is IO, one that ends before the bytes the index
 *   lists TRUNCATED, one longer than `maxBytes` LIMIT (and cancelled), one silent for `timeoutMs` TIMEOUT (cancelled),
 *   and `signal` or `archive.close()` cancels it (ABORTED): each fails the reads waiting and every later read, so that
 *   none waits for bytes that cannot come.
 * @example
 * const archive = await open('https://example.com/model.tzip', { timeoutMs: 10_000, signal: AbortSignal.timeout(60_000) });
 * const all = await archive.getAll();               // a few requests, whatever the number of chunks
 * const local = await open('./model.tzip');         // Node, Deno: reads only the ranges it needs
 * const weight = await local.get('fc.weight', { dtype: 'float32' }); // weight.data: Float32Array
 * const response = await fetch('https://example.com/model.tzip', { headers: { authorization } });
 * const streamed = await open(response.body!);      // resolves once the prefix and index have arrived
 * const first = await streamed.get('conv1.weight'); // once its chunks have, before the file's last byte
 * const once = await open((await fetch(url)).body!, { retain: false }); // each tensor once, never the whole file held
 * for await (const { name, tensor } of once.stream()) model.setWeight(name, tensor);
 */
export const open: Engine['open'] = container.open;

const modelTools = bindModelTools(kernels, container);

/** What an archive did to a model: size, bits per weight and error per tensor, and with a framework the model's
 *  outputs (see ModelTools.compare). */
export const compare: ModelTools['compare'] = modelTools.compare;

/** Packs a model with per-tensor settings searched to keep its outputs within a cosine target (see
 *  ModelTools.calibrate). */
export const calibrate: ModelTools['calibrate'] = modelTools.calibrate;

const datasets = bindDatasets(kernels);

/** A writer of samples into a dataset file or shards, on the default engine (see Datasets.createDatasetWriter). */
export const createDatasetWriter: Datasets['createDatasetWriter'] = datasets.createDatasetWriter;

/** Opens a dataset file or manifest, on the default engine (see Datasets.openDataset). */
export const openDataset: Datasets['openDataset'] = datasets.openDataset;

/** TF.js models and weights, in and out of .tzip files, and the IOHandler TF.js loads them through, on the default
 *  engine (see Tfjs and TfjsAdapter). */
export const tfjs: Tfjs & TfjsAdapter = { ...bindTfjs(kernels), ...bindTfjsAdapter(container.open) };

/** GGUF reading on the default engine (see GgufReader). */
export const gguf: GgufReader = bindGguf(kernels);

/** ONNX models: read, write, channel axes, ONNX Runtime sessions from a .tzip (see Onnx). */
export const onnx: Onnx & OnnxAdapter = { ...bindOnnx(kernels), ...bindOnnxAdapter(container.open) };

/** transformers.js models from a .tzip: pack a model's folder, serve it through env.customCache (see TransformersAdapter). */
export const transformers: TransformersAdapter = bindTransformersAdapter(kernels, container.open);
