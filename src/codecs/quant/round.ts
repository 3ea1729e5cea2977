/** Rounds to the nearest integer, halfway cases to the even one (NumPy's round, ONNX's rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
