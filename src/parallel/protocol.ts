// The messages between a pool and its workers. A worker first receives the compiled kernel module (`init`), then
// chunks to decode and tasks to run; it answers each with its result (decoded bytes transferred) or the error it
// raised, and hands the buffers it was sent back, so that the pool reuses them instead of allocating (and
// page-faulting) new ones per chunk.
import type { ChunkTarget, PipelineStage } from '../codecs/pipeline';
import type { TensorzipErrorCode } from '../errors';
import type { Kernels } from '../wasm/kernels';

/** A chunk to decode: to float32 values through `target` (dequantized), or with `target` null to its stored bytes. */
export interface ChunkJob {
  encoded: Uint8Array;
  stages: PipelineStage[];
  target: Omit<ChunkTarget, 'out'> | null;
  /** Where the decoded bytes go (`target.count` float32 values, or the stored bytes). */
  out: Uint8Array;
  checksum?: number;
}

export interface InitMessage {
  type: 'init';
  module: WebAssembly.Module;
}

export interface DecodeMessage {
  type: 'decode';
  id: number;
  /** The chunk's bytes, at the start of a buffer of the pool's that may be longer. */
  encoded: Uint8Array;
  stages: PipelineStage[];
  target: Omit<ChunkTarget, 'out'> | null;
  outBytes: number;
  checksum: number | undefined;
  /** A view of shared memory to decode into; absent: the worker answers with the decoded bytes in `scratch` when it
   *  is long enough, else in a new buffer. */
  shared?: Uint8Array;
  scratch?: ArrayBuffer;
}

/**
 * Work shared out between the workers as they go (a batch): each worker sent the batch takes the next item from the
 * counter `control[0]` until none is left, and marks each item it did in `control[1 + i]`. No message per item, and no
 * worker waits for the calling thread to hand it the next one. `task` names a SharedWorkerTask: DECODE_CHUNKS_TASK
 * (chunks that decode into shared memory) or one the worker's entry registered.
 */
export interface BatchMessage {
  type: 'batch';
  id: number;
  /** In a SharedArrayBuffer: the next item to take, then one flag per item (1: done). */
  control: Int32Array;
  task: string;
  input: unknown;
  /** Bytes of the shared buffers `input` refers to that the caller may drop (its outputs), not told of before: see
   *  worker-main.ts, countReceived. */
  sharedBytes: number;
}

/** The batch task of this layer: chunks (ChunkJob[], their bytes and outputs views of SharedArrayBuffers). */
export const DECODE_CHUNKS_TASK = 'decodeChunks';

/** What became of an item of a batch (WorkerPool.shareOut): done, failed (the worker's error), or left undone by a
 *  worker that died. */
export type ItemOutcome = 'done' | 'undone' | Error;

/** A batch's handler in the worker: called once per message with its input, it returns what does item i (and throws
 *  that item's error). */
export type SharedWorkerTask = (kernels: Kernels, input: unknown) => (index: number) => void;

/** Work of a layer above this one (encoding a tensor, say): `task` names a handler the worker's entry registered. */
export interface TaskMessage {
  type: 'task';
  id: number;
  task: string;
  input: unknown;
  /** Buffers of the pool's that `input` uses: they come back with the reply. */
  buffers: ArrayBuffer[];
}

/** What a task's message carries: the handler's input, and the buffers of the pool's it uses. */
export interface TaskInputs {
  input: unknown;
  buffers: ArrayBuffer[];
}

/** A task's handler in the worker: its result, and the buffers in it to transfer rather than copy. */
export type WorkerTask = (kernels: Kernels, input: unknown) => { result: unknown; transfer: ArrayBuffer[] };

/** Every reply carries back the buffers of its message that were not shared (`returned`), for the pool to reuse. */
export type WorkerReply = { id: number; returned: ArrayBuffer[] } & (
  | { out?: Uint8Array }
  | { result: unknown }
  | { error: ReplyError }
  | { failures: { index: number; error: ReplyError }[] });

/** An error raised in a worker, as it crosses to the pool (a TensorzipError's code, or null for any other). */
export interface ReplyError {
  code: TensorzipErrorCode | null;
  message: string;
  offset: number | undefined;
}
