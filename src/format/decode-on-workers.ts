// An archive's tensors decoded on workers from the file in shared memory: the get()s made together (getAll()'s, a
// Promise.all of get()s: before the next microtask) go to the workers as one batch of (tensor, chunk) items, which
// they share out among themselves (WorkerPool.shareOut), reading each chunk from the file and the tensor's entry from
// a copy of the index they keep per archive; the calling thread then decodes the small tensors itself. Handing over
// chunk by chunk cost the calling thread ~5 ms of CPU per decode of face-api's 50 MB, time taken from the workers on
// 2 cores. The small tensors stay here because, on the workers, their JavaScript runs in V8's first tiers for the
// first decodes: face-api's first five decodes took 25.4 ms (median) that way, 20.5 ms this way.
import { xxh32 } from '../codecs/checksum';
import { product } from '../codecs/shape';
import { TensorzipError } from '../errors';
import type { SharedWorkerTask, WorkerPool } from '../parallel';
import { isSharedMemory, sharedArray } from '../parallel/shared';
import type { TensorEntry } from './index-document';
import { paramsWhat, TensorChunks } from './tensor-chunks';

export const DECODE_TENSORS_TASK = 'decodeTensors';

/** Tensors that decode to fewer bytes decode on the calling thread: handing one over costs more than decoding it (a
 *  model's many biases and norms). */
export const WORKER_TENSOR_BYTES = 65536;
/** Archives whose entries a worker keeps parsed. */
const ARCHIVES_KEPT = 8;

interface DecodeTensorsInput {
  /** Which archive: a worker parses `entries` the first time it meets it. */
  archive: number;
  /** The archive's tensor entries (UTF-8 JSON), in shared memory. */
  entries: Uint8Array;
  /** The whole file, in shared memory. */
  file: Uint8Array;
  verify: boolean;
  /** Per tensor of the batch: its index in the entries, its output's buffer (an index in `outputs`) and byte offset. */
  tensors: Int32Array;
  outputs: SharedArrayBuffer[];
  /** Per item: a tensor (its position in `tensors`), then one of its chunks. */
  items: Int32Array;
}

let nextArchive = 0;

interface Waiting {
  entry: TensorEntry;
  out: Uint8Array;
  resolve(): void;
  reject(err: unknown): void;
}

export class TensorsOnWorkers {
  private readonly archive = nextArchive++;
  private readonly indexOf: Map<TensorEntry, number>;
  private waiting: Waiting[] = [];
  private entries: Uint8Array | null = null;

  /**
   * `file` gives the file in shared memory; `here` decodes a tensor on the calling thread (a small one, or one the
   * workers did not decode: it then raises the error to throw, located as every decode's).
   */
  constructor(private readonly pool: WorkerPool, private readonly tensors: readonly TensorEntry[], private readonly file: () => Uint8Array,
    private readonly verify: boolean, private readonly here: (entry: TensorEntry, out: Uint8Array) => void) {
    this.indexOf = new Map(tensors.map((t, i) => [t, i]));
  }

  /**
   * Decodes `entry` into `out` (its output's bytes) with the others asked for before the next microtask, which hands
   * those of WORKER_TENSOR_BYTES and more in shared memory to the workers (a turn of the event loop later would leave
   * them idle meanwhile), then decodes the rest here.
   */
  decode(entry: TensorEntry, out: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ entry, out, resolve, reject }) === 1) queueMicrotask(() => this.handOut());
    });
  }

  private handOut(): void {
    const batch = this.waiting;
    this.waiting = [];
    const toWorkers = (out: Uint8Array) => out.length >= WORKER_TENSOR_BYTES && isSharedMemory(out);
    const large = batch.filter(({ out }) => toWorkers(out));
    let shared = large.length > 0;
    try {
      if (shared) this.share(large);
    } catch {
      // No batch (the file's shared copy could not be made, e.g. out of memory): this microtask has no caller to
      // throw to, so these decode here, as the calling thread would without workers.
      shared = false;
    }
    for (const tensor of batch) if (!shared || !toWorkers(tensor.out)) this.decodeHere(tensor);
  }

  private share(batch: Waiting[]): void {
    const outputs: SharedArrayBuffer[] = [];
    const outputOf = new Map<SharedArrayBuffer, number>();
    const tensors = new Int32Array(3 * batch.length);
    const chunks: { t: number; k: number; bytes: number }[] = [];
    batch.forEach(({ entry, out }, t) => {
      const buffer = out.buffer as SharedArrayBuffer;
      let output = outputOf.get(buffer);
      if (output === undefined) outputOf.set(buffer, (output = outputs.push(buffer) - 1));
      tensors.set([this.indexOf.get(entry)!, output, out.byteOffset], 3 * t);
      const chunkBytes = out.length / entry.chunks.length;
      for (let k = 0; k < entry.chunks.length; k++) chunks.push({ t, k, bytes: chunkBytes });
    });
    // The largest first: the last items the workers take are small ones, so that they end together.
    chunks.sort((a, b) => b.bytes - a.bytes);
    const items = new Int32Array(2 * chunks.length);
    chunks.forEach(({ t, k }, i) => items.set([t, k], 2 * i));
    const input: DecodeTensorsInput = { archive: this.archive, entries: this.entriesJson(), file: this.file(), verify: this.verify, tensors, outputs, items };
    this.pool.shareOut(DECODE_TENSORS_TASK, input, chunks.length, outputs).then((outcomes) => {
      // Each tensor's first chunk that was not done, if any.
      const left = new Map<number, Error | 'undone'>();
      chunks.forEach(({ t }, i) => outcomes[i] !== 'done' && !left.has(t) && left.set(t, outcomes[i] as Error | 'undone'));
      batch.forEach((tensor, t) => {
        const outcome = left.get(t);
        if (outcome === undefined) tensor.resolve();
        else if (outcome instanceof TensorzipError && outcome.code === 'ABORTED') tensor.reject(outcome);
        else this.decodeHere(tensor);
      });
    }, (err) => {
      for (const tensor of batch) tensor.reject(err);
    });
  }

  private decodeHere({ entry, out, resolve, reject }: Waiting): void {
    try {
      this.here(entry, out);
      resolve();
    } catch (err) {
      reject(err);
    }
  }

  /** The entries the workers read, made once per archive. */
  private entriesJson(): Uint8Array {
    if (this.entries === null) {
      const json = new TextEncoder().encode(JSON.stringify(this.tensors.map(({ name, dtype, shape, stored, pipeline, chunkElements, chunks }) =>
        ({ name, dtype, shape, stored, pipeline, chunkElements, chunks }))));
      this.entries = sharedArray(Uint8Array, json.length);
      this.entries.set(json);
    }
    return this.entries;
  }
}

/** The archives' entries a worker has parsed, the latest last. */
const knownArchives = new Map<number, TensorEntry[]>();

function entriesOf(archive: number, json: Uint8Array): TensorEntry[] {
  let entries = knownArchives.get(archive);
  if (entries === undefined) {
    // A copy: TextDecoder refuses views of shared memory in browsers.
    entries = JSON.parse(new TextDecoder().decode(json.slice())) as TensorEntry[];
    knownArchives.set(archive, entries);
    if (knownArchives.size > ARCHIVES_KEPT) knownArchives.delete(knownArchives.keys().next().value!);
  }
  return entries;
}

/** The worker's side: item i decodes one chunk of one tensor into the tensor's output, as the calling thread would. */
export const decodeTensorsTask: SharedWorkerTask = (kernels, input) => {
  const { archive, entries: json, file, verify, tensors, outputs, items } = input as DecodeTensorsInput;
  const entries = entriesOf(archive, json);
  const prepared = new Map<number, TensorChunks>();
  const prepare = (t: number): TensorChunks => {
    const entry = entries[tensors[3 * t]!]!;
    const count = product(entry.shape);
    const out = new Uint8Array(outputs[tensors[3 * t + 1]!]!, tensors[3 * t + 2]!);
    const range = entry.stored.params;
    const params = range && file.subarray(range.offset, range.offset + range.length);
    if (range && params && verify && xxh32(kernels, params) !== range.checksum) throw new TensorzipError('CHECKSUM', `open: ${paramsWhat(entry)} does not match its checksum`);
    return new TensorChunks(kernels, entry, count, out, params, null, false);
  };
  return (i) => {
    const t = items[2 * i]!;
    const k = items[2 * i + 1]!;
    let tensor = prepared.get(t);
    if (tensor === undefined) prepared.set(t, (tensor = prepare(t)));
    const range = tensor.entry.chunks[k]!;
    tensor.decode(k, file.subarray(range.offset, range.offset + range.length), verify ? range.checksum : undefined);
  };
};
