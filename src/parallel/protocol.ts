// The messages between a pool and its workers. A worker first receives the compiled kernel module (`init`), then one
// chunk at a time; it answers each chunk with its decoded bytes (transferred) or the error it raised.
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
  encoded: Uint8Array;
  stages: PipelineStage[];
  target: Omit<ChunkTarget, 'out'> | null;
  outBytes: number;
  checksum: number | undefined;
  /** A view of shared memory to decode into; absent: the worker answers with a new buffer. */
  shared?: Uint8Array;
}

export type WorkerReply =
  | { id: number; out?: Uint8Array }
  | { id: number; error: { code: TensorzipErrorCode | null; message: string; offset: number | undefined } };
