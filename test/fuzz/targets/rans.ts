// One rANS block (format 1.4, the rans stage) or rans_lanes block (1.5, mode 5 among them) decoded by
// pipeline.decodeChunk as TF.js uint8 codes (scale 1, min 0: the bytes themselves), as many as the block declares (at
// most 2^20 and 255 per input byte, what a chunk may claim), judged by the reference decoder written from FORMAT.md:
// what the engine decodes, the reference decodes to the same bytes; what the reference decodes to the declared
// length, the engine decodes. Both builds agree.
import { referenceDecodeRans, referenceDecodeRansLanes } from '../../reference/rans';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';
import type { Engine } from '../../../src/index';

const MAX_COUNT = 1 << 20;
/** The float32 output (4 bytes per code, up to 255 codes per input byte) and the kernel's scratch. */
const EXPANSION = 3 * 4 * 255;

function declared(bytes: Uint8Array): number {
  if (bytes.length < 5) return 1;
  const n = bytes[1] + bytes[2] * 2 ** 8 + bytes[3] * 2 ** 16 + bytes[4] * 2 ** 24;
  return Math.max(1, Math.min(n, MAX_COUNT, 255 * bytes.length));
}

/** After a 3 `distance` bytes before mostly 3 again, elsewhere mostly 0 (two tables). */
function sticky(size: number, stay: number, distance: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i >= distance && out[i - distance] === 3 && (i * 7919) % 100 < stay ? 3 : (i * 104729) % 10 < 7 ? 0 : 1 + ((i * 31) % 7);
  return out;
}
/** Skewed codes with no dependence on the bytes before (one table). */
const skewed = (size: number) => Uint8Array.from({ length: size }, (_, i) => ((i * 7919) % 100 < 90 ? 128 : (i * 104729) & 255));
/** 90 60% of the time, else any of 200 values, from a linear congruential generator (one table, about 4 bits a byte). */
function spread(size: number): Uint8Array {
  let seed = 1;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  return Uint8Array.from({ length: size }, () => (next() < 0.6 ? 90 : Math.floor(next() * 200)));
}

function ransTarget(name: string, codec: 'rans' | 'rans_lanes', reference: (block: Uint8Array, limit: number) => Uint8Array, inputs: () => Uint8Array[]): FuzzTarget {
  const decode = (engine: Engine, bytes: Uint8Array, count: number) =>
    Uint8Array.from(engine.pipeline.decodeChunk(bytes, [{ codec, planes: 1 }], { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } }));
  return {
    name,
    async seeds({ simd }) {
      return inputs().map((data) => simd.pipeline.encodeChunk(data, [{ codec, planes: 1 }]));
    },
    async run({ simd, scalar }, bytes) {
      const count = declared(bytes);
      const a = await attempt(() => decode(simd, offsetView(bytes), count), DAMAGED_DATA, `${name} decode`, bytes.length, EXPANSION);
      sameOutcome(a, await attempt(() => decode(scalar, bytes, count), DAMAGED_DATA, `${name} decode (scalar)`, bytes.length, EXPANSION), `${name} decode`);
      let expected: Uint8Array | string;
      try {
        expected = reference(bytes, MAX_COUNT);
      } catch (err) {
        expected = String(err);
      }
      if (a.ok) {
        if (typeof expected === 'string') throw new FuzzFailure(`${name} decode accepts what the reference refuses`, expected);
        expectSame(a.value, expected, `${name} decode differs from the reference`);
        return 'OK';
      }
      if (typeof expected !== 'string' && expected.length === count) {
        throw new FuzzFailure(`${name} decode refuses a block the reference decodes: ${a.outcome}`);
      }
      return a.outcome;
    },
  };
}

export const rans = ransTarget('rans', 'rans', referenceDecodeRans, () => [sticky(1500, 95, 4), sticky(5000, 90, 4), skewed(800),
  skewed(20000), new Uint8Array(40).fill(9), Uint8Array.from({ length: 700 }, (_, i) => (i * i) & 255)]);

/** Mode 5 blocks (from 16 KiB, where they cost at most 1/200 more than mode 4) and smaller ones. */
export const ransLanes = ransTarget('rans-lanes', 'rans_lanes', referenceDecodeRansLanes, () => [sticky(16_448, 95, 64),
  sticky(70_000, 90, 64), spread(131_072), skewed(800), sticky(1500, 95, 4)]);
