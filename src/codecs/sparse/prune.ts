// Magnitude pruning: sets the smallest weights to zero so sparse packing has zeros to drop.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import { expectArray } from '../quant/expect-array';
import type { PruneOptions } from './types';

export function prune(data: Float32Array, options: PruneOptions): Float32Array {
  const input = expectArray(data, Float32Array, 'sparse.prune data');
  const out = Float32Array.from(input);
  if (options !== null && typeof options === 'object' && 'pattern' in options) {
    if (options.pattern !== '2:4') throw new TensorzipError('ARGUMENT', `sparse.prune pattern: expected '2:4', found ${describeValue(options.pattern)}`);
    return pruneTwoOfFour(out);
  }
  if (options !== null && typeof options === 'object' && 'threshold' in options) {
    const t = options.threshold;
    if (typeof t !== 'number' || !(t >= 0) || t === Infinity) throw new TensorzipError('ARGUMENT', `sparse.prune threshold: expected a finite number ≥ 0, found ${describeValue(t)}`);
    const cut = Math.fround(t); // compared as the float32 it would be stored as, so 0.02 keeps float32(0.02)
    for (let i = 0; i < out.length; i++) if (Math.abs(out[i]) < cut) out[i] = 0;
    return out;
  }
  if (options !== null && typeof options === 'object' && 'sparsity' in options) {
    const s = options.sparsity;
    if (typeof s !== 'number' || !(s >= 0 && s <= 1)) throw new TensorzipError('ARGUMENT', `sparse.prune sparsity: expected a number from 0 to 1, found ${describeValue(s)}`);
    return pruneSmallest(out, Math.round(s * out.length));
  }
  throw new TensorzipError('ARGUMENT', "sparse.prune options: expected { sparsity }, { threshold } or { pattern: '2:4' }");
}

/** Zeroes the `k` elements of smallest magnitude; among equal magnitudes, the lower indices go first. */
function pruneSmallest(out: Float32Array, k: number): Float32Array {
  if (k === 0) return out;
  const magnitudes = out.map(Math.abs).sort(); // NaN sorts last: never pruned before a number
  const cut = magnitudes[k - 1];
  let zeroed = 0;
  for (let i = 0; i < out.length; i++) {
    if (Math.abs(out[i]) < cut) {
      out[i] = 0;
      zeroed++;
    }
  }
  for (let i = 0; i < out.length && zeroed < k; i++) {
    if (Math.abs(out[i]) === cut) {
      out[i] = 0;
      zeroed++;
    }
  }
  return out;
}

/** In each group of 4 consecutive elements, keeps the 2 of largest magnitude (NaN counts as the largest; the lower
 *  index wins a tie). */
function pruneTwoOfFour(out: Float32Array): Float32Array {
  if (out.length % 4 !== 0) throw new TensorzipError('ARGUMENT', `sparse.prune: 2:4 pruning needs a multiple of 4 elements, found ${out.length}`);
  const order = [0, 1, 2, 3];
  for (let g = 0; g < out.length; g += 4) {
    const mag = (i: number) => (Number.isNaN(out[g + i]) ? Infinity : Math.abs(out[g + i]));
    order.sort((a, b) => (mag(a) === mag(b) ? a - b : mag(b) > mag(a) ? 1 : -1));
    out[g + order[2]] = 0;
    out[g + order[3]] = 0;
    order.sort((a, b) => a - b);
  }
  return out;
}
