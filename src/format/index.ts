import { TensorzipError } from '../errors';
import type { Kernels } from '../wasm/kernels';
import { bytesSource, openArchive, type Archive, type ByteSource, type OpenOptions, type Tensor, type TensorInfo } from './archive';
import type { TensorArray, TensorDtype } from './dtypes';
import { pack, type PackOptions, type TensorInput } from './pack';
import type { QuantizeMode } from './plan';

export type { Archive, OpenOptions, PackOptions, QuantizeMode, Tensor, TensorArray, TensorDtype, TensorInfo, TensorInput };

/** What open() reads: bytes in memory, or a Blob (read a slice at a time). */
export type ArchiveSource = Uint8Array | ArrayBuffer | Blob;

function sourceOf(source: unknown): ByteSource {
  if (source instanceof Uint8Array) return bytesSource(source);
  if (source instanceof ArrayBuffer) return bytesSource(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { size: source.size, read: async (offset, length) => new Uint8Array(await source.slice(offset, offset + length).arrayBuffer()) };
  }
  const found = source === null ? 'null' : (source as object)?.constructor?.name ?? typeof source;
  throw new TensorzipError('ARGUMENT', `open: expected a Uint8Array, ArrayBuffer or Blob, found ${found} (URLs and streams are not supported yet)`);
}

export interface Container {
  /**
   * Packs named tensors into one .tzip file (docs/FORMAT.md): each tensor quantized per `options.quantize`
   * (default 'auto'), its chunks sparse-packed or shuffled, then LZ4-compressed, each with a checksum.
   * @example
   * const bytes = await pack({ 'fc.weight': { dtype: 'float32', shape: [256, 784], data: weights },
   *   'fc.bias': { dtype: 'float32', shape: [256], data: bias } }, { rules: [{ match: '*.bias', quantize: 'lossless' }] });
   */
  pack(tensors: Record<string, TensorInput>, options?: PackOptions): Promise<Uint8Array>;
  /**
   * Opens a .tzip file: checks its prefix, footer and index (every offset, length and checksum) and lists its
   * tensors; `get` decodes one, verifying each chunk's checksum first.
   * @example
   * const archive = await open(bytes);
   * archive.tensors.map((t) => t.name);            // ['fc.weight', 'fc.bias']
   * const { data } = await archive.get('fc.weight'); // Float32Array(200704)
   */
  open(source: ArchiveSource, options?: OpenOptions): Promise<Archive>;
}

export function bindContainer(kernels: () => Kernels): Container {
  return {
    pack: async (tensors, options) => pack(kernels(), tensors, options),
    open: async (source, options) => openArchive(kernels(), sourceOf(source), options),
  };
}
