// One context block (format 1.3, the huffman_ctx stage) decoded by pipeline.decodeChunk as TF.js uint8 codes (scale 1,
// min 0: the bytes themselves), as many as the block declares (at most 2^20 and 255 per input byte, what a chunk may
// claim), judged by the reference decoder written from FORMAT.md: what the engine decodes, the reference decodes to
// the same bytes; what the reference decodes to the declared length, the engine decodes. Both builds agree.
import { referenceDecodeContext } from '../../reference/huffman-context';
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
  Uint8Array.from(engine.pipeline.decodeChunk(bytes, [{ codec: 'huffman_ctx', planes: 1 }], { dtype: 'tfjs_uint8', count, tfjs: { scale: 1, min: 0 } }));

export const huffmanContext: FuzzTarget = {
  name: 'huffman-context',
  async seeds({ simd }) {
    const codes = (size: number, near: number, far: number) => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = (i * 7919) % 10 < 4 ? 0 : 1 + ((i * 104729) % (i >= 4 && out[i - 4] === 0 ? near : far));
      return out;
    };
    const encode = (data: Uint8Array) => simd.pipeline.encodeChunk(data, [{ codec: 'huffman_ctx', planes: 1 }]);
    return [encode(codes(1200, 2, 15)), encode(codes(5000, 3, 40)), encode(codes(300, 2, 9)), encode(new Uint8Array(40).fill(9)),
      encode(Uint8Array.from({ length: 700 }, (_, i) => (i * i) & 255))];
  },
  async run({ simd, scalar }, bytes) {
    const count = declared(bytes);
    const a = await attempt(() => decode(simd, offsetView(bytes), count), DAMAGED_DATA, 'huffman_ctx decode', bytes.length, EXPANSION);
    sameOutcome(a, await attempt(() => decode(scalar, bytes, count), DAMAGED_DATA, 'huffman_ctx decode (scalar)', bytes.length, EXPANSION), 'huffman_ctx decode');
    let expected: Uint8Array | string;
    try {
      expected = referenceDecodeContext(bytes, MAX_COUNT);
    } catch (err) {
      expected = String(err);
    }
    if (a.ok) {
      if (typeof expected === 'string') throw new FuzzFailure('huffman_ctx decode accepts what the reference refuses', expected);
      expectSame(a.value, expected, 'huffman_ctx decode differs from the reference');
      return 'OK';
    }
    if (typeof expected !== 'string' && expected.length === count) {
      throw new FuzzFailure(`huffman_ctx decode refuses a block the reference decodes: ${a.outcome}`);
    }
    return a.outcome;
  },
};
