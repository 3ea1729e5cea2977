// A pool of workers that decode chunks. Each worker is handed up to DEPTH chunks ahead, so that it has work while the
// calling thread is busy (decoding small tensors itself, say) and cannot answer at once; the rest wait in a queue, so
// at most DEPTH copies of encoded chunks per worker exist besides the caller's bytes. Decoded bytes come back
// transferred (or are written straight into the caller's array when it lives in a SharedArrayBuffer). The buffers that
// carry chunks there and back return with each reply and are reused: a new buffer per chunk costs first-touch page
// faults that took longer than decoding the chunk (measured: ~10 MB of faults per 50 MB model decode, half the pool's
// time). A worker that dies is replaced and its chunks retried once; terminate() stops every worker.
import { TensorzipError } from '../errors';
import { DECODE_CHUNKS_TASK, type BatchMessage, type ChunkJob, type DecodeMessage, type ItemOutcome, type ReplyError, type TaskInputs, type TaskMessage, type WorkerReply } from './protocol';
import { isSharedMemory } from './shared';
import { SharedBatches } from './shared-batches';
import { workerStarter, type StartWorker, type WorkerHandle } from './spawn';

interface Task {
  id: number;
  /** The message for the worker, built when the task is handed out (its copies then exist only while it runs). */
  message(id: number): { message: DecodeMessage | BatchMessage | TaskMessage; transfer: ArrayBuffer[] };
  /** Takes a successful reply; returns the buffers in it to keep for reuse. */
  settle(reply: WorkerReply): ArrayBuffer[];
  reject(err: unknown): void;
  /** Workers that died on it so far. */
  deaths: number;
}

interface Slot {
  handle: WorkerHandle;
  /** Handed to the worker, oldest first (a worker answers in order). */
  tasks: Task[];
}

/** Chunks handed to one worker ahead: ~2 ms of work for 1 MiB chunks, longer than the caller's usual busy spells. */
const DEPTH = 4;
/** Buffers kept per worker for reuse: a chunk's bytes and a scratch output for each chunk handed ahead. */
const SPARE_PER_WORKER = 2 * DEPTH;
/** Sizes of new buffers are multiples of this. */
const SPARE_ROUNDING = 64 << 10;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  /** Buffers back from workers, for the next chunks' bytes (at most SPARE_PER_WORKER per worker are kept). */
  private readonly spare: ArrayBuffer[] = [];
  private nextId = 0;
  private terminated = false;
  /** Shared buffers whose bytes the workers were told of (shareOut): the same outputs decoded into again add none. */
  private readonly sent = new WeakSet<ArrayBufferLike>();
  private readonly batches = new SharedBatches({
    shareOut: (chunks, buffers) => this.shareOut(DECODE_CHUNKS_TASK, chunks, chunks.length, buffers),
    retry: (job) => this.decodeAlone(job, 1),
  });

  private constructor(readonly size: number, private readonly module: WebAssembly.Module, private readonly start: StartWorker) {
    for (let i = 0; i < size; i++) this.slots.push(this.startSlot());
  }

  /**
   * Starts `size` workers, each instantiating `module` (the kernel build the main thread uses).
   * @example
   * const pool = await WorkerPool.create(2, await compiledModule(true));
   * await pool.decode({ encoded, stages, target: null, out });
   * pool.terminate();
   */
  /** Chunks that decode into `out` worth handing out at once: those the workers take at once (more would only queue
   *  here), or any number for shared memory (batches bound their staged bytes themselves). */
  capacityFor(out: Uint8Array): number {
    return isSharedMemory(out) ? Infinity : DEPTH * this.size;
  }

  static async create(size: number, module: WebAssembly.Module, start?: StartWorker): Promise<WorkerPool> {
    return new WorkerPool(size, module, start ?? (await workerStarter()));
  }

  /**
   * Decodes one chunk into `job.out`; rejects with the worker's TensorzipError. A chunk that decodes into shared memory
   * goes in a batch with the others of this turn of the event loop; any other, on the next free worker.
   */
  decode(job: ChunkJob): Promise<void> {
    if (!isSharedMemory(job.out)) return this.decodeAlone(job, 0);
    if (this.terminated) return Promise.reject(closed());
    return new Promise((resolve, reject) => this.batches.add({ job, resolve, reject }));
  }

  /**
   * A promise that resolves once the chunks that decode into shared memory, asked for in this turn of the event loop,
   * have gone to the workers. A caller about to decode chunks itself waits for it first, so the workers are not idle
   * meanwhile.
   */
  handedOut(): Promise<void> {
    return this.batches.handedOut();
  }

  /** Decodes one chunk on the next free worker, a chunk on which `deaths` workers died already. */
  private decodeAlone(job: ChunkJob, deaths: number): Promise<void> {
    return this.enqueue((resolve) => ({
      message: (id) => {
        // A copy of the chunk's own bytes (a view would carry its whole buffer along; a Node Buffer's slice() is a
        // view), handed over without another.
        const encoded = new Uint8Array(this.takeSpare(job.encoded.length), 0, job.encoded.length);
        encoded.set(job.encoded);
        const transfer = [encoded.buffer];
        const message: DecodeMessage = { type: 'decode', id, encoded, stages: job.stages, target: job.target, outBytes: job.out.length, checksum: job.checksum };
        if (isSharedMemory(job.out)) message.shared = job.out;
        else transfer.push((message.scratch = this.takeSpare(job.out.length)));
        return { message, transfer };
      },
      settle: (reply) => {
        const out = 'out' in reply ? reply.out : undefined;
        if (out) job.out.set(out);
        resolve(undefined);
        return out ? [out.buffer as ArrayBuffer] : [];
      },
    }), deaths);
  }

  /**
   * Shares `count` items of the batch task `task` (protocol.ts, BatchMessage) out between every worker at once, past
   * the queue; resolves with what became of each item: 'done', the worker's error, or 'undone' (a worker died on it,
   * and the caller does it again as it sees fit). Items a terminated pool left undone are ABORTED errors.
   * `buffers`: the shared buffers `input` refers to that the caller may drop (its outputs); the workers are told of the
   * bytes of those not sent before (protocol.ts, BatchMessage.sharedBytes).
   * @example
   * const outcomes = await pool.shareOut(DECODE_CHUNKS_TASK, chunks, chunks.length, [output.buffer]);
   */
  shareOut(task: string, input: unknown, count: number, buffers: Iterable<ArrayBufferLike>): Promise<ItemOutcome[]> {
    if (this.terminated) return Promise.reject(closed());
    let sharedBytes = 0;
    for (const buffer of new Set(buffers)) {
      if (this.sent.has(buffer)) continue;
      this.sent.add(buffer);
      sharedBytes += buffer.byteLength;
    }
    const control = new Int32Array(new SharedArrayBuffer(4 * (1 + count)));
    const failed = new Map<number, Error>();
    return new Promise((resolve) => {
      let partsLeft = this.slots.length;
      const partDone = (failures: { index: number; error: ReplyError }[]) => {
        for (const { index, error } of failures) failed.set(index, toError(error));
        if (--partsLeft > 0) return;
        resolve(Array.from({ length: count }, (_, i) => failed.get(i) ?? (Atomics.load(control, 1 + i) === 1 ? 'done' : this.terminated ? closed() : 'undone')));
      };
      for (const slot of this.slots) {
        const part: Task = {
          id: this.nextId++,
          message: (id) => ({ message: { type: 'batch', id, control, task, input, sharedBytes }, transfer: [] }),
          settle: (reply) => {
            partDone('failures' in reply ? reply.failures : []);
            return [];
          },
          reject: () => partDone([]),
          deaths: 0,
        };
        slot.tasks.push(part);
        slot.handle.hold(true);
        slot.handle.post(part.message(part.id).message, []);
      }
    });
  }

  /**
   * Runs `task`, a handler the worker's entry registered (src/worker.ts), on the next free worker. `input` is called
   * when the task is handed out, with buffers of the pool's to copy large inputs into (they come back for reuse); it
   * returns what the handler takes and the buffers it used.
   * @example
   * const encoded = await pool.run('encodeTensor', (buffer) => ({ input: { name, tensor, options }, buffers: [] }));
   */
  run<T>(task: string, input: (buffer: (bytes: number) => ArrayBuffer) => TaskInputs): Promise<T> {
    return this.enqueue<T>((resolve) => ({
      message: (id) => {
        const built = input((bytes) => this.takeSpare(bytes));
        return { message: { type: 'task', id, task, input: built.input, buffers: built.buffers }, transfer: built.buffers };
      },
      settle: (reply) => {
        resolve((reply as { result: T }).result);
        return [];
      },
    }));
  }

  private enqueue<T>(task: (resolve: (value: T) => void) => Pick<Task, 'message' | 'settle'>, deaths = 0): Promise<T> {
    if (this.terminated) return Promise.reject(closed());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, ...task(resolve), reject, deaths });
      this.dispatch();
    });
  }

  /** Stops every worker; chunks not yet decoded reject with ABORTED. Idempotent. */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    for (const slot of this.slots) {
      slot.handle.terminate();
      for (const task of slot.tasks.splice(0)) task.reject(closed());
    }
    for (const task of this.queue.splice(0)) task.reject(closed());
    this.batches.abort(closed());
  }

  private startSlot(): Slot {
    const slot: Slot = { handle: undefined!, tasks: [] };
    slot.handle = this.start({
      message: (reply) => this.finished(slot, reply),
      died: (reason) => this.died(slot, reason),
    });
    slot.handle.post({ type: 'init', module: this.module }, []);
    return slot;
  }

  private dispatch(): void {
    for (;;) {
      // The least busy worker that can take one more.
      const slot = this.slots.reduce<Slot | null>((best, s) => (s.tasks.length < DEPTH && (best === null || s.tasks.length < best.tasks.length) ? s : best), null);
      if (slot === null) return;
      const task = this.queue.shift();
      if (task === undefined) return;
      let built;
      try {
        built = task.message(task.id);
      } catch (err) {
        task.reject(err);
        continue;
      }
      slot.tasks.push(task);
      slot.handle.hold(true);
      slot.handle.post(built.message, built.transfer);
    }
  }

  /** The smallest spare buffer of at least `bytes`, or a new one (rounded up, so that it fits more chunks later). */
  private takeSpare(bytes: number): ArrayBuffer {
    let best = -1;
    this.spare.forEach((buffer, i) => {
      if (buffer.byteLength >= bytes && (best < 0 || buffer.byteLength < this.spare[best]!.byteLength)) best = i;
    });
    return best >= 0 ? this.spare.splice(best, 1)[0]! : new ArrayBuffer(Math.ceil(bytes / SPARE_ROUNDING) * SPARE_ROUNDING || SPARE_ROUNDING);
  }

  /** Keeps the largest buffers back from workers, SPARE_PER_WORKER per worker. */
  private keepSpare(buffers: ArrayBuffer[]): void {
    this.spare.push(...buffers);
    this.spare.sort((a, b) => b.byteLength - a.byteLength).splice(SPARE_PER_WORKER * this.size);
  }

  private finished(slot: Slot, reply: WorkerReply): void {
    const task = slot.tasks[0];
    if (task === undefined || task.id !== reply.id) return;
    slot.tasks.shift();
    if (slot.tasks.length === 0) slot.handle.hold(false);
    if ('error' in reply) {
      task.reject(toError(reply.error));
      this.keepSpare(reply.returned);
    } else {
      this.keepSpare([...reply.returned, ...task.settle(reply)]);
    }
    this.dispatch();
  }

  private died(slot: Slot, reason: unknown): void {
    if (this.terminated) return;
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.handle.terminate();
    this.slots[index] = this.startSlot();
    const retried: Task[] = [];
    for (const task of slot.tasks) {
      task.deaths++;
      if (task.deaths > 1) {
        task.reject(new TensorzipError('LIMIT', `workers: two workers stopped while decoding this chunk (the runtime's memory or thread limits?): ${String(reason)}`, { cause: reason }));
      } else {
        retried.push(task);
      }
    }
    this.queue.unshift(...retried);
    this.dispatch();
  }
}

const toError = ({ code, message, offset }: ReplyError): Error => (code === null ? new Error(message) : new TensorzipError(code, message, { offset }));

const closed = () => new TensorzipError('ABORTED', 'workers: the pool was terminated before the chunk was decoded');
