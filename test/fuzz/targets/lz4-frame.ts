// lz4.decompress on any bytes: the frames it accepts must read the same with the reference frame reader, in both
// builds; anything else is a data error.
import { referenceDecodeFrames } from '../../reference/lz4-frame';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';
import { textLike, runs } from '../../helpers/data';

// LZ4 expands a byte to at most 255 (a match length byte of 0xff).
const EXPANSION = 256;

export const lz4Frame: FuzzTarget = {
  name: 'lz4-frame',
  async seeds({ simd }) {
    const text = textLike(3000);
    return [
      simd.lz4.compress(text),
      simd.lz4.compress(runs(5000), { blockSize: 65536, blockChecksum: true, contentSize: false }),
      simd.lz4.compress(new Uint8Array(0)),
    ];
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => simd.lz4.decompress(offsetView(bytes)), DAMAGED_DATA, 'lz4.decompress', bytes.length, EXPANSION);
    const b = await attempt(() => scalar.lz4.decompress(bytes), DAMAGED_DATA, 'lz4.decompress (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'lz4.decompress');
    if (!a.ok) return a.outcome;
    let reference: Uint8Array;
    try {
      reference = referenceDecodeFrames(bytes);
    } catch (err) {
      throw new FuzzFailure('lz4.decompress accepts what the reference refuses', String(err));
    }
    expectSame(a.value, reference, 'lz4.decompress differs from the reference');
    return 'OK';
  },
};
