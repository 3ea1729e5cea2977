// 8-bit floats (OCP FP8, ONNX float8): E4M3FN (bias 7, no Inf, NaN = S.1111.111, max 448) and E5M2 (bias 15,
// IEEE-like: Inf = S.11111.00, max 57344), to and from float32.
//
// Encoding rounds to nearest, ties to even, subnormals included. Out of range, ONNX Cast's rules apply:
// with `saturate` (ONNX's default) ±Inf and values rounding past the maximum become ±max; without it they become
// NaN (E4M3FN) or ±Inf (E5M2). NaN stays NaN. Decoding is exact for every code.
// Kernels: (src, count, dst, dstCap[, saturate]) → count, or STATUS_OUTPUT_FULL when dstCap < count.

import { STATUS_OUTPUT_FULL } from './status';

const F32_ABS: u32 = 0x7fffffff;
const F32_INF: u32 = 0x7f800000;

/** Encodes one float32 (bits `x`) to an 8-bit float with `mantissa` bits and exponent `bias`. */
// @ts-ignore: decorator
@inline function encode(x: u32, mantissa: u32, bias: u32, maxCode: u32, overflowCode: u32, nanCode: u32, saturate: bool): u32 {
  const sign = (x >> 24) & 0x80;
  const a = x & F32_ABS;
  if (a > F32_INF) return sign | nanCode;
  let code: u32;
  if (a < (128 - bias) << 23) {
    // Below the smallest normal: add a float whose last place is the smallest subnormal step, and let the float32
    // adder round to nearest even; the low bits are then the code (8 for E4M3 / 4 for E5M2 is the smallest normal).
    const magic = (151 - bias - mantissa) << 23;
    code = reinterpret<u32>(reinterpret<f32>(a) + reinterpret<f32>(magic)) - magic;
  } else {
    const shift = 23 - mantissa;
    code = (a - ((127 - bias) << 23) + ((1 << (shift - 1)) - 1) + ((a >> shift) & 1)) >> shift;
  }
  if (code > maxCode) code = saturate ? maxCode : overflowCode; // Inf lands here too: its code is far past max
  return sign | code;
}

/** The SIMD form of encode for four float32 lanes; gives the same codes. */
// @ts-ignore: decorator
@inline function encode4(x: v128, mantissa: u32, bias: u32, maxCode: u32, overflowCode: u32, nanCode: u32, saturate: bool): v128 {
  const sign = v128.and(i32x4.shr_u(x, 24), i32x4.splat(0x80));
  const a = v128.and(x, i32x4.splat(F32_ABS));
  const magic = i32x4.splat((151 - bias - mantissa) << 23);
  const subnormal = i32x4.sub(f32x4.add(a, magic), magic);
  const shift = 23 - mantissa;
  const rounded = i32x4.add(i32x4.sub(a, i32x4.splat(((127 - bias) << 23) - ((1 << (shift - 1)) - 1))),
    v128.and(i32x4.shr_u(a, shift), i32x4.splat(1)));
  // Lanes are below 2^31 here, so signed compares (one SSE instruction each) are exact.
  let code = v128.bitselect(subnormal, i32x4.shr_u(rounded, shift), i32x4.lt_s(a, i32x4.splat((128 - bias) << 23)));
  code = v128.bitselect(i32x4.splat(saturate ? maxCode : overflowCode), code, i32x4.gt_s(code, i32x4.splat(maxCode)));
  code = v128.bitselect(i32x4.splat(nanCode), code, i32x4.gt_s(a, i32x4.splat(F32_INF)));
  return v128.or(sign, code);
}

// @ts-ignore: decorator
@inline function encodeAll(src: usize, count: usize, dst: usize, e5m2: bool, saturate: bool): void {
  const mantissa: u32 = e5m2 ? 2 : 3;
  const bias: u32 = e5m2 ? 15 : 7;
  const maxCode: u32 = e5m2 ? 0x7b : 0x7e;
  const overflowCode: u32 = e5m2 ? 0x7c : 0x7f;
  const nanCode: u32 = e5m2 ? 0x7e : 0x7f;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= count; i += 16) {
      const x = src + (i << 2);
      const a = encode4(v128.load(x), mantissa, bias, maxCode, overflowCode, nanCode, saturate);
      const b = encode4(v128.load(x, 16), mantissa, bias, maxCode, overflowCode, nanCode, saturate);
      const c = encode4(v128.load(x, 32), mantissa, bias, maxCode, overflowCode, nanCode, saturate);
      const d = encode4(v128.load(x, 48), mantissa, bias, maxCode, overflowCode, nanCode, saturate);
      v128.store(dst + i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
    }
  }
  for (; i < count; i++) {
    store<u8>(dst + i, <u8>encode(load<u32>(src + (i << 2)), mantissa, bias, maxCode, overflowCode, nanCode, saturate));
  }
}

/** float32 → E4M3FN for `count` values at `src` into bytes at `dst`. */
export function f32ToFp8E4M3(src: usize, count: usize, dst: usize, dstCap: usize, saturate: bool): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  if (saturate) encodeAll(src, count, dst, false, true);
  else encodeAll(src, count, dst, false, false);
  return <i32>count;
}

/** float32 → E5M2 for `count` values at `src` into bytes at `dst`. */
export function f32ToFp8E5M2(src: usize, count: usize, dst: usize, dstCap: usize, saturate: bool): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  if (saturate) encodeAll(src, count, dst, true, true);
  else encodeAll(src, count, dst, true, false);
  return <i32>count;
}

// Decoding: shifted into a float32's exponent and mantissa fields, an 8-bit float reads 2^(127 - bias) times too
// small (its subnormals become float32 subnormals): one multiply restores it exactly. Codes at the top are special.

// @ts-ignore: decorator
@inline function decodeE4M3(b: u32): u32 {
  const sign = (b & 0x80) << 24;
  const a = b & 0x7f;
  if (a == 0x7f) return sign | 0x7fc00000;
  return sign | reinterpret<u32>(reinterpret<f32>(a << 20) * reinterpret<f32>(<u32>(127 + 120) << 23));
}

// @ts-ignore: decorator
@inline function decodeE5M2(b: u32): u32 {
  const sign = (b & 0x80) << 24;
  const a = b & 0x7f;
  if (a >= 0x7c) return sign | F32_INF | ((a & 3) << 21); // Inf, NaN with its payload
  return sign | reinterpret<u32>(reinterpret<f32>(a << 21) * reinterpret<f32>(<u32>(127 + 112) << 23));
}

/** The SIMD decode of four codes widened to 32-bit lanes; `special` is the code at and above which they are not finite. */
// @ts-ignore: decorator
@inline function decode4(w: v128, shift: i32, scale: v128, special: v128, specialBits: v128, payloadMask: v128): v128 {
  const a = v128.and(w, i32x4.splat(0x7f));
  const finite = f32x4.mul(i32x4.shl(a, shift), scale);
  const nonFinite = v128.or(specialBits, i32x4.shl(v128.and(a, payloadMask), 21));
  const r = v128.bitselect(nonFinite, finite, i32x4.gt_s(a, special));
  return v128.or(r, i32x4.shl(v128.and(w, i32x4.splat(0x80)), 24));
}

function decodeBytes(src: usize, count: usize, dst: usize, e5m2: bool): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const shift = e5m2 ? 21 : 20;
    const scale = f32x4.splat(reinterpret<f32>(<u32>(127 + (e5m2 ? 112 : 120)) << 23));
    const special = i32x4.splat(e5m2 ? 0x7b : 0x7e);
    // E4M3FN's only non-finite code is NaN: a quiet NaN without payload. E5M2 keeps its 2 payload bits (0: Inf).
    const specialBits = i32x4.splat(e5m2 ? F32_INF : 0x7fc00000);
    const payloadMask = i32x4.splat(e5m2 ? 3 : 0);
    for (; i + 16 <= count; i += 16) {
      const bytes = v128.load(src + i);
      const lo = i16x8.extend_low_i8x16_u(bytes);
      const hi = i16x8.extend_high_i8x16_u(bytes);
      const out = dst + (i << 2);
      v128.store(out, decode4(i32x4.extend_low_i16x8_u(lo), shift, scale, special, specialBits, payloadMask));
      v128.store(out, decode4(i32x4.extend_high_i16x8_u(lo), shift, scale, special, specialBits, payloadMask), 16);
      v128.store(out, decode4(i32x4.extend_low_i16x8_u(hi), shift, scale, special, specialBits, payloadMask), 32);
      v128.store(out, decode4(i32x4.extend_high_i16x8_u(hi), shift, scale, special, specialBits, payloadMask), 48);
    }
  }
  for (; i < count; i++) {
    const b = <u32>load<u8>(src + i);
    store<u32>(dst + (i << 2), e5m2 ? decodeE5M2(b) : decodeE4M3(b));
  }
}

/** E4M3FN → float32 for `count` bytes at `src`. */
export function fp8E4M3ToF32(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  decodeBytes(src, count, dst, false);
  return <i32>count;
}

/** E5M2 → float32 for `count` bytes at `src`. */
export function fp8E5M2ToF32(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  decodeBytes(src, count, dst, true);
  return <i32>count;
}
