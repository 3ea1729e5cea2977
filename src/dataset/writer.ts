// DatasetWriter: samples in, shards out (docs/FORMAT.md, Datasets). Samples are buffered one group at a time; each
// full group becomes one tensor per field (plus the shapes of variable fields) in a streaming ContainerWriter, so
// memory holds one group, never a shard. A shard is closed once it reaches `shardBytes`.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Kernels } from '../wasm/kernels';
import { ContainerWriter, type ByteSink } from '../format/writer';
import type { EncryptOptions } from '../format/seal-keys';
import type { EncodeRule } from '../format/encode-tensor';
import { checkMode, type QuantizeMode } from '../format/plan';
import { TENSOR_DTYPES, type TensorArray } from '../format/dtypes';
import { checkSchema, DESCRIPTOR_ENTRY, fieldTensorName, LAYOUT_VERSION, serializeDescriptor, shapesTensorName, type DatasetField, type DatasetManifest } from './schema';
import { sampleValue } from './sample-values';

/** A field of the schema, with how to store it. */
export interface DatasetFieldInput extends DatasetField {
  /** For float32 fields: pack()'s quantize mode (default 'lossless': samples are data, not weights). */
  quantize?: QuantizeMode;
}

/** Where a sharded dataset goes: called once per shard with its number (0, 1, …), it gives the shard's path
 *  relative to the manifest and the sink its bytes go to. */
export type ShardTarget = (shard: number) => { path: string; sink: ByteSink } | Promise<{ path: string; sink: ByteSink }>;

export interface DatasetWriterOptions {
  schema: readonly DatasetFieldInput[];
  /** Start a new shard once a shard has this many bytes (only with a ShardTarget; default: one shard). */
  shardBytes?: number;
  /** Samples per group (default: as many as fit `groupBytes` in the widest field of the first sample). */
  groupSamples?: number;
  /** Decoded bytes of the widest field per group when groupSamples is not given (default 1 MiB). */
  groupBytes?: number;
  /** The shard's path in the manifest finish() returns, when writing one sink (default 'data.tzip'). */
  path?: string;
  /** Let Huffman codes and palettes compete with LZ4 (default true), as in pack(). */
  entropy?: boolean;
  /** Store mostly-zero groups as bitmask + values (default true), as in pack(). */
  sparse?: boolean;
  metadata?: Record<string, string>;
  /** Encrypt every shard as pack's `encrypt` does (each shard its own archive id; openDataset takes `decrypt`). A
   *  manifest .json beside shards stays readable: field names, dtypes, shapes and sample counts. */
  encrypt?: EncryptOptions;
}

const DEFAULT_GROUP_BYTES = 1 << 20;
const MAX_GROUP_SAMPLES = 1 << 20;

export class DatasetWriter {
  private readonly fields: DatasetField[];
  private readonly rules: EncodeRule[];
  private readonly buffered: { data: TensorArray; shape: number[] }[][];
  private readonly shards: DatasetManifest['shards'] = [];
  private readonly target: ShardTarget;
  private readonly sharded: boolean;
  private groupSamples: number | null;
  private writer: ContainerWriter | null = null;
  private shardSamples = 0;
  private shardGroups = 0;
  private samples = 0;
  private finished = false;

  constructor(private readonly kernels: Kernels, target: ByteSink | ShardTarget, private readonly options: DatasetWriterOptions) {
    const what = 'createDatasetWriter';
    if (typeof options !== 'object' || options === null) throw new TensorzipError('ARGUMENT', `${what}: expected options with a schema`);
    this.fields = checkSchema(options.schema, `${what} schema`);
    this.rules = options.schema.map((f, i) => ({ match: `fields/${f.name}/*`, quantize: f.quantize === undefined ? 'lossless' : checkMode(f.quantize, `${what} schema[${i}].quantize`) }));
    this.buffered = this.fields.map(() => []);
    const positive = (value: unknown, name: string) => {
      if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 1)) throw new TensorzipError('ARGUMENT', `${what} ${name}: expected an integer ≥ 1, found ${describeValue(value)}`);
    };
    positive(options.shardBytes, 'shardBytes');
    positive(options.groupSamples, 'groupSamples');
    positive(options.groupBytes, 'groupBytes');
    if ((options.groupSamples ?? 0) > MAX_GROUP_SAMPLES) throw new TensorzipError('ARGUMENT', `${what} groupSamples: at most ${MAX_GROUP_SAMPLES}`);
    this.groupSamples = options.groupSamples ?? null;
    this.sharded = typeof target === 'function';
    if (!this.sharded && options.shardBytes !== undefined) throw new TensorzipError('ARGUMENT', `${what}: shardBytes needs a function that gives each shard's path and sink`);
    const path = options.path ?? 'data.tzip';
    this.target = this.sharded ? target as ShardTarget : () => ({ path, sink: target as ByteSink });
  }

  /**
   * Adds one sample: a value for every field of the schema.
   * @example
   * await writer.add({ image: pixels, label: 7 });
   */
  async add(sample: Record<string, unknown>): Promise<void> {
    if (this.finished) throw new TensorzipError('ARGUMENT', 'DatasetWriter.add: the writer is finished');
    if (typeof sample !== 'object' || sample === null) throw new TensorzipError('ARGUMENT', `DatasetWriter.add: expected a sample object, found ${describeValue(sample)}`);
    const what = `DatasetWriter.add (sample ${this.samples})`;
    const values = this.fields.map((f) => sampleValue(f, sample[f.name], `${what} ${f.name}`));
    this.groupSamples ??= this.firstGroupSamples(values);
    values.forEach((v, i) => this.buffered[i].push(v));
    this.samples++;
    if (this.buffered[0].length === this.groupSamples) await this.flushGroup();
  }

  private firstGroupSamples(values: { data: TensorArray }[]): number {
    const widest = Math.max(1, ...values.map((v) => v.data.byteLength));
    return Math.max(1, Math.min(MAX_GROUP_SAMPLES, Math.floor((this.options.groupBytes ?? DEFAULT_GROUP_BYTES) / widest)));
  }

  private async shardWriter(): Promise<ContainerWriter> {
    if (this.writer) return this.writer;
    const { path, sink } = await this.target(this.shards.length);
    if (this.shards.some((s) => s.path === path)) throw new TensorzipError('ARGUMENT', `DatasetWriter: shard path ${describeValue(path)} was given twice`);
    this.shards.push({ path, samples: 0, groupSamples: 0, bytes: 0 });
    // One chunk per group tensor: a group decodes with one chunk per field.
    this.writer = new ContainerWriter(this.kernels, sink, { rules: this.rules, quantize: 'lossless', entropy: this.options.entropy, sparse: this.options.sparse, chunkBytes: Math.max(4096, (this.options.groupBytes ?? DEFAULT_GROUP_BYTES)), encrypt: this.options.encrypt });
    return this.writer;
  }

  private async flushGroup(): Promise<void> {
    const n = this.buffered[0].length;
    if (n === 0) return;
    const writer = await this.shardWriter();
    const group = this.shardGroups;
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f];
      const samples = this.buffered[f];
      const { array } = TENSOR_DTYPES[field.dtype];
      const total = samples.reduce((sum, s) => sum + s.data.length, 0);
      const data = new array(total);
      let at = 0;
      for (const s of samples) {
        data.set(s.data as never, at);
        at += s.data.length;
      }
      const variable = field.shape.includes(null);
      await writer.add(fieldTensorName(field.name, group), { dtype: field.dtype, shape: variable ? [total] : [n, ...field.shape as number[]], data });
      if (variable) {
        const dims = field.shape.flatMap((d, i) => (d === null ? [i] : []));
        const shapes = new Int32Array(n * dims.length);
        samples.forEach((s, i) => dims.forEach((d, k) => (shapes[i * dims.length + k] = s.shape[d])));
        await writer.add(shapesTensorName(field.name, group), { dtype: 'int32', shape: [n, dims.length], data: shapes });
      }
      samples.length = 0;
    }
    this.shardGroups++;
    this.shardSamples += n;
    if (this.sharded && this.options.shardBytes !== undefined && writer.bytesWritten >= this.options.shardBytes) await this.closeShard();
  }

  private async closeShard(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    const descriptor = serializeDescriptor({ samples: this.shardSamples, groupSamples: this.groupSamples ?? 1, fields: this.fields, metadata: this.options.metadata ?? {} });
    await writer.addEntry(DESCRIPTOR_ENTRY, descriptor, { mediaType: 'application/json' });
    await writer.finish();
    const shard = this.shards[this.shards.length - 1];
    shard.samples = this.shardSamples;
    shard.groupSamples = this.groupSamples ?? 1;
    shard.bytes = writer.bytesWritten;
    this.writer = null;
    this.shardSamples = 0;
    this.shardGroups = 0;
  }

  /**
   * Writes the last group and closes the last shard; returns the manifest (write it as JSON beside the shards of a
   * sharded dataset; a dataset of one file needs none).
   * @example
   * const manifest = await writer.finish();
   * await fs.promises.writeFile('train.json', JSON.stringify(manifest));
   */
  async finish(): Promise<DatasetManifest> {
    if (!this.finished) {
      await this.flushGroup();
      this.finished = true;
      if (this.writer === null && this.shards.length === 0) await this.shardWriter(); // an empty dataset is one empty shard
      await this.closeShard();
    }
    return { dataset: LAYOUT_VERSION, samples: this.samples, fields: this.fields.map(({ name, dtype, shape }) => ({ name, dtype, shape })), shards: this.shards.map((s) => ({ ...s })), metadata: { ...(this.options.metadata ?? {}) } };
  }
}
