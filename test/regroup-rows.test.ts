// The regroup stage with run 1 (docs/FORMAT.md, "The regroup stage"), where the SIMD build fills whole rows 16
// channels a step when 16 divides the channels and the groups are of equal size, or 16 rows a step when every group
// has a multiple of 16 channels: chunks built here from the format's
// words (labels, then each group's bytes in position order), checked by the reference decoder, decode to the same
// bytes in both builds, alone and under a huffman stage, for row widths on and off the SIMD path, partial last rows,
// chunks shorter than a row, groups with no channel, one group holding every channel, and groups of unequal size.
import { describe, expect, it } from 'vitest';
import type { Engine, PipelineStage } from '../src/index';
import { random } from './helpers/data';
import { BUILDS, equalBytes } from './helpers/engines';
import { referenceRegroupStage } from './reference/regroup';

type Groups = 2 | 4 | 8 | 16;

/** The stage's bytes for `data` whose channel c (position i mod channels) is in group labels[c]. */
function regroupStage(data: Uint8Array, labels: number[], groups: Groups): Uint8Array {
  const bits = Math.log2(groups);
  const head = new Uint8Array(Math.ceil((labels.length * bits) / 8));
  labels.forEach((g, c) => {
    for (let k = 0; k < bits; k++) if ((g >> k) & 1) head[(c * bits + k) >> 3] |= 1 << ((c * bits + k) & 7);
  });
  const stage = new Uint8Array(head.length + data.length);
  stage.set(head);
  let at = head.length;
  for (let g = 0; g < groups; g++) data.forEach((v, i) => { if (labels[i % labels.length] === g) stage[at++] = v; });
  return stage;
}

/** Ways to label the channels: each returns channel c's group. */
const LABELINGS: Record<string, (channels: number, groups: Groups, next: () => number) => number[]> = {
  'equal groups in shuffled order': (channels, groups, next) => shuffled(Array.from({ length: channels }, (_, c) => c % groups), next),
  'equal groups in runs of channels': (channels, groups) => Array.from({ length: channels }, (_, c) => Math.floor((c * groups) / channels)),
  'every other group empty': (channels, groups, next) => shuffled(Array.from({ length: channels }, (_, c) => groups === 2 ? 1 : 2 * (c % (groups / 2)) + 1), next),
  'one group holds every channel': (channels, groups) => Array.from({ length: channels }, () => groups - 1),
  'groups of unequal size': (channels, groups, next) => Array.from({ length: channels }, () => Math.min(groups - 1, Math.floor(next() ** 2 * groups))),
  'groups of unequal multiples of 16 channels': (channels, groups, next) => {
    const labels: number[] = [];
    for (let g = 0; labels.length < channels; g++) labels.push(...Array.from({ length: 16 * (1 + (g % 3)) }, () => g % groups));
    return shuffled(labels.slice(0, channels), next);
  },
};

function shuffled(values: number[], next: () => number): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
}

/** Decodes a chunk of byte codes as TF.js uint8 codes with scale 1 and min 0: each value is its code. */
function decodeBytes(engine: Engine, chunk: Uint8Array, stages: PipelineStage[], count: number): Uint8Array {
  return Uint8Array.from(engine.pipeline.decodeChunk(chunk, stages, { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } }));
}

// 16 divides the first seven (the SIMD path when the groups are equal); the others take the byte loop in both builds.
const CHANNELS = [16, 32, 48, 128, 1008, 1024, 4096, 1, 24, 100, 4100];
const GROUPS: Groups[] = [2, 4, 8, 16];

describe.each(Object.keys(LABELINGS))('regroup, run 1, %s', (labeling) => {
  it.each(CHANNELS)('channels %i: whole rows, a partial last row and less than a row decode alike in both builds, as the reference says', (channels) => {
    for (const groups of GROUPS) {
      const next = random(channels * 31 + groups);
      const labels = LABELINGS[labeling](channels, groups, next);
      const rows = Math.max(1, Math.floor(20000 / channels));
      for (const count of [0, 1, channels - 1, channels, channels + 5, rows * channels, rows * channels + channels - 1, 40 * channels + 17]) {
        const data = Uint8Array.from({ length: count }, () => Math.floor(next() * 256));
        const stage = regroupStage(data, labels, groups);
        const what = `groups ${groups}, ${count} bytes`;
        if (!equalBytes(referenceRegroupStage(stage, groups, channels, 1), data)) expect.fail(`${what}: the test's chunk is not what the reference reads`);
        const regroup: PipelineStage = { codec: 'regroup', groups, channels, run: 1 };
        for (const [name, engine] of BUILDS) {
          const coded = engine.pipeline.encodeChunk(stage, [{ codec: 'huffman', planes: 1 }]);
          if (!equalBytes(decodeBytes(engine, stage, [regroup], count), data)) expect.fail(`${name}, ${what}: [regroup] decodes otherwise`);
          if (!equalBytes(decodeBytes(engine, coded, [regroup, { codec: 'huffman', planes: 1 }], count), data)) expect.fail(`${name}, ${what}: [regroup, huffman] decodes otherwise`);
        }
      }
    }
  });
});

describe.each(BUILDS)('regroup, run 1, as the writer labels (%s build)', (_, engine) => {
  it.each(CHANNELS)('channels %i: [regroup, huffman] and [regroup] round-trip', (channels) => {
    for (const groups of GROUPS) {
      const next = random(channels + groups);
      const spread = Array.from({ length: channels }, () => 1 + next() * 100);
      for (const count of [channels - 1, 3 * channels, 3 * channels + 7, Math.max(2 * channels, 60000)]) {
        const data = Uint8Array.from({ length: count }, (_, i) => Math.max(0, Math.min(255, Math.round(128 + (next() - 0.5) * spread[i % channels]))));
        const regroup: PipelineStage = { codec: 'regroup', groups, channels, run: 1 };
        for (const stages of [[regroup], [regroup, { codec: 'huffman', planes: groups }]] as PipelineStage[][]) {
          const chunk = engine.pipeline.encodeChunk(data, stages);
          if (!equalBytes(decodeBytes(engine, chunk, stages, count), data)) expect.fail(`groups ${groups}, ${count} bytes, ${stages.length} stages: decoded bytes differ`);
        }
      }
    }
  });
});
