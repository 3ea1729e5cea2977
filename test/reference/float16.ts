// Reference float16 / bfloat16 conversions written from the IEEE 754 definitions with plain numbers (no bit tricks):
// slow and obvious, the judge for the kernels.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export const bitsOf = (x: number) => ((f32[0] = x), u32[0]);
export const floatOf = (bits: number) => ((u32[0] = bits >>> 0), f32[0]);

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** float16 code → the float32 bits of its value (NaN: float32 NaN with the same sign and payload). */
export function referenceDecodeFloat16(h: number): number {
  const sign = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return ((h & 0x8000) << 16) | 0x7f800000 | (m << 13);
  const value = e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
  return bitsOf(value);
}

/** float32 value → float16 code by IEEE rounding to nearest even (NaN → quiet NaN keeping the top payload bits). */
export function referenceEncodeFloat16(bits: number): number {
  const signBit = (bits >>> 16) & 0x8000;
  const value = Math.abs(floatOf(bits));
  if (Number.isNaN(value)) return signBit | 0x7e00 | ((bits >>> 13) & 0x3ff);
  if (value === Infinity) return signBit | 0x7c00;
  // The step between neighbouring float16 values at this magnitude (2^-24 below 2^-14).
  const exponent = value === 0 ? -14 : Math.max(-14, Math.floor(Math.log2(value)));
  const step = 2 ** (exponent - 10);
  const rounded = roundHalfEven(value / step) * step;
  if (rounded >= 65536) return signBit | 0x7c00;
  if (rounded < 2 ** -14) return signBit | (rounded / 2 ** -24);
  const e = Math.floor(Math.log2(rounded));
  return signBit | ((e + 15) << 10) | (rounded / 2 ** (e - 10) - 1024);
}

/** float32 bits → bfloat16 code: the magnitude's bits divided by 2^16, rounded to nearest even. */
export function referenceEncodeBfloat16(bits: number): number {
  const magnitude = bits & 0x7fffffff;
  const sign = (bits >>> 16) & 0x8000;
  if (magnitude > 0x7f800000) return sign | (magnitude >>> 16) | 0x40;
  return sign | roundHalfEven(magnitude / 65536);
}
