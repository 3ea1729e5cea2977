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
import { toByteSource, type ArchiveSource } from './io/sources';
import { bindGguf, bindTfjs, type GgufReader, type Tfjs } from './io';
import { chooseSimd, loadKernels, loadKernelsSync } from './wasm/load';
import type { Kernels } from './wasm/kernels';

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
  readonly tfjs: Tfjs;
  readonly gguf: GgufReader;
  readonly pack: Container['pack'];
  readonly createWriter: Container['createWriter'];
  readonly open: (source: ArchiveSource, options?: Parameters<Container['open']>[1]) => ReturnType<Container['open']>;
}

const resolveSource = (source: unknown, options: { maxBytes?: number }) => toByteSource(source, options.maxBytes);

function engineOf(kernels: Kernels): Engine {
  const get = () => kernels;
  return { simd: kernels.simd, lz4: bindLz4(get), entropy: bindEntropy(get), quant: bindQuant(get), shuffle: bindShuffle(get), delta: bindDelta(get), sparse: bindSparse(get), pipeline: bindPipeline(get), tfjs: bindTfjs(get), gguf: bindGguf(get), ...bindContainer(get, resolveSource) };
}

/**
 * Makes an independent engine, e.g. to compare builds side by side.
 * @example
 * const scalar = await createEngine({ simd: false });
 * scalar.lz4.compress(bytes);
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return engineOf(await loadKernels(chooseSimd(options.simd)));
}

let defaultKernels: Kernels | undefined;

/**
 * Loads the WebAssembly kernels (the SIMD build where supported) for the top-level functions. Idempotent: later
 * calls keep the loaded build unless they ask for the other one. Calling it is optional in Node and Deno (the
 * first call of a function loads the kernels synchronously); in browsers it keeps compilation off the main thread.
 * @example
 * const { simd } = await init();           // simd: true in current Node, Deno and browsers
 * await init({ simd: false });             // switch to the scalar build
 */
export async function init(options: EngineOptions = {}): Promise<{ simd: boolean }> {
  if (defaultKernels === undefined || (options.simd !== undefined && options.simd !== defaultKernels.simd)) {
    defaultKernels = await loadKernels(chooseSimd(options.simd));
  }
  return { simd: defaultKernels.simd };
}

function kernels(): Kernels {
  return (defaultKernels ??= loadKernelsSync(chooseSimd(undefined)));
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

const container = bindContainer(kernels, resolveSource);

/** Packs named tensors into one .tzip file (see Container.pack). */
export const pack: Container['pack'] = container.pack;

/** A streaming .tzip writer on the default engine (see Container.createWriter). */
export const createWriter: Container['createWriter'] = container.createWriter;

/** Opens a .tzip file for random access to its tensors (see Container.open). */
export const open: Engine['open'] = container.open;

/** TF.js weights import and export on the default engine (see Tfjs). */
export const tfjs: Tfjs = bindTfjs(kernels);

/** GGUF reading on the default engine (see GgufReader). */
export const gguf: GgufReader = bindGguf(kernels);
