// A pool of workers that decode chunks. Chunks wait in a queue and go to a worker only when it is free, so at most
// one copy of an encoded chunk per worker exists besides the caller's bytes. Decoded bytes come back transferred (or
// are written straight into the caller's array when it lives in a SharedArrayBuffer). A worker that dies is replaced
// and its chunk retried once; terminate() stops every worker.
import { TensorzipError } from '../errors';
import type { ChunkJob, DecodeMessage, WorkerReply } from './protocol';
import { workerStarter, type StartWorker, type WorkerHandle } from './spawn';

interface Task {
  id: number;
  job: ChunkJob;
  resolve(): void;
  reject(err: unknown): void;
  /** Workers that died on it so far. */
  deaths: number;
}

interface Slot {
  handle: WorkerHandle;
  task: Task | null;
}

const isShared = (bytes: Uint8Array) => typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private terminated = false;

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
  static async create(size: number, module: WebAssembly.Module, start?: StartWorker): Promise<WorkerPool> {
    return new WorkerPool(size, module, start ?? (await workerStarter()));
  }

  /** Decodes one chunk into `job.out` on the next free worker; rejects with the worker's TensorzipError. */
  decode(job: ChunkJob): Promise<void> {
    if (this.terminated) return Promise.reject(closed());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject, deaths: 0 });
      this.dispatch();
    });
  }

  /** Stops every worker; chunks not yet decoded reject with ABORTED. Idempotent. */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    for (const slot of this.slots) {
      slot.handle.terminate();
      slot.task?.reject(closed());
      slot.task = null;
    }
    for (const task of this.queue.splice(0)) task.reject(closed());
  }

  private startSlot(): Slot {
    const slot: Slot = { handle: undefined!, task: null };
    slot.handle = this.start({
      message: (reply) => this.finished(slot, reply),
      died: (reason) => this.died(slot, reason),
    });
    slot.handle.post({ type: 'init', module: this.module }, []);
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task !== null) continue;
      const task = this.queue.shift();
      if (task === undefined) return;
      slot.task = task;
      slot.handle.hold(true);
      const { job } = task;
      // A copy of the chunk's own bytes (a view would carry its whole buffer along; a Node Buffer's slice() is a view),
      // handed over without another.
      const encoded = new Uint8Array(job.encoded);
      const message: DecodeMessage = {
        type: 'decode', id: task.id, encoded, stages: job.stages, target: job.target, outBytes: job.out.length, checksum: job.checksum,
        ...(isShared(job.out) ? { shared: job.out } : {}),
      };
      slot.handle.post(message, [encoded.buffer]);
    }
  }

  private finished(slot: Slot, reply: WorkerReply): void {
    const task = slot.task;
    if (task === null || task.id !== reply.id) return;
    slot.task = null;
    slot.handle.hold(false);
    if ('error' in reply) {
      const { code, message, offset } = reply.error;
      task.reject(code === null ? new Error(message) : new TensorzipError(code, message, { offset }));
    } else {
      if (reply.out) task.job.out.set(reply.out);
      task.resolve();
    }
    this.dispatch();
  }

  private died(slot: Slot, reason: unknown): void {
    if (this.terminated) return;
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.handle.terminate();
    this.slots[index] = this.startSlot();
    const task = slot.task;
    if (task !== null) {
      task.deaths++;
      if (task.deaths > 1) {
        task.reject(new TensorzipError('LIMIT', `workers: two workers stopped while decoding this chunk (the runtime's memory or thread limits?): ${String(reason)}`, { cause: reason }));
      } else {
        this.queue.unshift(task);
      }
    }
    this.dispatch();
  }
}

const closed = () => new TensorzipError('ABORTED', 'workers: the pool was terminated before the chunk was decoded');
