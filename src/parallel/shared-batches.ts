// Chunks that decode into shared memory (a tensor in a SharedArrayBuffer), gathered over one turn of the event loop
// and handed to every worker at once as a batch, which the workers share out among themselves (protocol.ts,
// BatchMessage). Decoding chunk by chunk through messages kept the calling thread in the loop for each chunk: on 2
// cores, it took CPU time from the workers, which then waited for it (2 workers decoded face-api's 50 MB 1.1–1.4x as
// fast as one thread). A chunk's bytes are copied into a shared staging buffer (reused); the staged bytes of batches
// at work are bounded, so that a large model is not copied whole at once.
import { nextTurn } from './next-turn';
import type { ChunkJob, ItemOutcome } from './protocol';
import { isSharedMemory } from './shared';

export interface BatchedChunk {
  job: ChunkJob;
  resolve(): void;
  reject(err: unknown): void;
}

/** What the pool does for the batches: share one out between the workers, and decode again a chunk a dying worker
 *  left. */
export interface BatchRunner {
  /** `buffers`: the shared buffers of the chunks' outputs. */
  shareOut(chunks: ChunkJob[], buffers: ArrayBufferLike[]): Promise<ItemOutcome[]>;
  retry(job: ChunkJob): Promise<void>;
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
    this.staged += bytes;
    this.runner.shareOut(chunks, chunks.map(({ out }) => out.buffer)).then((outcomes) => {
      this.staged -= bytes;
      if (staging) this.keepStaging(staging);
      batch.forEach((chunk, i) => this.settle(chunk, outcomes[i]!));
      this.start();
    }, (err) => {
      this.staged -= bytes;
      for (const chunk of batch) chunk.reject(err);
    });
  }

  private settle(chunk: BatchedChunk, outcome: ItemOutcome): void {
    if (outcome === 'done') chunk.resolve();
    else if (outcome === 'undone') this.runner.retry(chunk.job).then(chunk.resolve, chunk.reject);
    else chunk.reject(outcome);
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
