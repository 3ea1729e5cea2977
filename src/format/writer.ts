// ContainerWriter: a .tzip file written front to back to a stream, one tensor at a time, so only the tensor being
// added is in memory. It cannot go back to the prefix, so the index goes last and the footer points to it (the
// "index last" layout of docs/FORMAT.md; the prefix's index fields are 0). It writes every chunk on its own, without
// pack()'s shared ranges: telling equal chunks apart by their bytes would keep every chunk written so far in memory.
import { TensorzipError } from '../errors';
import { xxh32 } from '../codecs/checksum';
import type { Kernels } from '../wasm/kernels';
import { tensorEncoder, type EncodeOptions, type QuantizedTensorInput, type TensorInput } from './encode-tensor';
import { ALIGNMENT, alignUp, FLAG_COMPRESSED_INDEX, FLAG_PACKED_CHUNKS, FLAG_SEALED, FOOTER_BYTES, MINOR_VERSION, MINOR_VERSION_1_3, MINOR_VERSION_1_4, PARAMS_ALIGNMENT, PREFIX_BYTES, writeFooter, writePrefix } from './framing';
import { indexBinding, newSealing, type Sealing } from './seal-header';
import { SEAL_TAG_BYTES } from './seal';
import type { EncryptOptions } from './seal-keys';
import { compressIndex } from './index-compression';
import { serializeIndex, type FileEntry, type ModelRef, type TensorEntry } from './index-document';
import { checkModel, checkModelEntry, entryEncoder } from './encode-entry';

/** Where the bytes go: a WritableStream, or anything with write() (a Node fs.WriteStream or FileHandle). */
export type ByteSink = WritableStream<Uint8Array> | { write(bytes: Uint8Array): unknown; close?(): unknown; end?(done: () => void): unknown };

/** What the writer uses of a Node Writable: write() says false when its buffer is full, 'drain' when it has room. */
interface NodeWritable {
  write(bytes: Uint8Array): boolean;
  end(done: () => void): unknown;
  once(event: string, listener: (err?: unknown) => void): unknown;
  on(event: string, listener: (err: unknown) => void): unknown;
  off(event: string, listener: (err?: unknown) => void): unknown;
}

const isNodeWritable = (sink: unknown): sink is NodeWritable =>
  ['write', 'end', 'once', 'on', 'off'].every((m) => typeof (sink as Record<string, unknown>)[m] === 'function');

/** Waits for `event` on a Node stream, or rejects on its 'error'. */
function whenEmitted(stream: NodeWritable, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => (stream.off('error', failed), resolve());
    const failed = (err?: unknown) => (stream.off(event, done), reject(err));
    stream.once(event, done);
    stream.once('error', failed);
  });
}

export interface WriterOptions extends EncodeOptions {
  /** User metadata, string to string. */
  metadata?: Record<string, string>;
  /** The model the file holds (format 1.2): its kind and the entry that describes it, added with addEntry() before
   *  finish() (ARGUMENT otherwise). */
  model?: ModelRef;
  /** Compress the index and pack chunks without alignment gaps (default true; format 1.3, flag bits 0 and 1). The
   *  flags are written first, so the index is compressed even when that does not shrink it (a few bytes at most).
   *  false writes a file that 1.2 and 1.1 readers read.
   *  @example
   *  const writer = new ContainerWriter(stream, { compact: false }); // readable by tensorzip 1.2 readers */
  compact?: boolean;
  /** Encrypt the file as pack's `encrypt` does (format 1.4): each chunk is sealed as it is written.
   *  @example
   *  const writer = createWriter(fs.createWriteStream('model.tzip'), { encrypt: { passphrase } }); */
  encrypt?: EncryptOptions;
}

export class ContainerWriter {
  private readonly encode: ReturnType<typeof tensorEncoder>;
  private readonly encodeEntry: ReturnType<typeof entryEncoder>;
  private readonly model: ModelRef | null;
  private readonly write: (bytes: Uint8Array) => Promise<void>;
  private readonly finishSink: () => Promise<void>;
  private readonly tensors: TensorEntry[] = [];
  private readonly names = new Set<string>();
  private readonly files: FileEntry[] = [];
  private readonly fileNames = new Set<string>();
  private readonly compact: boolean;
  private position = 0;
  private sealing: Sealing | null = null;
  private started = false;
  private finished = false;

  constructor(private readonly kernels: Kernels, sink: ByteSink, private readonly options: WriterOptions = {}) {
    this.encode = tensorEncoder(kernels, options, 'ContainerWriter');
    this.encodeEntry = entryEncoder(kernels, options, 'ContainerWriter.addEntry');
    this.model = checkModel(options.model, 'ContainerWriter');
    this.compact = options.compact !== false;
    if (typeof WritableStream !== 'undefined' && sink instanceof WritableStream) {
      const writer = sink.getWriter();
      this.write = (bytes) => writer.write(bytes);
      this.finishSink = () => writer.close();
    } else if (isNodeWritable(sink)) {
      // Backpressure: past the stream's high-water mark, wait for 'drain', so a slow disk or socket never has the
      // whole file queued in memory. The stream's 'error' rejects the pending or next add() or finish().
      let failure: { error: unknown } | null = null;
      sink.on('error', (error) => (failure ??= { error }));
      const check = () => {
        if (failure) throw failure.error;
      };
      this.write = async (bytes) => {
        check();
        if (!sink.write(bytes)) await whenEmitted(sink, 'drain');
      };
      this.finishSink = async () => {
        check();
        const finished = whenEmitted(sink, 'finish');
        sink.end(() => {});
        await finished;
      };
    } else if (sink !== null && typeof sink === 'object' && typeof (sink as { write?: unknown }).write === 'function') {
      // A FileHandle (write() and close() return promises) or any object with write(), and end(done) or close().
      const target = sink as { write(bytes: Uint8Array): unknown; close?(): unknown; end?(done: () => void): unknown };
      this.write = async (bytes) => void (await target.write(bytes));
      this.finishSink = async () => {
        if (typeof target.end === 'function') await new Promise<void>((done) => target.end!(done));
        else await target.close?.();
      };
    } else {
      throw new TensorzipError('ARGUMENT', 'ContainerWriter: expected a WritableStream or an object with write()');
    }
  }

  /** Bytes written to the sink so far (the whole file once finish() has returned). */
  get bytesWritten(): number {
    return this.position;
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    await this.write(bytes);
    this.position += bytes.length;
  }

  private async pad(alignment = ALIGNMENT): Promise<void> {
    const gap = alignUp(this.position, alignment) - this.position;
    if (gap > 0) await this.emit(new Uint8Array(gap));
  }

  private get flags(): number {
    return (this.compact ? FLAG_COMPRESSED_INDEX | FLAG_PACKED_CHUNKS : 0) | (this.options.encrypt === undefined ? 0 : FLAG_SEALED);
  }

  private async start(): Promise<void> {
    if (this.started) return;
    const hash = (b: Uint8Array) => xxh32(this.kernels, b);
    if (this.options.encrypt !== undefined) this.sealing = await newSealing(this.options.encrypt, hash, 'ContainerWriter encrypt');
    this.started = true;
    const prefix = new Uint8Array(PREFIX_BYTES);
    // The prefix goes out before any pipeline is chosen: 1.6 whenever entropy stages may be (rans_lanes and predict
    // among them; a reader of any 1.x opens the file and refuses only the stages it lacks), else 1.4 when encrypted,
    // else 1.3.
    const minor = this.options.entropy !== false ? MINOR_VERSION : this.sealing ? MINOR_VERSION_1_4 : MINOR_VERSION_1_3;
    writePrefix(prefix, null, this.flags, minor, hash);
    await this.emit(prefix);
    if (this.sealing) await this.emit(this.sealing.header);
  }

  /**
   * Encodes one tensor and writes its parameters and chunks.
   * @example
   * await writer.add('fc.weight', { dtype: 'float32', shape: [256, 784], data: weights });
   */
  async add(name: string, tensor: TensorInput | QuantizedTensorInput): Promise<void> {
    if (this.finished) throw new TensorzipError('ARGUMENT', 'ContainerWriter.add: the writer is finished');
    if (this.names.has(name)) throw new TensorzipError('ARGUMENT', `ContainerWriter.add: a tensor named "${name}" was already added`);
    const encoded = this.encode(name, tensor);
    this.names.add(name);
    await this.start();
    if (encoded.params) encoded.entry.stored.params = await this.place(encoded.params, this.compact ? 1 : PARAMS_ALIGNMENT);
    for (const chunk of encoded.chunks) encoded.entry.chunks.push(await this.place(chunk, this.chunkAlignment()));
    this.tensors.push(encoded.entry);
  }

  /**
   * Encodes one of the model's other files (format 1.2) and writes its chunks. Entries and tensors are separate name
   * spaces; `name` is a relative path (`model.json`, `tokenizer/vocab.txt`).
   * @example
   * await writer.addEntry('model.json', new TextEncoder().encode(JSON.stringify(modelJson)), { mediaType: 'application/json' });
   */
  async addEntry(name: string, data: Uint8Array, options: { mediaType?: string } = {}): Promise<void> {
    if (this.finished) throw new TensorzipError('ARGUMENT', 'ContainerWriter.addEntry: the writer is finished');
    if (this.fileNames.has(name)) throw new TensorzipError('ARGUMENT', `ContainerWriter.addEntry: an entry named "${name}" was already added`);
    const { entry, chunks } = this.encodeEntry(name, { data, mediaType: options.mediaType });
    this.fileNames.add(name);
    await this.start();
    for (const chunk of chunks) entry.chunks.push(await this.place(chunk, this.chunkAlignment()));
    this.files.push(entry);
  }

  private chunkAlignment(): number {
    return this.compact ? 1 : ALIGNMENT;
  }

  /** Writes a chunk or parameter block (sealed, in an encrypted file: its checksum stays the plaintext's). */
  private async place(bytes: Uint8Array, alignment: number) {
    await this.pad(alignment);
    const range = { offset: this.position, length: bytes.length + (this.sealing ? SEAL_TAG_BYTES : 0), checksum: xxh32(this.kernels, bytes) };
    await this.emit(this.sealing ? await this.sealing.sealer.seal(this.position, bytes) : bytes);
    return range;
  }

  /** Writes the index and the footer, and closes the sink. */
  async finish(): Promise<void> {
    if (this.finished) return;
    checkModelEntry(this.model, this.fileNames, 'ContainerWriter.finish');
    await this.start();
    this.finished = true;
    const json = serializeIndex({ tensors: this.tensors, entries: this.files, model: this.model, metadata: { ...(this.options.metadata ?? {}) } });
    const plainIndex = this.compact ? compressIndex(this.kernels, json) : json;
    await this.pad(this.chunkAlignment());
    const index = this.sealing ? await this.sealing.sealer.sealIndex(this.position, plainIndex, indexBinding(this.flags, this.sealing.header), this.sealing.publicIndex) : plainIndex;
    const location = { offset: this.position, length: index.length, checksum: xxh32(this.kernels, index) };
    await this.emit(index);
    const footer = new Uint8Array(FOOTER_BYTES);
    writeFooter(footer, location, (b) => xxh32(this.kernels, b));
    await this.emit(footer);
    await this.finishSink();
  }
}
