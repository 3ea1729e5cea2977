// Chunks that decode into shared memory (a tensor in a SharedArrayBuffer), gathered over one turn of the event loop
// and handed to every worker at once as a batch, which the workers share out among themselves (protocol.ts,
// BatchMessage). Decoding chunk by chunk through messages kept the calling thread in the loop for each chunk: on 2
// cores, it took CPU time from the workers, which then waited for it (2 workers decoded face-api's 50 MB 1.1–1.4x as
// fast as one thread). A chunk's bytes are copied into a shared staging buffer (reused); the staged bytes of batches
// at work are bounded, so that a large model is not copied whole at once.
import { nextTurn } from './next-turn';
import type { ChunkJob } from './protocol';
import { isSharedMemory } from './shared';

export interface BatchedChunk {
  job: ChunkJob;
  resolve(): void;
  reject(err: unknown): void;
}

/** What the pool does for the batches: hand one to every worker, and decode again a chunk a dying worker left. */
export interface BatchRunner {
  /** Sends the batch to each worker and returns how many it sent it to; `partDone` is then called once for each, with
   *  the chunks that failed there (none when it died: the chunks it left undone are retried). */
  sendToEvery(chunks: ChunkJob[], control: Int32Array, partDone: (failures: ChunkFailure[]) => void): number;
  retry(job: ChunkJob): Promise<void>;
  closed(): Error | null;
}

/** A chunk of a batch that failed: its index in the batch and the worker's error. */
export interface ChunkFailure {
  index: number;
  error: Error;
}

/** Encoded bytes staged for batches at work at most (at least one chunk's, whatever its size). */
const STAGED_LIMIT = 64 << 20;

export class SharedBatches {
  private waiting: BatchedChunk[] = [];
  /** Resolves once the chunks of this turn have gone to the workers; null when no hand-out is scheduled. */
  private sent: Promise<void> | null = null;
  private markSent = () => {};
  private staged = 0;
  private readonly spare: SharedArrayBuffer[] = [];

  constructor(private readonly runner: BatchRunner) {}

  add(chunk: BatchedChunk): void {
    this.waiting.push(chunk);
    this.handedOut();
  }

  /** A promise that resolves once the chunks asked for in this turn of the event loop (so far and until it ends) have
   *  been handed to the workers (those past the staging bound at least queued behind them). */
  handedOut(): Promise<void> {
    if (this.sent !== null) return this.sent;
    const sent = new Promise<void>((resolve) => (this.markSent = resolve));
    this.sent = sent;
    nextTurn(() => {
      this.sent = null;
      this.start();
      this.markSent();
    });
    return sent;
  }

  /** Rejects the chunks not yet handed out. */
  abort(err: Error): void {
    for (const chunk of this.waiting.splice(0)) chunk.reject(err);
    this.markSent();
  }

  private start(): void {
    while (this.waiting.length > 0 && this.staged < STAGED_LIMIT) {
      let bytes = 0;
      let n = 0;
      for (; n < this.waiting.length; n++) {
        const size = stagedSize(this.waiting[n]!.job);
        if (n > 0 && this.staged + bytes + size > STAGED_LIMIT) break;
        bytes += size;
      }
      this.run(this.waiting.splice(0, n), bytes);
    }
  }

  private run(batch: BatchedChunk[], bytes: number): void {
    const staging = this.takeStaging(bytes);
    let at = 0;
    const chunks = batch.map(({ job }): ChunkJob => {
      if (isSharedMemory(job.encoded)) return job;
      // At the chunk's own alignment (see stagedSize).
      const encoded = new Uint8Array(staging!, at + (job.encoded.byteOffset % 16), job.encoded.length);
      encoded.set(job.encoded);
      at += stagedSize(job);
      return { ...job, encoded };
    });
    const control = new Int32Array(new SharedArrayBuffer(4 * (1 + chunks.length)));
    const failed = new Map<number, Error>();
    this.staged += bytes;
    let partsLeft = 0;
    const partDone = (failures: ChunkFailure[]) => {
      for (const { index, error } of failures) failed.set(index, error);
      if (--partsLeft > 0) return;
      this.staged -= bytes;
      if (staging) this.keepStaging(staging);
      batch.forEach((chunk, i) => this.settle(chunk, Atomics.load(control, 1 + i) === 1, failed.get(i)));
      this.start();
    };
    partsLeft = this.runner.sendToEvery(chunks, control, partDone);
  }

  private settle(chunk: BatchedChunk, decoded: boolean, error: Error | undefined): void {
    if (error !== undefined) chunk.reject(error);
    else if (decoded) chunk.resolve();
    else {
      const closed = this.runner.closed();
      if (closed) chunk.reject(closed);
      else this.runner.retry(chunk.job).then(chunk.resolve, chunk.reject);
    }
  }

  private takeStaging(bytes: number): SharedArrayBuffer | null {
    if (bytes === 0) return null;
    const i = this.spare.findIndex((buffer) => buffer.byteLength >= bytes);
    return i >= 0 ? this.spare.splice(i, 1)[0]! : new SharedArrayBuffer(bytes);
  }

  /** Keeps the largest staging buffers, up to STAGED_LIMIT bytes: a new one costs first-touch page faults (~11 µs a
   *  page on the benchmark's VM), which on the calling thread took more time than the copies into them. */
  private keepStaging(buffer: SharedArrayBuffer): void {
    this.spare.push(buffer);
    this.spare.sort((a, b) => b.byteLength - a.byteLength);
    let kept = 0;
    let count = 0;
    while (count < this.spare.length && kept + this.spare[count]!.byteLength <= STAGED_LIMIT) kept += this.spare[count++]!.byteLength;
    this.spare.length = count;
  }
}

const stagedSize = (job: ChunkJob) => (isSharedMemory(job.encoded) ? 0 : Math.ceil((job.encoded.length + 15) / 16) * 16);
