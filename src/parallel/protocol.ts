// The messages between a pool and its workers. A worker first receives the compiled kernel module (`init`), then one
// chunk at a time; it answers each chunk with its decoded bytes (transferred) or the error it raised, and hands the
// buffers it was sent back, so that the pool reuses them instead of allocating (and page-faulting) new ones per chunk.
import type { ChunkTarget, PipelineStage } from '../codecs/pipeline';
import type { TensorzipErrorCode } from '../errors';

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

/** Every reply carries back the buffers of its message that were not shared (`returned`), for the pool to reuse. */
export type WorkerReply = { id: number; returned: ArrayBuffer[] } & (
  | { out?: Uint8Array }
  | { error: { code: TensorzipErrorCode | null; message: string; offset: number | undefined } });
