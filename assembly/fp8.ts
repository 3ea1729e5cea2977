// 8-bit floats (OCP FP8, ONNX float8): E4M3FN (bias 7, no Inf, NaN = S.1111.111, max 448) and E5M2 (bias 15,
// IEEE-like: Inf = S.11111.00, max 57344), to and from float32.
//
// Encoding rounds to nearest, ties to even, subnormals included. Out of range, ONNX Cast's rules apply:
// with `saturate` (ONNX's default) ±Inf and values rounding past the maximum become ±max; without it they become
// NaN (E4M3FN) or ±Inf (E5M2). NaN stays NaN. Decoding is exact for every code.
// Kernels: (src, count, dst, dstCap[, saturate]) → count, or STATUS_OUTPUT_FULL when dstCap < count.

import { STATUS_OUTPUT_FULL } from './status';
import { interleaveBytesHigh, interleaveBytesLow, interleaveHigh, interleaveLow } from './interleave';

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

// Decoding: shifted into a float32's exponent and mantissa fields, a normal 8-bit float reads 2^(127 - bias) times
// too small, and one multiply restores it exactly. A subnormal would become a float32 subnormal, and a subnormal
// operand costs the multiply a microcode assist (measured: 12 → 4.4 GB/s with 10% subnormal codes; an unscaled
// cast of N(0, 0.02) weights to E4M3 is over half subnormals). So a subnormal code is decoded as the smallest
// normal plus its mantissa, less that smallest normal: an exact difference. Codes at the top are special.
// Blocks of 16 codes with neither (most blocks of scaled weights) take a shorter path, built at 16-bit width.

/** 2^-9 and 2^-16, the subnormal steps of E4M3 and E5M2. */
const E4M3_STEP: f32 = reinterpret<f32>(<u32>(127 - 9) << 23);
const E5M2_STEP: f32 = reinterpret<f32>(<u32>(127 - 16) << 23);

// @ts-ignore: decorator
@inline function decodeE4M3(b: u32): u32 {
  const sign = (b & 0x80) << 24;
  const a = b & 0x7f;
  if (a == 0x7f) return sign | 0x7fc00000;
  if (a < 8) return sign | reinterpret<u32>(<f32>a * E4M3_STEP);
  return sign | reinterpret<u32>(reinterpret<f32>(a << 20) * reinterpret<f32>(<u32>(127 + 120) << 23));
}

// @ts-ignore: decorator
@inline function decodeE5M2(b: u32): u32 {
  const sign = (b & 0x80) << 24;
  const a = b & 0x7f;
  if (a >= 0x7c) return sign | F32_INF | ((a & 3) << 21); // Inf, NaN with its payload
  if (a < 4) return sign | reinterpret<u32>(<f32>a * E5M2_STEP);
  return sign | reinterpret<u32>(reinterpret<f32>(a << 21) * reinterpret<f32>(<u32>(127 + 112) << 23));
}

/** The SIMD decode of four codes widened to 32-bit lanes; `special` is the code at and above which they are not
 *  finite, `implicit` the code of the smallest normal and `minNormal` its float32 bits. */
// @ts-ignore: decorator
@inline function decode4(w: v128, shift: i32, scale: v128, special: v128, specialBits: v128, payloadMask: v128,
  implicit: v128, minNormal: v128): v128 {
  const a = v128.and(w, i32x4.splat(0x7f));
  const subnormal = i32x4.lt_s(a, implicit); // and ±0
  const raised = v128.or(a, v128.and(subnormal, implicit));
  const finite = f32x4.sub(f32x4.mul(i32x4.shl(raised, shift), scale), v128.and(subnormal, minNormal));
  const nonFinite = v128.or(specialBits, i32x4.shl(v128.and(a, payloadMask), 21));
  const r = v128.bitselect(nonFinite, finite, i32x4.gt_s(a, special));
  return v128.or(r, i32x4.shl(v128.and(w, i32x4.splat(0x80)), 24));
}

// The fast decode loop's vectors per format, loaded once before it (V8 rebuilds vector constants on every pass):
// E4M3FN row, then E5M2 row.
const FP8_DECODE_CONSTANTS = memory.data<u32>([
  // 2^120 | sign and the 7 code bits under it, in each 16-bit lane | 0x7f per byte | 1 per byte |
  // the largest subnormal code less 1, per byte | the largest finite code, per byte
  0x7b800000, 0x7b800000, 0x7b800000, 0x7b800000, 0x87f087f0, 0x87f087f0, 0x87f087f0, 0x87f087f0,
  0x7f7f7f7f, 0x7f7f7f7f, 0x7f7f7f7f, 0x7f7f7f7f, 0x01010101, 0x01010101, 0x01010101, 0x01010101,
  0x06060606, 0x06060606, 0x06060606, 0x06060606, 0x7e7e7e7e, 0x7e7e7e7e, 0x7e7e7e7e, 0x7e7e7e7e,
  // 2^112 | … | … | … | … | …
  0x77800000, 0x77800000, 0x77800000, 0x77800000, 0x8fe08fe0, 0x8fe08fe0, 0x8fe08fe0, 0x8fe08fe0,
  0x7f7f7f7f, 0x7f7f7f7f, 0x7f7f7f7f, 0x7f7f7f7f, 0x01010101, 0x01010101, 0x01010101, 0x01010101,
  0x02020202, 0x02020202, 0x02020202, 0x02020202, 0x7b7b7b7b, 0x7b7b7b7b, 0x7b7b7b7b, 0x7b7b7b7b,
], 16);

function decodeBytes(src: usize, count: usize, dst: usize, e5m2: bool): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const shift = e5m2 ? 21 : 20;
    const row = FP8_DECODE_CONSTANTS + (e5m2 ? 96 : 0);
    const scale = v128.load(row);
    const signAndCode = v128.load(row, 16);
    const magnitude = v128.load(row, 32);
    const one = v128.load(row, 48);
    const subnormalTop = v128.load(row, 64);
    const largestFinite = v128.load(row, 80);
    const zero = i8x16.splat(0);
    const special = i32x4.splat(e5m2 ? 0x7b : 0x7e);
    // E4M3FN's only non-finite code is NaN: a quiet NaN without payload. E5M2 keeps its 2 payload bits (0: Inf).
    const specialBits = i32x4.splat(e5m2 ? F32_INF : 0x7fc00000);
    const payloadMask = i32x4.splat(e5m2 ? 3 : 0);
    const implicit = i32x4.splat(e5m2 ? 4 : 8);
    const minNormal = i32x4.splat((127 - (e5m2 ? 14 : 6)) << 23);
    for (; i + 16 <= count; i += 16) {
      const bytes = v128.load(src + i);
      const out = dst + (i << 2);
      // Subnormal codes (1 up to the smallest normal, less 1: under subnormalTop + 1 after subtracting 1) and
      // non-finite ones send the block of 16 to the slow path; ±0 and normal codes stay.
      const below = i8x16.sub(v128.and(bytes, magnitude), one);
      const rare = v128.or(i8x16.eq(i8x16.min_u(below, subnormalTop), below), i8x16.gt_s(v128.and(bytes, magnitude), largestFinite));
      if (!v128.any_true(rare)) {
        // A code as the high byte of a 16-bit lane, shifted right (arithmetic) and masked, is the top half of the
        // float32 with the code's sign, exponent and mantissa in place; its low half is zero. It reads 2^(127 − bias)
        // times too small: the multiply fixes that.
        const low = v128.and(i16x8.shr_s(interleaveBytesLow(zero, bytes), e5m2 ? 3 : 4), signAndCode);
        const high = v128.and(i16x8.shr_s(interleaveBytesHigh(zero, bytes), e5m2 ? 3 : 4), signAndCode);
        v128.store(out, f32x4.mul(interleaveLow(zero, low), scale));
        v128.store(out, f32x4.mul(interleaveHigh(zero, low), scale), 16);
        v128.store(out, f32x4.mul(interleaveLow(zero, high), scale), 32);
        v128.store(out, f32x4.mul(interleaveHigh(zero, high), scale), 48);
      } else {
        const lo = i16x8.extend_low_i8x16_u(bytes);
        const hi = i16x8.extend_high_i8x16_u(bytes);
        v128.store(out, decode4(i32x4.extend_low_i16x8_u(lo), shift, scale, special, specialBits, payloadMask, implicit, minNormal));
        v128.store(out, decode4(i32x4.extend_high_i16x8_u(lo), shift, scale, special, specialBits, payloadMask, implicit, minNormal), 16);
        v128.store(out, decode4(i32x4.extend_low_i16x8_u(hi), shift, scale, special, specialBits, payloadMask, implicit, minNormal), 32);
        v128.store(out, decode4(i32x4.extend_high_i16x8_u(hi), shift, scale, special, specialBits, payloadMask, implicit, minNormal), 48);
      }
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
