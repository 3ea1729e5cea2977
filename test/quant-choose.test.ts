import { describe, expect, it } from 'vitest';
import type { QuantizeOptions } from '../src/index';
import { BUILDS } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';

/** Bytes each scheme stores for a [rows, cols] tensor (codes + float32 scales + zero points), written out by hand. */
function storedBytes(options: QuantizeOptions, rows: number, cols: number): number {
  const n = rows * cols;
  switch (options.dtype) {
    case 'int4': return n / 2 + (n / 32) * 4;
    case 'q4_0': return (n / 32) * 18;
    case 'q4_1': return (n / 32) * 20;
    case 'q8_0': return (n / 32) * 34;
    case 'int8': return n + rows * 4;
    case 'uint8': return n + rows * 5;
    case 'float8e4m3fn': case 'float8e5m2': return n;
    case 'float16': case 'bfloat16': return n * 2;
    default: return n * 4;
  }
}

const SCHEMES: QuantizeOptions[] = [
  { dtype: 'q4_0' }, { dtype: 'int4', blockSize: 32 }, { dtype: 'q4_1' }, { dtype: 'float8e4m3fn' }, { dtype: 'float8e5m2' },
  { dtype: 'int8', axis: 0 }, { dtype: 'uint8', axis: 0 }, { dtype: 'q8_0' }, { dtype: 'float16' }, { dtype: 'bfloat16' },
  { dtype: 'float32' },
];

describe.each(BUILDS)('quant.choose (%s build)', (_, { quant }) => {
  const rows = 48, cols = 64;
  const next = random(17);
  const x = Float32Array.from({ length: rows * cols }, (_, i) => (next() + next() + next() - 1.5) * (1 + (i % rows) / 8) * 0.02);

  for (const budget of [{ minSqnrDb: 15 }, { minSqnrDb: 25 }, { minSqnrDb: 40 }, { minSqnrDb: 60 }, { minSqnrDb: 200 },
    { maxAbsError: 1e-2 }, { maxAbsError: 1e-4 }, { maxAbsError: 1e-3, minSqnrDb: 30 }]) {
    it(`picks the smallest scheme that meets ${JSON.stringify(budget)}`, () => {
      const meets = (s: { maxAbsError: number; sqnrDb: number }) =>
        (budget.maxAbsError === undefined || s.maxAbsError <= budget.maxAbsError) && (budget.minSqnrDb === undefined || s.sqnrDb >= budget.minSqnrDb);
      const chosen = quant.choose(x, { shape: [rows, cols], ...budget });
      expect(meets(chosen.stats)).toBe(true);
      const chosenBytes = storedBytes({ dtype: chosen.dtype }, rows, cols);
      for (const scheme of SCHEMES) {
        if (storedBytes(scheme, rows, cols) >= chosenBytes) continue;
        const alternative = quant.quantize(x, { ...scheme, shape: [rows, cols] });
        expect(meets(alternative.stats), `${scheme.dtype} is smaller and meets the budget`).toBe(false);
      }
    });
  }

  it('never picks float16 for values past 65504 (BatchNorm variances), even when its error would pass', () => {
    const variances = Float32Array.from({ length: 64 }, (_, i) => (i === 5 ? 65510 : i * 0.5));
    // float16 would store 65510 as 65504 and the rest exactly (error 6); bfloat16 (step 256 there) and the 8-bit and
    // 4-bit types (step ≥ 65510 / 127) miss the budget.
    expect(quant.quantize(variances, { dtype: 'bfloat16' }).stats.maxAbsError).toBeGreaterThan(8);
    expect(quant.choose(variances, { maxAbsError: 8 }).dtype).toBe('float32');
    const large = Float32Array.from({ length: 64 }, (_, i) => 1e7 * (1 + i / 64));
    const q = quant.choose(large, { minSqnrDb: 45 });
    expect(q.dtype).not.toBe('float16');
    expect(q.stats.sqnrDb).toBeGreaterThanOrEqual(45);
    expect(Number.isFinite(quant.dequantize(q).reduce((a, b) => a + b))).toBe(true);
  });

  it('puts the per-axis candidates on the axis it is given (output channels last, as TF.js keeps them)', () => {
    // Columns of growing magnitude and a width no 32-blocks fit: int8 per axis is the answer, and per column it is
    // the better one.
    const cols = 40;
    const y = Float32Array.from({ length: rows * cols }, (_, i) => (next() + next() + next() - 1.5) * (1 + (i % cols) / 4) * 0.02);
    const perColumn = quant.choose(y, { shape: [rows, cols], minSqnrDb: 45, axis: 1 });
    expect(perColumn).toMatchObject({ dtype: 'int8', axis: 1 });
    expect(perColumn.data).toEqual(quant.quantize(y, { dtype: 'int8', axis: 1, shape: [rows, cols] }).data);
    expect(quant.choose(y, { shape: [rows, cols], minSqnrDb: 45, axis: -1 }).axis).toBe(1);
    expect(quant.quantize(y, { dtype: 'int8', axis: 0, shape: [rows, cols] }).stats.sqnrDb).toBeLessThan(45);
    expectError(() => quant.choose(y, { shape: [rows, cols], minSqnrDb: 45, axis: 2 }), 'ARGUMENT');
  });

  it('needs a budget and finite values', () => {
    expectError(() => quant.choose(x, { shape: [rows, cols] }), 'ARGUMENT');
    expectError(() => quant.choose(x, { minSqnrDb: NaN }), 'ARGUMENT');
    expectError(() => quant.choose(Float32Array.of(1, NaN), { minSqnrDb: 10 }), 'ARGUMENT');
    expectError(() => quant.choose(x, { shape: [5, 5], minSqnrDb: 10 }), 'ARGUMENT');
  });
});
