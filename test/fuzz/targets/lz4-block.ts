// lz4.decompressBlock on any bytes, judged by the reference block decoder: what it accepts, the reference decodes to
// the same bytes; what the reference decodes (within the end-of-block rules), it accepts — with and without the
// exact outputSize given. Both builds agree.
import { endOfBlockViolation, referenceDecodeBlock } from '../../reference/lz4-block';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';
import { floatWeights, textLike } from '../../helpers/data';

const EXPANSION = 256;

function reference(bytes: Uint8Array): Uint8Array | string {
  try {
    return referenceDecodeBlock(bytes);
  } catch (err) {
    return String(err);
  }
}

export const lz4Block: FuzzTarget = {
  name: 'lz4-block',
  async seeds({ simd }) {
    return [simd.lz4.compressBlock(textLike(2000)), simd.lz4.compressBlock(floatWeights(300)), simd.lz4.compressBlock(new Uint8Array(40))];
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => simd.lz4.decompressBlock(offsetView(bytes)), DAMAGED_DATA, 'lz4.decompressBlock', bytes.length, EXPANSION);
    const b = await attempt(() => scalar.lz4.decompressBlock(bytes), DAMAGED_DATA, 'lz4.decompressBlock (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'lz4.decompressBlock');
    const expected = reference(bytes);
    if (a.ok) {
      if (typeof expected === 'string') throw new FuzzFailure('lz4.decompressBlock accepts what the reference refuses', expected);
      expectSame(a.value, expected, 'lz4.decompressBlock differs from the reference');
    } else if (typeof expected !== 'string' && endOfBlockViolation(bytes, expected.length) === undefined) {
      throw new FuzzFailure(`lz4.decompressBlock refuses a valid block: ${a.outcome}`);
    }
    if (typeof expected === 'string') return a.ok ? 'OK' : a.outcome;
    const sized = await attempt(() => simd.lz4.decompressBlock(bytes, { outputSize: expected.length }), DAMAGED_DATA, 'lz4.decompressBlock outputSize', bytes.length, EXPANSION);
    if (sized.ok !== a.ok) throw new FuzzFailure(`lz4.decompressBlock with the exact outputSize: ${sized.ok ? 'OK' : sized.outcome.split(':')[0]} but without ${a.ok ? 'OK' : a.outcome.split(':')[0]}`);
    if (sized.ok) expectSame(sized.value, expected, 'lz4.decompressBlock with outputSize differs from the reference');
    return a.ok ? 'OK' : a.outcome;
  },
};
