// One rANS block (format 1.4, the rans stage) decoded by pipeline.decodeChunk as TF.js uint8 codes (scale 1, min 0:
// the bytes themselves), as many as the block declares (at most 2^20 and 255 per input byte, what a chunk may claim),
// judged by the reference decoder written from FORMAT.md: what the engine decodes, the reference decodes to the same
// bytes; what the reference decodes to the declared length, the engine decodes. Both builds agree.
import { referenceDecodeRans } from '../../reference/rans';
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

const decode = (engine: Engine, bytes: Uint8Array, count: number) =>
  Uint8Array.from(engine.pipeline.decodeChunk(bytes, [{ codec: 'rans', planes: 1 }], { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } }));

export const rans: FuzzTarget = {
  name: 'rans',
  async seeds({ simd }) {
    // After a 3 in its stream mostly 3 again, elsewhere mostly 0 (two tables); skewed order-0 codes (one table).
    const sticky = (size: number, stay: number) => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = i >= 4 && out[i - 4] === 3 && (i * 7919) % 100 < stay ? 3 : (i * 104729) % 10 < 7 ? 0 : 1 + ((i * 31) % 7);
      return out;
    };
    const skewed = (size: number) => Uint8Array.from({ length: size }, (_, i) => ((i * 7919) % 100 < 90 ? 128 : (i * 104729) & 255));
    const encode = (data: Uint8Array) => simd.pipeline.encodeChunk(data, [{ codec: 'rans', planes: 1 }]);
    return [encode(sticky(1500, 95)), encode(sticky(5000, 90)), encode(skewed(800)), encode(skewed(20000)),
      encode(new Uint8Array(40).fill(9)), encode(Uint8Array.from({ length: 700 }, (_, i) => (i * i) & 255))];
  },
  async run({ simd, scalar }, bytes) {
    const count = declared(bytes);
    const a = await attempt(() => decode(simd, offsetView(bytes), count), DAMAGED_DATA, 'rans decode', bytes.length, EXPANSION);
    sameOutcome(a, await attempt(() => decode(scalar, bytes, count), DAMAGED_DATA, 'rans decode (scalar)', bytes.length, EXPANSION), 'rans decode');
    let expected: Uint8Array | string;
    try {
      expected = referenceDecodeRans(bytes, MAX_COUNT);
    } catch (err) {
      expected = String(err);
    }
    if (a.ok) {
      if (typeof expected === 'string') throw new FuzzFailure('rans decode accepts what the reference refuses', expected);
      expectSame(a.value, expected, 'rans decode differs from the reference');
      return 'OK';
    }
    if (typeof expected !== 'string' && expected.length === count) {
      throw new FuzzFailure(`rans decode refuses a block the reference decodes: ${a.outcome}`);
    }
    return a.outcome;
  },
};
