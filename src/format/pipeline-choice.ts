// Which byte stages pack() runs over a tensor's stored codes: every candidate pipeline that may pay is encoded on a
// sample of the tensor's chunks, and the smallest wins. A pipeline whose chunks a reader would refuse as too short
// (a huffman run block of a constant chunk expands past the container's bound, docs/FORMAT.md "Limits") is out.
import type { PipelineStage } from '../codecs/pipeline';
import { encodeChunk } from '../codecs/pipeline/encode';
import { countDistinct } from '../codecs/pipeline/palette-encode';
import { maxExpansion, REGROUP_MAX_CHANNELS, REGROUP_MAX_RUN, type RegroupGroups } from '../codecs/pipeline/stages';
import type { Kernels } from '../wasm/kernels';

/** Chunks encoded per candidate to choose: spread over the tensor. */
export const SAMPLE_CHUNKS = 2;
/** Index bytes are one per element up to this many palette entries, two past it. */
const BYTE_INDEX_ENTRIES = 256;

export interface CandidateInput {
  /** The stored codes, all of them. */
  stored: Uint8Array;
  /** Bytes per stored element for the byte stages (1 for packed 4-bit codes and GGML blocks). */
  width: number;
  /** A sparse stage is allowed (the caller's option) and the codes are at least half zeros. */
  sparse: boolean;
  /** Huffman and palette stages are allowed (the caller's option). */
  entropy: boolean;
  /** Bytes of one row along the tensor's last axis (its last dimension × width), or 0 without a shape. */
  rowBytes?: number;
  /** The tensor's channels: how many, and how many elements one holds in a row (the later axes). */
  channels?: { count: number; run: number };
}

/** Rows of at most this many bytes are shuffled whole (Blosc's shuffle takes typesize 1–16). */
const MAX_ROW_SHUFFLE = 16;
/** Groups of channels tried for a Huffman code each (the channels cut into equal parts). */
const REGROUPS: RegroupGroups[] = [4, 8, 16];

/**
 * The pipelines worth a trial, in order of preference on a tie (the faster decode first): none; [shuffle | sparse]
 * + LZ4; for short rows of several elements (boxes [x, y, w, h], RGB triples: up to 16 bytes), the row shuffled whole
 * + LZ4, which finds the rows that repeat once each field's bytes lie together; and unless the caller turned entropy stages off, [shuffle] + a Huffman code per byte plane; sparse bitmask + Huffman; for 2-, 4- and 8-byte elements with
 * at most 65,536 distinct values in the tensor, a palette + Huffman of its indices (per byte plane for u16 indices);
 * for byte codes in K equal groups of at least 2 channels each, the channels regrouped by spread + a Huffman code per
 * group (K = 4, 8, 16).
 */
export function pipelineCandidates({ stored, width, sparse, entropy, rowBytes = 0, channels }: CandidateInput): PipelineStage[][] {
  const w = width as 1 | 2 | 4;
  const planes: PipelineStage[] = width > 1 ? [{ codec: 'shuffle', typesize: width }] : [];
  const bitmask: PipelineStage = { codec: 'sparse', format: 'bitmask', width: w };
  const candidates: PipelineStage[][] = [[], sparse ? [bitmask, { codec: 'lz4' }] : [...planes, { codec: 'lz4' }]];
  if (rowBytes > width && rowBytes <= MAX_ROW_SHUFFLE && rowBytes % width === 0) candidates.push([{ codec: 'shuffle', typesize: rowBytes }, { codec: 'lz4' }]);
  if (!entropy) return candidates;
  candidates.push([...planes, { codec: 'huffman', planes: width }]);
  if (sparse) candidates.push([bitmask, ...planes, { codec: 'huffman', planes: width }]);
  if (width === 1 && channels !== undefined && channels.count <= REGROUP_MAX_CHANNELS && channels.run <= REGROUP_MAX_RUN) {
    for (const groups of REGROUPS.filter((k) => channels.count % k === 0 && channels.count >= 2 * k)) {
      candidates.push([{ codec: 'regroup', groups, channels: channels.count, run: channels.run }, { codec: 'huffman', planes: groups }]);
    }
  }
  if (width === 2 || width === 4 || width === 8) {
    const distinct = countDistinct(stored, width);
    if (distinct !== null) {
      const palette: PipelineStage = { codec: 'palette', width };
      candidates.push(distinct <= BYTE_INDEX_ENTRIES ? [palette, { codec: 'huffman', planes: 1 }]
        : [palette, { codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }]);
    }
  }
  return candidates;
}

/** Whether a reader accepts `chunk` as the encoding of `storedLength` bytes through `pipeline` (FORMAT.md Limits). */
export function reachable(pipeline: PipelineStage[], chunk: Uint8Array, storedLength: number): boolean {
  return pipeline.reduce((bytes, stage) => bytes * maxExpansion(stage), chunk.length) >= storedLength;
}

/**
 * The candidate whose chunks are smallest over a sample of up to SAMPLE_CHUNKS of the `chunks` chunks (spread over
 * the tensor), among those whose sample chunks a reader accepts; the first on a tie.
 */
export function choosePipeline(kernels: Kernels, candidates: PipelineStage[][], chunks: number, chunkAt: (k: number) => Uint8Array): PipelineStage[] {
  const sample = Math.min(SAMPLE_CHUNKS, chunks);
  const picked = Array.from({ length: sample }, (_, i) => chunkAt(Math.floor(((i + 0.5) * chunks) / sample)));
  let best = candidates[0];
  let bestSize = Infinity;
  for (const pipeline of candidates) {
    let size = 0;
    for (const chunk of picked) {
      const encoded = encodeChunk(kernels, chunk, pipeline);
      size = reachable(pipeline, encoded, chunk.length) ? size + encoded.length : Infinity;
      if (size >= bestSize) break;
    }
    if (size < bestSize) {
      best = pipeline;
      bestSize = size;
    }
  }
  return best;
}
