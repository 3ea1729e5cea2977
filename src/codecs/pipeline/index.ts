import type { Kernels } from '../../wasm/kernels';
import { decodeChunk, type ChunkTarget } from './decode';
import { encodeChunk } from './encode';
import type { PipelineStage } from './stages';

export type { ChunkTarget, PipelineStage };

/** Codec pipelines for one chunk of a tensor: what the .tzip container runs per chunk. */
export interface Pipeline {
  /**
   * Runs the byte stages in order over a chunk's stored codes (float32 bytes, float16 bits, int8 codes, …).
   * @example
   * const q = quant.quantize(weights, { dtype: 'int8', shape: [768, 768], axis: 0 });
   * const stages = [{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'lz4' }] as const;
   * const bytes = pipeline.encodeChunk(new Uint8Array(q.data.buffer), [...stages]);
   */
  encodeChunk(data: Uint8Array, stages: PipelineStage[]): Uint8Array;
  /**
   * Decodes a chunk to float32 in one WebAssembly call — the byte stages backwards (LZ4, unshuffle, delta, sparse
   * unpack), then dequantization with the tensor's parameters for elements start … start + count. Throws
   * TRUNCATED / CORRUPT when the chunk is damaged.
   * @example
   * const values = pipeline.decodeChunk(bytes, [...stages], { dtype: 'int8', count: 768 * 768, shape: [768, 768],
   *   axis: 0, scale: q.scale, zeroPoint: q.zeroPoint });
   */
  decodeChunk(encoded: Uint8Array, stages: PipelineStage[], target: ChunkTarget): Float32Array;
}

export function bindPipeline(kernels: () => Kernels): Pipeline {
  return {
    encodeChunk: (data, stages) => encodeChunk(kernels(), data, stages),
    decodeChunk: (encoded, stages, target) => decodeChunk(kernels(), encoded, stages, target),
  };
}
