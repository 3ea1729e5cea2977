// entropy.decode on any bytes, judged by the reference decoder written from the block format: what it accepts, the
// reference decodes to the same bytes; what the reference decodes, it accepts (with the declared length as the limit,
// since a default limit may refuse a long run; runs past 64 MiB are left to the default limit). Both builds agree.
import { referenceDecode } from '../../reference/huffman';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';
import { floatWeights, textLike } from '../../helpers/data';

/** Huffman blocks expand at most 8x; a run is held to 4 MiB + 1 KiB per input byte by the default limit. */
const EXPANSION = 1024;

function reference(bytes: Uint8Array): Uint8Array | string {
  try {
    return referenceDecode(bytes, 2 ** 26).decoded;
  } catch (err) {
    return String(err);
  }
}

export const entropy: FuzzTarget = {
  name: 'entropy',
  async seeds({ simd }) {
    const skewed = Uint8Array.from({ length: 3000 }, (_, i) => (i * i) % 7 === 0 ? i & 0xff : 3);
    return [simd.entropy.encode(textLike(2000)), simd.entropy.encode(floatWeights(300)), simd.entropy.encode(skewed),
      simd.entropy.encode(new Uint8Array(40).fill(9)), simd.entropy.encode(new Uint8Array(0))];
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => simd.entropy.decode(offsetView(bytes)), DAMAGED_DATA, 'entropy.decode', bytes.length, EXPANSION);
    sameOutcome(a, await attempt(() => scalar.entropy.decode(bytes), DAMAGED_DATA, 'entropy.decode (scalar)', bytes.length, EXPANSION), 'entropy.decode');
    const expected = reference(bytes);
    if (a.ok) {
      if (typeof expected === 'string') throw new FuzzFailure('entropy.decode accepts what the reference refuses', expected);
      expectSame(a.value, expected, 'entropy.decode differs from the reference');
      return 'OK';
    }
    if (typeof expected !== 'string') {
      const sized = await attempt(() => simd.entropy.decode(bytes, { maxOutputSize: expected.length }), DAMAGED_DATA, 'entropy.decode maxOutputSize', bytes.length, EXPANSION + 2 * Math.ceil(expected.length / bytes.length));
      if (!sized.ok) throw new FuzzFailure(`entropy.decode refuses a valid block: ${sized.outcome}`);
      expectSame(sized.value, expected, 'entropy.decode with maxOutputSize differs from the reference');
    }
    return a.outcome;
  },
};
