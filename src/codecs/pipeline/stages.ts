// The byte stages of a chunk pipeline and their fused-decoder op codes (assembly/pipeline.ts). Op numbers are part
// of the kernel ABI and are never reused.
import { TensorzipError } from '../../errors';
import { integerOption } from '../as-bytes';
import { describeValue } from '../describe-value';
import { MAX_EXPANSION } from '../lz4/limits';

/** One lossless byte stage, listed in encode order (decoding runs them backwards). */
export type PipelineStage =
  | { codec: 'lz4' }
  | { codec: 'shuffle'; typesize: number }
  | { codec: 'bitshuffle'; typesize: number }
  | { codec: 'delta'; width: 1 | 2 | 4 | 8 }
  | { codec: 'sparse'; format: 'bitmask' | 'csr' | '2:4'; width: 1 | 2 | 4 }
  | { codec: 'huffman'; planes: number }
  | { codec: 'huffman_ctx'; planes: number }
  | { codec: 'rans'; planes: number }
  | { codec: 'rans_lanes'; planes: number }
  | { codec: 'palette'; width: 2 | 4 | 8 }
  | { codec: 'regroup'; groups: RegroupGroups; channels: number; run: number }
  | { codec: 'predict'; lag: number; weight: PredictWeight };

/** Groups of a regroup stage: a label of 1–4 bits per channel. */
export type RegroupGroups = 2 | 4 | 8 | 16;
/** A predict stage's weight, in quarters of the byte `lag` before. */
export type PredictWeight = 1 | 2 | 3 | 4;
/** The longest lag of a predict stage. */
export const PREDICT_MAX_LAG = 65536;
/** The most channels a regroup stage labels. */
export const REGROUP_MAX_CHANNELS = 65536;
/** The longest run of one channel's elements in a regroup stage. */
export const REGROUP_MAX_RUN = 0x7fffffff;

/** Bytes of a regroup stage's labels: log2(groups) bits per channel. */
export const regroupLabelBytes = (stage: { groups: number; channels: number }) => Math.ceil((stage.channels * Math.log2(stage.groups)) / 8);

export const OP = {
  lz4: 1, shuffle: 2, bitshuffle: 3, delta: 4, bitmask: 5, csr: 6, twoOfFour: 7, nibbles: 8, affine: 9,
  float16: 10, bfloat16: 11, float8e4m3fn: 12, float8e5m2: 13, q8_0: 14, q4_0: 15, q4_1: 16, q4_k: 17,
  huffman: 18, palette: 19, tfjs_uint8: 20, tfjs_uint16: 21, regroup: 22, huffmanContext: 23, rans: 24, ransLanes: 25, predict: 26,
} as const;

/** The most entries of a palette table: every index fits a u16. */
export const PALETTE_MAX_ENTRIES = 65536;

/**
 * The most decoded bytes one encoded byte can give, per stage, from each format's layout:
 * - lz4: 255 (one length byte adds at most 255 bytes to a match);
 * - shuffle, bitshuffle, delta, predict: 1 (they only move or change bytes);
 * - sparse bitmask: 8 elements per mask byte, so 8 × width;
 * - sparse 2:4: a group of 4 elements takes 2 values and half a position byte, so less than 2;
 * - sparse csr: unbounded (a row of zeros is one byte, whatever its length);
 * - huffman, huffman_ctx, rans, rans_lanes: 255 as LZ4 (a run block, or a rANS block with a byte of frequency 4096, gives any
 *   length from a few bytes: a .tzip writer keeps within LZ4's bound);
 * - palette: width (a 1-byte index gives one element; the table only adds bytes);
 * - regroup: 1 (it only moves bytes; the labels only add bytes).
 */
export function maxExpansion(stage: PipelineStage): number {
  if (stage.codec === 'lz4' || stage.codec === 'huffman' || stage.codec === 'huffman_ctx' || stage.codec === 'rans' || stage.codec === 'rans_lanes') return MAX_EXPANSION;
  if (stage.codec === 'palette') return stage.width;
  if (stage.codec !== 'sparse') return 1;
  return stage.format === 'bitmask' ? 8 * stage.width : stage.format === '2:4' ? 2 : Infinity;
}

/** Checks a stage list; returns it as it is. */
export function checkStages(stages: unknown, what: string): PipelineStage[] {
  if (!Array.isArray(stages)) throw new TensorzipError('ARGUMENT', `${what}: expected an array of stages`);
  // Runs for every chunk decoded: the messages are built only when thrown.
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as Record<string, unknown>;
    switch (s?.codec) {
      case 'lz4': break;
      case 'shuffle':
      case 'bitshuffle':
        if (!(Number.isInteger(s.typesize) && (s.typesize as number) >= 1 && (s.typesize as number) <= 16)) integerOption(s.typesize as number, `${what}[${i}] typesize`, 1, 16);
        break;
      case 'delta':
        if (![1, 2, 4, 8].includes(s.width as number)) throw new TensorzipError('ARGUMENT', `${what}[${i}] width: expected 1, 2, 4 or 8, found ${describeValue(s.width)}`);
        break;
      case 'sparse':
        if (!['bitmask', 'csr', '2:4'].includes(s.format as string)) throw new TensorzipError('ARGUMENT', `${what}[${i}] format: expected 'bitmask', 'csr' or '2:4', found ${describeValue(s.format)}`);
        if (![1, 2, 4].includes(s.width as number)) throw new TensorzipError('ARGUMENT', `${what}[${i}] width: expected 1, 2 or 4, found ${describeValue(s.width)}`);
        break;
      case 'huffman':
      case 'huffman_ctx':
      case 'rans':
      case 'rans_lanes':
        if (!(Number.isInteger(s.planes) && (s.planes as number) >= 1 && (s.planes as number) <= 16)) integerOption(s.planes as number, `${what}[${i}] planes`, 1, 16);
        break;
      case 'palette':
        if (![2, 4, 8].includes(s.width as number)) throw new TensorzipError('ARGUMENT', `${what}[${i}] width: expected 2, 4 or 8, found ${describeValue(s.width)}`);
        break;
      case 'regroup':
        if (![2, 4, 8, 16].includes(s.groups as number)) throw new TensorzipError('ARGUMENT', `${what}[${i}] groups: expected 2, 4, 8 or 16, found ${describeValue(s.groups)}`);
        integerOption(s.channels as number, `${what}[${i}] channels`, 1, REGROUP_MAX_CHANNELS);
        integerOption(s.run as number, `${what}[${i}] run`, 1, REGROUP_MAX_RUN);
        break;
      case 'predict':
        integerOption(s.lag as number, `${what}[${i}] lag`, 1, PREDICT_MAX_LAG);
        integerOption(s.weight as number, `${what}[${i}] weight`, 1, 4);
        break;
      default:
        throw new TensorzipError('ARGUMENT', `${what}[${i}]: unknown codec ${describeValue(s?.codec)}`);
    }
  }
  return stages as PipelineStage[];
}
