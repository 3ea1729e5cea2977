import type { Kernels } from '../wasm/kernels';
import { openArchive, type Archive, type ArrivingFile, type ByteSource, type EntryInfo, type ModelInfo, type OpenOptions, type Tensor, type TensorInfo } from './archive';
import type { EntryInput } from './encode-entry';
import type { TensorArray, TensorDtype } from './dtypes';
import { pack, type PackInput, type PackOptions, type QuantizedTensorInput, type TensorInput } from './pack';
import { ContainerWriter, type ByteSink, type WriterOptions } from './writer';
import { ShardedWriter, type ShardedWriterOptions } from './sharded-writer';
import { compareArchive, type CompareOptions, type CompareTotal, type Comparison, type TensorComparison } from './compare';
import type { QuantizeMode } from './plan';

export { ContainerWriter, ShardedWriter };
export type { ByteSink, WriterOptions, ShardedWriterOptions };
export type { CompareOptions, CompareTotal, Comparison, TensorComparison };
export type { Archive, ByteSource, EntryInfo, EntryInput, ModelInfo, OpenOptions, PackInput, PackOptions, QuantizedTensorInput, QuantizeMode, Tensor, TensorArray, TensorDtype, TensorInfo, TensorInput };

export interface Container {
  /**
   * A writer that streams a .tzip file to `sink` one tensor at a time (only the tensor being added is in memory);
   * the index goes at the end. Call `finish()` to write it and close the sink.
   * @example
   * const writer = createWriter(fs.createWriteStream('model.tzip'));
   * for (const [name, tensor] of tensors) await writer.add(name, tensor);
   * await writer.finish();
   */
  createWriter(sink: ByteSink, options?: WriterOptions): ContainerWriter;
  /**
   * A writer of a sharded archive (docs/FORMAT.md, Sharded archives): tensors and entries stream into shards
   * `<name>-00001.tzip`, … of about `shardBytes` each, each to the sink `sinkFor(path)` gives; finish() returns the
   * shard index to write as `<name>.tzip.json` beside them, which open() takes.
   * @example
   * const writer = createShardedWriter((path) => fs.createWriteStream(`out/${path}`), { shardBytes: 1 << 30, name: 'llm' });
   * for (const [name, tensor] of tensors) await writer.add(name, tensor);
   * fs.writeFileSync('out/llm.tzip.json', await writer.finish());
   * const archive = await open('out/llm.tzip.json');
   */
  createShardedWriter(sinkFor: (path: string) => ByteSink | Promise<ByteSink>, options: ShardedWriterOptions): ShardedWriter;
  /**
   * Packs named tensors into one .tzip file (docs/FORMAT.md): each tensor quantized per `options.quantize`
   * (default 'auto'), its chunks sparse-packed or shuffled, then LZ4-compressed, each with a checksum.
   * @example
   * const bytes = await pack({ 'fc.weight': { dtype: 'float32', shape: [256, 784], data: weights },
   *   'fc.bias': { dtype: 'float32', shape: [256], data: bias } }, { rules: [{ match: '*.bias', quantize: 'lossless' }] });
   */
  pack(tensors: Record<string, TensorInput | QuantizedTensorInput>, options?: PackOptions): Promise<Uint8Array>;
  /**
   * Opens a .tzip file — bytes, a Blob, a file path (Node, Deno), a stream, or a URL (read with HTTP Range requests:
   * the first and last 64 KiB side by side, then only the chunks asked for, coalesced; a server that ignores Range
   * sends the whole file once) — checks its prefix, footer and index (every offset, length and checksum) and lists its
   * tensors; `get` decodes one, verifying each chunk's checksum first.
   * @example
   * const archive = await open(bytes);
   * archive.tensors.map((t) => t.name);            // ['fc.weight', 'fc.bias']
   * const { data } = await archive.get('fc.weight'); // Float32Array(200704)
   */
  open(source: unknown, options?: OpenOptions): Promise<Archive>;
  /**
   * What an archive did to a model's tensors, per tensor: stored dtype, encoded bytes, bits per weight, and the
   * error of the decoded values against `original` (max |x − x̂|, RMSE, SQNR in dB, computed in float64), with
   * totals. Names on one side only and shapes that differ are listed in the result, not compared. `original` holds
   * values, as safetensors.read, tfjs.read, onnx.read and gguf.read give them (not `{ quantized }` codes).
   * @example
   * const { tensors } = onnx.read(modelBytes);
   * const report = await compare(tensors, await open(await onnx.pack(modelBytes, { quantize: 'int8' })));
   * report.total.bitsPerWeight;                       // e.g. 8.4
   * report.tensors.filter((t) => t.sqnrDb < 30);      // the tensors that lost the most
   */
  compare(original: Record<string, TensorInput>, archive: Archive, options?: CompareOptions): Promise<Comparison>;
}

/** `resolve` turns what the caller passed into a ByteSource, or an ArrivingFile for a stream (src/io/sources.ts); `loading`, when given, loads the
 *  kernels asynchronously, and open() runs it while the source reads its first bytes (a URL: downloads them). */
export function bindContainer(kernels: () => Kernels, resolve: (source: unknown, options: OpenOptions) => Promise<ByteSource | ArrivingFile>, loading?: () => Promise<unknown> | undefined): Container {
  return {
    pack: async (tensors, options) => pack(kernels(), tensors, options),
    createWriter: (sink, options) => new ContainerWriter(kernels(), sink, options),
    createShardedWriter: (sinkFor, options) => new ShardedWriter(kernels(), sinkFor, options),
    open: async (source, options = {}) => {
      const [byteSource] = await Promise.all([resolve(source, options), loading?.()]);
      return openArchive(kernels(), byteSource, options);
    },
    compare: async (original, archive, options) => compareArchive(kernels(), original, archive, options),
  };
}
