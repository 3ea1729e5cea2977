// Which byte stages pack() runs over a tensor's stored codes: every candidate pipeline that may pay is encoded on a
// sample of the tensor's chunks, and the smallest wins. A pipeline whose chunks a reader would refuse as too short
// (a huffman run block of a constant chunk expands past the container's bound, docs/FORMAT.md "Limits") is out.
import type { PipelineStage } from '../codecs/pipeline';
import { encodeChunk } from '../codecs/pipeline/encode';
import { countDistinct } from '../codecs/pipeline/palette-encode';
import { channelRanks } from '../codecs/pipeline/regroup-encode';
import { maxExpansion, PREDICT_MAX_LAG, REGROUP_MAX_CHANNELS, REGROUP_MAX_RUN, regroupLabelBytes, type PredictWeight, type RegroupGroups } from '../codecs/pipeline/stages';
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
/** Groups of channels worth a Huffman code each (the channels cut into equal parts). */
const REGROUPS: RegroupGroups[] = [4, 8, 16];
/** The finest grouping: the others merge its groups (⌊rank · K / C⌋ = ⌊⌊rank · 16 / C⌋ / (16 / K)⌋). */
const FINEST = 16;
/** About the bytes of a Huffman block's header and code lengths, for the estimate. */
const TABLE_BYTES = 150;
/** Codes the estimate reads, from the tensor's start: about a chunk. */
const ESTIMATE_BYTES = 1 << 20;

/**
 * The pipelines worth a trial, in order of preference on a tie (the faster decode first): none; [shuffle | sparse]
 * + LZ4; for short rows of several elements (boxes [x, y, w, h], RGB triples: up to 16 bytes), the row shuffled whole
 * + LZ4, which finds the rows that repeat once each field's bytes lie together; and unless the caller turned entropy stages off, [shuffle] + a Huffman code per byte plane; sparse bitmask + Huffman; for 2-, 4- and 8-byte elements with
 * at most 65,536 distinct values in the tensor, a palette + Huffman of its indices (per byte plane for u16 indices);
 * for byte codes in K equal groups of at least 2 channels each, the channels regrouped by spread + a Huffman code per
 * group, for the K of 4, 8, 16 whose order-0 estimate is smallest, when that beats one code (bestRegroup); for byte
 * codes whose rows repeat a pattern, a predict stage + one Huffman code (bestPredict); and last,
 * each Huffman pipeline with `huffman_ctx` instead (two codes per plane chosen by the byte before: slower to decode,
 * so its blocks use them only where they save 1/128 of the block, and a tie keeps the plain pipeline), then with
 * `rans_lanes` (its blocks rANS where that is smaller than the context block: slower for blocks under 16 KiB, chosen
 * only where it saves 1/RANS_MIN_SAVING, see choosePipeline).
 */
export function pipelineCandidates(kernels: Kernels, { stored, width, sparse, entropy, rowBytes = 0, channels }: CandidateInput): PipelineStage[][] {
  const w = width as 1 | 2 | 4;
  const planes: PipelineStage[] = width > 1 ? [{ codec: 'shuffle', typesize: width }] : [];
  const bitmask: PipelineStage = { codec: 'sparse', format: 'bitmask', width: w };
  const candidates: PipelineStage[][] = [[], sparse ? [bitmask, { codec: 'lz4' }] : [...planes, { codec: 'lz4' }]];
  if (rowBytes > width && rowBytes <= MAX_ROW_SHUFFLE && rowBytes % width === 0) candidates.push([{ codec: 'shuffle', typesize: rowBytes }, { codec: 'lz4' }]);
  if (!entropy) return candidates;
  candidates.push([...planes, { codec: 'huffman', planes: width }]);
  if (sparse) candidates.push([bitmask, ...planes, { codec: 'huffman', planes: width }]);
  if (width === 1 && channels !== undefined && channels.count <= REGROUP_MAX_CHANNELS && channels.run <= REGROUP_MAX_RUN) {
    const groups = bestRegroup(kernels, stored, channels.count, channels.run);
    if (groups !== null) candidates.push([{ codec: 'regroup', groups, channels: channels.count, run: channels.run }, { codec: 'huffman', planes: groups }]);
  }
  if (width === 1) {
    const predict = bestPredict(kernels, stored, [rowBytes, channels?.run ?? 0]);
    if (predict !== null) candidates.push([predict, { codec: 'huffman', planes: 1 }]);
  }
  if (width === 2 || width === 4 || width === 8) {
    const distinct = countDistinct(stored, width);
    if (distinct !== null) {
      const palette: PipelineStage = { codec: 'palette', width };
      candidates.push(distinct <= BYTE_INDEX_ENTRIES ? [palette, { codec: 'huffman', planes: 1 }]
        : [palette, { codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }]);
    }
  }
  // Each Huffman pipeline again with context blocks (format 1.3), then with rANS blocks (1.5), after the plain ones:
  // each decodes slower than the one before, so it is chosen only when smaller.
  const huffmanPipelines = candidates.filter((p) => p.at(-1)?.codec === 'huffman');
  const withCoder = (codec: 'huffman_ctx' | 'rans_lanes') => huffmanPipelines
    .map((p) => p.map((s): PipelineStage => (s.codec === 'huffman' ? { codec, planes: s.planes } : s)));
  return [...candidates, ...withCoder('huffman_ctx'), ...withCoder('rans_lanes')];
}

/** Order-0 bytes of a histogram. */
function entropyBytes(hist: ArrayLike<number>): number {
  let n = 0;
  let bits = 0;
  for (let v = 0; v < hist.length; v++) n += hist[v];
  for (let v = 0; v < hist.length; v++) if (hist[v] > 0) bits -= hist[v] * Math.log2(hist[v] / n);
  return bits / 8;
}

/**
 * The number of groups of channels (ranked by spread as the regroup stage's writer ranks them) whose estimate — the
 * order-0 entropy of each group's codes, a Huffman table per group and the labels — is smallest, over the first
 * ESTIMATE_BYTES codes; null when it does not beat one code's estimate, or no K divides the channels into groups of
 * 2 or more.
 */
export function bestRegroup(kernels: Kernels, stored: Uint8Array, channels: number, run: number): RegroupGroups | null {
  const fits = REGROUPS.filter((k) => channels % k === 0 && channels >= 2 * k);
  if (fits.length === 0) return null;
  const sampleBytes = Math.min(stored.length, ESTIMATE_BYTES);
  // Each channel's histogram among the finest groups' (256 counts each, side by side; assembly/regroup_encode.ts).
  const finest = new Uint32Array(FINEST * 256);
  kernels.reset();
  try {
    const at = kernels.alloc(sampleBytes);
    kernels.heap.set(stored.subarray(0, sampleBytes), at);
    const rows = Uint32Array.from(channelRanks(kernels, at, sampleBytes, channels, run), (rank) => Math.floor((rank * FINEST) / channels) * 256);
    const rowsAt = kernels.alloc(4 * channels);
    const countsAt = kernels.alloc(finest.byteLength);
    new Uint32Array(kernels.heap.buffer, rowsAt, channels).set(rows);
    kernels.heap.fill(0, countsAt, countsAt + finest.byteLength);
    kernels.exports.channelHistograms(at, sampleBytes, channels, run, rowsAt, countsAt);
    finest.set(new Uint32Array(kernels.heap.buffer, countsAt, finest.length));
  } finally {
    kernels.reset();
  }
  const merged = (groups: number) => Array.from({ length: groups }, (_, g) => {
    const hist = new Float64Array(256);
    for (let f = g * (FINEST / groups); f < (g + 1) * (FINEST / groups); f++) for (let v = 0; v < 256; v++) hist[v] += finest[f * 256 + v];
    return hist;
  });
  const oneCode = entropyBytes(merged(1)[0]) + TABLE_BYTES;
  let best: RegroupGroups | null = null;
  let bestSize = oneCode;
  for (const groups of fits) {
    const size = merged(groups).reduce((n, hist) => n + entropyBytes(hist) + TABLE_BYTES, regroupLabelBytes({ groups, channels }));
    if (size < bestSize) {
      best = groups;
      bestSize = size;
    }
  }
  return best;
}

/** The predict estimate reads this many slices of codes, spread over the tensor, of up to PREDICT_SLICE_BYTES each. */
const PREDICT_SLICES = 4;
const PREDICT_SLICE_BYTES = 1 << 13;
/** Smaller tensors are not worth the estimate: a Huffman table is ~150 bytes, the gain a few percent. */
const PREDICT_MIN_BYTES = 1 << 14;
/**
 * The estimate must save this share of the codes' own order-0 bytes for a predict stage to be tried: its pass over
 * the bytes, and the rANS blocks its residuals often take, cost decode time. On openwakeword's int8 codes (2.15 MB,
 * the same process, against the file without the stage at 1,040 MB/s): 1/256 gives 1,762 KB at 880 MB/s, 1/100
 * 1,766 KB at 936, 1/50 1,770 KB at 950 (brotli-11: 1,775 KB).
 */
const PREDICT_MIN_SAVING = 1 / 100;

/**
 * The predict stage (lag, weight) whose residuals' order-0 entropy over PREDICT_SLICES slices of the codes is smallest,
 * with `lag` a divisor of one of `periods` (a row's bytes, a channel's run: where a weight's layout repeats) up to a
 * quarter of a slice; null when none saves PREDICT_MIN_SAVING of the codes' own entropy, or the tensor is under
 * PREDICT_MIN_BYTES. The slices are spread over the tensor: its first rows alone may mislead (on timer_v0.1's int8
 * codes they favour the row before, lag 3264, which saves 2% there and 0.1% over the tensor, where lag 96 saves 1.1%).
 */
export function bestPredict(kernels: Kernels, stored: Uint8Array, periods: number[]): Extract<PipelineStage, { codec: 'predict' }> | null {
  if (stored.length < PREDICT_MIN_BYTES) return null;
  const sliceBytes = Math.min(PREDICT_SLICE_BYTES, Math.floor(stored.length / PREDICT_SLICES));
  const slices = Array.from({ length: PREDICT_SLICES }, (_, k) => {
    const start = Math.floor((k * (stored.length - sliceBytes)) / (PREDICT_SLICES - 1));
    return stored.subarray(start, start + sliceBytes);
  });
  const longest = Math.min(PREDICT_MAX_LAG, Math.floor(sliceBytes / 4));
  const lags = new Set<number>();
  for (const period of periods) for (let lag = 1; lag <= Math.min(period, longest); lag++) if (period % lag === 0) lags.add(lag);
  const own = new Uint32Array(256);
  for (const slice of slices) for (const x of slice) own[x]++;
  let bestSize = entropyBytes(own) * (1 - PREDICT_MIN_SAVING);
  let best: Extract<PipelineStage, { codec: 'predict' }> | null = null;
  kernels.reset();
  try {
    const at = kernels.alloc(PREDICT_SLICES * sliceBytes);
    // The residuals' counts for weights 1–4, 256 each, side by side (assembly/predict.ts, predictCounts).
    const countsAt = kernels.alloc(4 * 256 * 4);
    slices.forEach((slice, k) => kernels.heap.set(slice, at + k * sliceBytes));
    for (const lag of lags) {
      kernels.heap.fill(0, countsAt, countsAt + 4 * 256 * 4);
      for (let k = 0; k < PREDICT_SLICES; k++) kernels.exports.predictCounts(at + k * sliceBytes, sliceBytes, lag, countsAt);
      const counts = new Uint32Array(kernels.heap.buffer, countsAt, 4 * 256);
      for (let w = 1; w <= 4; w++) {
        const size = entropyBytes(counts.subarray((w - 1) * 256, w * 256));
        if (size < bestSize) {
          bestSize = size;
          best = { codec: 'predict', lag, weight: w as PredictWeight };
        }
      }
    }
  } finally {
    kernels.reset();
  }
  return best;
}

/** Whether a reader accepts `chunk` as the encoding of `storedLength` bytes through `pipeline` (FORMAT.md Limits). */
export function reachable(pipeline: PipelineStage[], chunk: Uint8Array, storedLength: number): boolean {
  return pipeline.reduce((bytes, stage) => bytes * maxExpansion(stage), chunk.length) >= storedLength;
}

/**
 * A rans pipeline decodes at about 0.6 GB/s, a Huffman one at 1–1.5 GB/s: it is chosen only where it saves at least
 * 1/RANS_MIN_SAVING of the best other pipeline's bytes. On face-api's seven models (lossless) rans tensors save 0.8%
 * over the other pipelines in all; at 1/200 the file is 8,286,876 bytes (4.6 KB more), under brotli-11's 8,321,968,
 * and 2.7 of the 11.9 MB that rans tensors held decode through Huffman codes instead; at 1/100 the file is 1.2 KB
 * under brotli-11's, at 1/64 3 KB over it. At 1/25 face-api's int8 codes (bench/container-entropy) decode about
 * 0.3 ms of 13 faster a pass, and the lossless models take 8,324,914 bytes, over brotli-11's.
 */
const RANS_MIN_SAVING = 200;

/** The pipeline choosePipeline picked, and its encoding of the sample chunks by chunk number (none when no candidate
 *  had a sample a reader accepts): those chunks need no second encoding. */
export interface PipelineChoice {
  pipeline: PipelineStage[];
  encoded: Map<number, Uint8Array>;
}

/**
 * The candidate whose chunks are smallest over a sample of up to SAMPLE_CHUNKS of the `chunks` chunks (spread over
 * the tensor), among those whose sample chunks a reader accepts; the first on a tie; a rans candidate only when it
 * also saves 1/RANS_MIN_SAVING of the best candidate without rans.
 */
export function choosePipeline(kernels: Kernels, candidates: PipelineStage[][], chunks: number, chunkAt: (k: number) => Uint8Array): PipelineChoice {
  const sample = Math.min(SAMPLE_CHUNKS, chunks);
  const numbers = Array.from({ length: sample }, (_, i) => Math.floor(((i + 0.5) * chunks) / sample));
  const picked = numbers.map(chunkAt);
  // Candidates that differ only in their last stage (the coder) share the bytes before it: each sample chunk goes
  // through a prefix once (a regroup in JavaScript took a third of pack()'s time on face-api's int8 codes, run for
  // each of three coders).
  const prefixes = new Map<string, Uint8Array[]>();
  const beforeCoder = (pipeline: PipelineStage[]) => {
    const key = JSON.stringify(pipeline.slice(0, -1));
    let staged = prefixes.get(key);
    if (staged === undefined) prefixes.set(key, (staged = picked.map((chunk) => encodeChunk(kernels, chunk, pipeline.slice(0, -1)))));
    return staged;
  };
  let best: PipelineChoice = { pipeline: candidates[0], encoded: new Map() };
  let bestSize = Infinity;
  let bestWithoutRans = Infinity;
  for (const pipeline of candidates) {
    const rans = pipeline.some((s) => s.codec === 'rans_lanes');
    const bar = rans ? Math.min(bestSize, bestWithoutRans - bestWithoutRans / RANS_MIN_SAVING) : bestSize;
    const inputs = pipeline.length > 1 ? beforeCoder(pipeline) : picked;
    const last = pipeline.slice(-1);
    const encoded = new Map<number, Uint8Array>();
    let size = 0;
    for (let k = 0; k < picked.length; k++) {
      const bytes = encodeChunk(kernels, inputs[k], last);
      encoded.set(numbers[k], bytes);
      size = reachable(pipeline, bytes, picked[k].length) ? size + bytes.length : Infinity;
      if (size >= bar) break;
    }
    if (!rans) bestWithoutRans = Math.min(bestWithoutRans, size);
    if (size < bar) {
      best = { pipeline, encoded };
      bestSize = size;
    }
  }
  return best;
}
