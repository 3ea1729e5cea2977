// Reference FP8 conversions from the formulas in ONNX docs/docsgen/source/technical/float8.md (see
// shared/research/formats.md A8.3), with plain numbers: decode by the value formula, encode by searching the
// nearest code, ties to even, then ONNX Cast's saturation table.

export interface Fp8Format { name: string; mantissa: number; bias: number; max: number; hasInf: boolean }
export const E4M3FN: Fp8Format = { name: 'E4M3FN', mantissa: 3, bias: 7, max: 448, hasInf: false };
export const E5M2: Fp8Format = { name: 'E5M2', mantissa: 2, bias: 15, max: 57344, hasInf: true };

/** The value of a code (NaN for NaN codes, ±Infinity for E5M2's Inf). */
export function referenceDecodeFp8(code: number, f: Fp8Format): number {
  const sign = code & 0x80 ? -1 : 1;
  const e = (code & 0x7f) >> f.mantissa;
  const m = code & ((1 << f.mantissa) - 1);
  const top = (1 << (7 - f.mantissa)) - 1;
  if (f.hasInf && e === top) return m === 0 ? sign * Infinity : NaN;
  if (!f.hasInf && e === top && m === (1 << f.mantissa) - 1) return NaN;
  const scale = 2 ** f.mantissa;
  return e === 0 ? sign * (m / scale) * 2 ** (1 - f.bias) : sign * (1 + m / scale) * 2 ** (e - f.bias);
}

/** The code for a value: nearest finite code (ties to the even code), then ONNX's rules out of range. */
export function referenceEncodeFp8(value: number, f: Fp8Format, saturate: boolean): number {
  const signBit = value < 0 || Object.is(value, -0) ? 0x80 : 0;
  if (Number.isNaN(value)) return null as never; // callers check NaN separately (any NaN code is right)
  const a = Math.abs(value);
  const overflow = signBit | (saturate ? maxCode(f) : f.hasInf ? 0x7c : 0x7f);
  if (a === Infinity) return overflow;
  let best = 0;
  for (let code = 1; code <= maxCode(f); code++) {
    const d = Math.abs(referenceDecodeFp8(code, f) - a);
    const bestD = Math.abs(referenceDecodeFp8(best, f) - a);
    if (d < bestD || (d === bestD && code % 2 === 0)) best = code;
  }
  // Past the largest finite: rounds up when nearer to (or tied with, largest being odd) the next step up.
  const next = f.max + 2 ** (Math.floor(Math.log2(f.max)) - f.mantissa);
  if (a > (f.max + next) / 2 || (a === (f.max + next) / 2 && maxCode(f) % 2 === 1)) return overflow;
  return signBit | best;
}

export function maxCode(f: Fp8Format): number {
  return f.hasInf ? 0x7b : 0x7e;
}
