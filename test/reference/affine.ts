// ONNX QuantizeLinear / DequantizeLinear (opset 21) written from the operator text with plain numbers: every element
// finds its scale from its full multi-index, as the spec describes it. Slow and obvious, the judge for the kernels.

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return diff < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Index of the scale element (i0..in) uses: per-tensor (axis null), per-axis, or blocked (blockSize along axis). */
export function referenceScaleIndex(shape: number[], index: number, axis: number | null, blockSize: number | null): number {
  if (axis === null) return 0;
  const coords: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  if (blockSize === null) return coords[axis];
  const scaleShape = shape.map((n, d) => (d === axis ? n / blockSize : n));
  return coords.reduce((flat, c, d) => flat * scaleShape[d] + (d === axis ? Math.floor(c / blockSize) : c), 0);
}

export interface ReferenceAffine {
  shape: number[];
  scale: ArrayLike<number>;
  zeroPoint: ArrayLike<number> | null;
  axis: number | null;
  blockSize: number | null;
}

/** y = saturate(roundHalfEven(x / scale) + zeroPoint), the division in float32. */
export function referenceQuantize(x: Float32Array, p: ReferenceAffine, qmin: number, qmax: number): number[] {
  return Array.from(x, (v, i) => {
    const s = referenceScaleIndex(p.shape, i, p.axis, p.blockSize);
    const q = roundHalfEven(Math.fround(v / p.scale[s])) + (p.zeroPoint === null ? 0 : p.zeroPoint[s]);
    return Math.min(qmax, Math.max(qmin, q));
  });
}

/** y = (q − zeroPoint) · scale in float32. */
export function referenceDequantize(codes: ArrayLike<number>, p: ReferenceAffine): Float32Array {
  return Float32Array.from({ length: codes.length }, (_, i) => {
    const s = referenceScaleIndex(p.shape, i, p.axis, p.blockSize);
    return (codes[i] - (p.zeroPoint === null ? 0 : p.zeroPoint[s])) * p.scale[s];
  });
}

/** ONNX 4-bit packing: element 2k in bits 0–3 of byte k, element 2k+1 in bits 4–7. */
export function referencePack4(codes: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  codes.forEach((c, i) => { out[i >> 1] |= (c & 15) << (i % 2 === 0 ? 0 : 4); });
  return out;
}

/** The inverse of referencePack4, sign-extending for int4. */
export function referenceUnpack4(bytes: Uint8Array, count: number, signed: boolean): number[] {
  return Array.from({ length: count }, (_, i) => {
    const v = (bytes[i >> 1] >> (i % 2 === 0 ? 0 : 4)) & 15;
    return signed && v >= 8 ? v - 16 : v;
  });
}
