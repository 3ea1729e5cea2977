// How far a model's outputs moved: per output, the cosine between the original's and the archive's values (as one
// vector), the largest absolute difference, and — for outputs whose last axis holds 2 or more scores — the share of
// rows along that axis whose argmax is the same.
import { TensorzipError } from '../errors';
import type { ModelOutput } from './model-runner';

export interface OutputComparison {
  name: string;
  shape: number[];
  /** Σxy / (‖x‖·‖y‖) over all elements: 1 for equal directions (and for two all-zero outputs), NaN when either holds
   *  a NaN or an infinity. */
  cosine: number;
  /** max |x − y| (NaN when either holds a NaN). */
  maxAbsError: number;
  /** Share of rows (all axes but the last) whose largest element sits at the same index (the first, on a tie); null
   *  when the last axis is shorter than 2 (a lone score has no argmax to agree on). */
  argmaxAgreement: number | null;
}

function cosine(x: Float64Array, y: Float64Array): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  if (!Number.isFinite(xy + xx + yy)) return NaN;
  if (xx === 0 || yy === 0) return xx === yy ? 1 : 0;
  return Math.min(1, Math.max(-1, xy / Math.sqrt(xx * yy)));
}

function maxAbsError(x: Float64Array, y: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (!(d <= max)) max = d; // NaN wins
  }
  return max;
}

function argmaxOf(v: Float64Array, from: number, length: number): number {
  let best = from;
  for (let i = from + 1; i < from + length; i++) if (v[i] > v[best]) best = i;
  return best - from;
}

function argmaxAgreement(x: Float64Array, y: Float64Array, shape: readonly number[]): number | null {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (last < 2) return null;
  const rows = x.length / last;
  let same = 0;
  for (let r = 0; r < rows; r++) if (argmaxOf(x, r * last, last) === argmaxOf(y, r * last, last)) same++;
  return rows === 0 ? 1 : same / rows;
}

/** The archive's outputs against the original's, output by output (matched by name). */
export function compareOutputs(original: readonly ModelOutput[], archive: readonly ModelOutput[]): OutputComparison[] {
  const byName = new Map(archive.map((o) => [o.name, o]));
  return original.map((x) => {
    const y = byName.get(x.name);
    if (y === undefined || y.values.length !== x.values.length || y.shape.join() !== x.shape.join()) {
      throw new TensorzipError('CORRUPT', `output ${x.name}: the archive's model gives ${y === undefined ? 'no such output' : `shape [${y.shape.join(', ')}]`}, the original [${x.shape.join(', ')}]`);
    }
    return { name: x.name, shape: [...x.shape], cosine: cosine(x.values, y.values), maxAbsError: maxAbsError(x.values, y.values), argmaxAgreement: argmaxAgreement(x.values, y.values, x.shape) };
  });
}

/** The lowest cosine of `outputs` (NaN when any is NaN; 1 for none). */
export function minCosine(outputs: readonly OutputComparison[]): number {
  return outputs.reduce((min, o) => (o.cosine !== o.cosine || min !== min ? NaN : Math.min(min, o.cosine)), 1);
}
