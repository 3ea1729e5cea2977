// A huffman stage of 2 to 16 planes (the kernel decodes its blocks two at a time, huffman_decode.ts) decoded by
// pipeline.decodeChunk as TF.js uint8 codes (scale 1, min 0: the bytes themselves). The input's first byte picks the
// planes (2 + byte mod 15), the rest is the stage; the codes asked for are the sum of the lengths its blocks declare (at
// most 2^20). Judged by the reference, which decodes the blocks one after another (test/reference/stages-1.1.ts):
// what the engine decodes, the reference decodes to the same bytes; what the reference decodes to that count, the
// engine decodes. Both builds agree.
import { referenceHuffmanStage } from '../../reference/stages-1.1';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';
import type { Engine } from '../../../src/index';
import { floatWeights, textLike } from '../../helpers/data';

const MAX_COUNT = 1 << 20;
/** The float32 output (4 bytes per code, up to 255 codes per input byte) and the kernel's scratch. */
const EXPANSION = 3 * 4 * 255;

const u32 = (b: Uint8Array, at: number) => (at + 4 <= b.length ? b[at] + b[at + 1] * 2 ** 8 + b[at + 2] * 2 ** 16 + b[at + 3] * 2 ** 24 : 0);

/** The sum of the decoded lengths the stage's blocks declare, where their headers lie inside it; at least 1. */
function declared(stage: Uint8Array, planes: number): number {
  let at = 4 * (planes - 1);
  let sum = 0;
  for (let p = 0; p < planes; p++) {
    sum += u32(stage, at + 1);
    at += p < planes - 1 ? u32(stage, 4 * p) : 0;
  }
  return Math.max(1, Math.min(sum, MAX_COUNT, 255 * stage.length));
}

/** The planes of a stage: 2 + first byte mod 15, as seeds() writes it. */
const planesOf = (bytes: Uint8Array) => 2 + ((bytes[0] ?? 0) % 15);

export const huffmanStage: FuzzTarget = {
  name: 'huffman-stage',
  async seeds({ simd }) {
    const skewed = Uint8Array.from({ length: 6000 }, (_, i) => ((i * i) % 7 === 0 ? i & 0xff : 3));
    const noise = Uint8Array.from({ length: 900 }, (_, i) => (i * 2654435761) >>> 24);
    return ([[textLike(4000), 2], [floatWeights(1500), 4], [skewed, 16], [new Uint8Array(300).fill(9), 3], [noise, 5]] as const)
      .map(([data, planes]) => {
        const stage = simd.pipeline.encodeChunk(data, [{ codec: 'huffman', planes }]);
        const input = new Uint8Array(1 + stage.length);
        input[0] = planes - 2;
        input.set(stage, 1);
        return input;
      });
  },
  async run({ simd, scalar }, bytes) {
    const planes = planesOf(bytes);
    const stage = bytes.subarray(1);
    const count = declared(stage, planes);
    const decode = (engine: Engine, b: Uint8Array) =>
      Uint8Array.from(engine.pipeline.decodeChunk(b, [{ codec: 'huffman', planes }], { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } }));
    const a = await attempt(() => decode(simd, offsetView(stage)), DAMAGED_DATA, 'huffman stage decode', bytes.length, EXPANSION);
    sameOutcome(a, await attempt(() => decode(scalar, stage.slice()), DAMAGED_DATA, 'huffman stage decode (scalar)', bytes.length, EXPANSION), 'huffman stage decode');
    let expected: Uint8Array | string;
    try {
      expected = referenceHuffmanStage(stage, planes, MAX_COUNT);
    } catch (err) {
      expected = String(err);
    }
    if (a.ok) {
      if (typeof expected === 'string') throw new FuzzFailure('huffman stage decode accepts what the reference refuses', expected);
      expectSame(a.value, expected, 'huffman stage decode differs from the reference');
      return 'OK';
    }
    if (typeof expected !== 'string' && expected.length === count) {
      throw new FuzzFailure(`huffman stage decode refuses a stage the reference decodes: ${a.outcome}`);
    }
    return a.outcome;
  },
};
