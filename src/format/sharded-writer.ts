// ShardedWriter: a large archive written as shards of about `shardBytes` each and a shard index (docs/FORMAT.md,
// Sharded archives), streaming as ContainerWriter does: one tensor in memory at a time, each shard to its own sink.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Kernels } from '../wasm/kernels';
import { ContainerWriter, type ByteSink, type WriterOptions } from './writer';
import type { QuantizedTensorInput, TensorInput } from './encode-tensor';
import { checkModel } from './encode-entry';
import { serializeShardIndex, type ShardIndex } from './shard-index';

export interface ShardedWriterOptions extends WriterOptions {
  /** Start a new shard once one has this many bytes (a shard passes it by at most one tensor). */
  shardBytes: number;
  /** Shards are named `<name>-00001.tzip`, … (default 'model'). */
  name?: string;
}

export class ShardedWriter {
  private readonly shards: ShardIndex['shards'] = [];
  private readonly tensorNames = new Set<string>();
  private readonly entryNames = new Set<string>();
  private writer: ContainerWriter | null = null;
  private finished = false;
  private readonly shardBytes: number;
  private readonly name: string;

  constructor(private readonly kernels: Kernels, private readonly sinkFor: (path: string) => ByteSink | Promise<ByteSink>, private readonly options: ShardedWriterOptions) {
    const what = 'createShardedWriter';
    if (typeof sinkFor !== 'function') throw new TensorzipError('ARGUMENT', `${what}: expected a function that gives each shard's sink by its path`);
    if (!Number.isSafeInteger(options?.shardBytes) || options.shardBytes < 1) throw new TensorzipError('ARGUMENT', `${what} shardBytes: expected an integer ≥ 1, found ${describeValue(options?.shardBytes)}`);
    checkModel(options.model, what);
    this.shardBytes = options.shardBytes;
    this.name = options.name ?? 'model';
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(this.name)) throw new TensorzipError('ARGUMENT', `${what} name: expected 1–200 characters from A–Z a–z 0–9 _ . -, found ${describeValue(options.name)}`);
  }

  private async current(): Promise<ContainerWriter> {
    if (this.writer) return this.writer;
    const path = `${this.name}-${String(this.shards.length + 1).padStart(5, '0')}.tzip`;
    const { model: _model, metadata: _metadata, shardBytes: _bytes, name: _name, ...options } = this.options;
    this.writer = new ContainerWriter(this.kernels, await this.sinkFor(path), options);
    this.shards.push({ path, bytes: 0 });
    return this.writer;
  }

  private async closeShard(): Promise<void> {
    if (!this.writer) return;
    await this.writer.finish();
    this.shards[this.shards.length - 1].bytes = this.writer.bytesWritten;
    this.writer = null;
  }

  /**
   * Encodes one tensor into the current shard, and closes the shard once it has shardBytes.
   * @example
   * for (const [name, tensor] of Object.entries(tensors)) await writer.add(name, tensor);
   */
  async add(name: string, tensor: TensorInput | QuantizedTensorInput): Promise<void> {
    if (this.finished) throw new TensorzipError('ARGUMENT', 'ShardedWriter.add: the writer is finished');
    if (this.tensorNames.has(name)) throw new TensorzipError('ARGUMENT', `ShardedWriter.add: a tensor named ${describeValue(name)} was already added`);
    const writer = await this.current();
    await writer.add(name, tensor);
    this.tensorNames.add(name);
    if (writer.bytesWritten >= this.shardBytes) await this.closeShard();
  }

  /** Encodes one of the model's other files into the current shard. */
  async addEntry(name: string, data: Uint8Array, options: { mediaType?: string } = {}): Promise<void> {
    if (this.finished) throw new TensorzipError('ARGUMENT', 'ShardedWriter.addEntry: the writer is finished');
    if (this.entryNames.has(name)) throw new TensorzipError('ARGUMENT', `ShardedWriter.addEntry: an entry named ${describeValue(name)} was already added`);
    await (await this.current()).addEntry(name, data, options);
    this.entryNames.add(name);
  }

  /** Closes the last shard and returns the shard index, to write as `<name>.tzip.json` beside the shards. */
  async finish(): Promise<Uint8Array> {
    const model = checkModel(this.options.model, 'ShardedWriter.finish');
    if (model !== null && !this.entryNames.has(model.entry)) throw new TensorzipError('ARGUMENT', `ShardedWriter.finish model: its entry ${describeValue(model.entry)} is not one of the entries`);
    if (!this.finished) {
      if (this.shards.length === 0) await this.current(); // an empty archive is one empty shard
      await this.closeShard();
      this.finished = true;
    }
    return serializeShardIndex({ shards: this.shards.map((s) => ({ ...s })), model, metadata: { ...(this.options.metadata ?? {}) } });
  }
}
