// The byte filters' inverses on any bytes: byte 0 picks the typesize (0–17: 0 and 17 are out of range) and the
// integer type for delta, the rest is the data. unshuffle and bitunshuffle must invert the reference shuffles, and
// delta.decode must give the reference running sum, in both builds; a typesize out of range is ARGUMENT (the
// caller's parameter), and nothing else may throw.
import type { Engine, IntegerArray } from '../../../src/index';
import { referenceBitshuffle, referenceShuffle } from '../../reference/shuffle';
import { attempt, expectSame, FuzzFailure, sameOutcome, type FuzzTarget } from '../target';
import { floatWeights, textLike } from '../../helpers/data';

const INTEGER_TYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

function referenceRunningSum(deltas: IntegerArray): IntegerArray {
  const out = deltas.slice() as IntegerArray;
  for (let i = 1; i < out.length; i++) (out as unknown as (number | bigint)[])[i] = (out[i - 1] as number) + (out[i] as number);
  return out;
}

async function checkUnshuffle(simd: Engine, scalar: Engine, data: Uint8Array, typesize: number, bits: boolean): Promise<string> {
  const what = bits ? 'shuffle.bitunshuffle' : 'shuffle.unshuffle';
  const inverse = (e: Engine) => (bits ? e.shuffle.bitunshuffle(data, typesize) : e.shuffle.unshuffle(data, typesize));
  const valid = typesize >= 1 && typesize <= 16;
  const a = await attempt(() => inverse(simd), valid ? [] : ['ARGUMENT'], `${what} typesize ${valid ? '1–16' : 'out of range'}`, data.length, 2);
  sameOutcome(a, await attempt(() => inverse(scalar), valid ? [] : ['ARGUMENT'], `${what} (scalar)`, data.length, 2), what);
  if (!a.ok) return a.outcome;
  if (!valid) throw new FuzzFailure(`${what} accepts typesize ${typesize}`);
  const forward = bits ? referenceBitshuffle(a.value, typesize) : referenceShuffle(a.value, typesize);
  expectSame(forward, data, `${what} is not the inverse of the reference ${bits ? 'bitshuffle' : 'shuffle'}`);
  return 'OK';
}

export const shuffle: FuzzTarget = {
  name: 'shuffle',
  async seeds() {
    return [Uint8Array.of(4, ...floatWeights(64)), Uint8Array.of(2, ...textLike(301)), Uint8Array.of(16, ...floatWeights(40)), Uint8Array.of(7, 1, 2, 3)];
  },
  async run({ simd, scalar }, bytes) {
    if (bytes.length === 0) return 'SKIP';
    const typesize = bytes[0] % 18;
    const data = bytes.subarray(1);
    const outcomes = [await checkUnshuffle(simd, scalar, data, typesize, false), await checkUnshuffle(simd, scalar, data, typesize, true)];
    const Type = INTEGER_TYPES[bytes[0] % INTEGER_TYPES.length];
    const aligned = data.slice(0, data.length - (data.length % Type.BYTES_PER_ELEMENT));
    const deltas = new Type(aligned.buffer) as IntegerArray;
    const a = await attempt(() => simd.delta.decode(deltas), [], `delta.decode ${Type.name}`, aligned.length, 2);
    const b = await attempt(() => scalar.delta.decode(deltas), [], `delta.decode ${Type.name} (scalar)`, aligned.length, 2);
    sameOutcome(a, b, 'delta.decode');
    if (a.ok) expectSame(a.value, referenceRunningSum(deltas), `delta.decode ${Type.name} differs from the reference running sum`);
    return outcomes.join(' | ');
  },
};
