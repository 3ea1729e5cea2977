// 16-bit floats: IEEE 754 binary16 ("float16") and bfloat16, to and from float32.
//
// float16: round to nearest, ties to even; |x| ≥ 65520 (halfway past the largest finite, 65504) becomes ±Inf;
// results below 2^-14 become subnormals (rounded the same way) or ±0; NaN stays NaN: quiet, with the top 9 payload
// bits kept (as x86 F16C and Arm FCVT do). Decoding is exact for every code, NaN payloads included.
// bfloat16: the top half of the float32 bits, rounded to nearest even; NaN stays NaN (quiet); decoding is exact.
//
// Kernels take element counts: (src, count, dst, dstCap). They write `count` results and return it, or return
// STATUS_OUTPUT_FULL when dstCap < count. Never read or write outside those elements.

import { STATUS_OUTPUT_FULL } from './status';
import { interleaveHigh, interleaveLow } from './interleave';

const F32_ABS: u32 = 0x7fffffff;
const F32_INF: u32 = 0x7f800000;
/** 65520: from here on, float16 rounds to Inf. */
const F16_OVERFLOW: u32 = 0x477ff000;
/** 2^-14, the smallest normal float16. */
const F16_MIN_NORMAL: u32 = 0x38800000;
/** Adding 0.5 to a value below 2^-14 leaves, in its low bits, the value rounded to a multiple of 2^-24 (the float16
 *  subnormal step): the float32 adder does the rounding to nearest even. */
const SUBNORMAL_MAGIC: u32 = 0x3f000000;
/** Rebias the exponent from float32 (127) to float16 (15), then add just under half a float16 step. */
const REBIAS_AND_HALF: u32 = (<u32>(15 - 127) << 23) + 0xfff;
/** 2^112: a float16 code shifted into float32 place reads 2^112 times too small. */
const F16_TO_F32_SCALE: f32 = reinterpret<f32>(<u32>(127 + 112) << 23);
/** 2^-24, the float16 subnormal step. */
const SUBNORMAL_STEP: f32 = reinterpret<f32>(<u32>(127 - 24) << 23);

// @ts-ignore: decorator
@inline export function f32BitsToF16(x: u32): u32 {
  const sign = (x >> 16) & 0x8000;
  const a = x & F32_ABS;
  if (a > F32_INF) return sign | 0x7e00 | ((a >> 13) & 0x3ff); // NaN: quiet, payload top bits kept
  if (a >= F16_OVERFLOW) return sign | 0x7c00; // Inf, and finite values that round past 65504
  if (a < F16_MIN_NORMAL) {
    return sign | (reinterpret<u32>(reinterpret<f32>(a) + reinterpret<f32>(SUBNORMAL_MAGIC)) - SUBNORMAL_MAGIC);
  }
  return sign | ((a + REBIAS_AND_HALF + ((a >> 13) & 1)) >> 13);
}

// @ts-ignore: decorator
@inline export function f16ToF32Bits(h: u32): u32 {
  const sign = (h & 0x8000) << 16;
  const a = h & 0x7fff;
  if (a >= 0x7c00) return sign | F32_INF | ((a & 0x3ff) << 13); // Inf, NaN with its payload
  // A subnormal is a count of 2^-24 steps; converted from an integer, it never meets a subnormal float32 operand
  // (which would cost the multiply a slow microcode assist).
  if (a < 0x400) return sign | reinterpret<u32>(<f32>a * SUBNORMAL_STEP);
  // Shifted into place, a normal float16 reads as a float32 2^112 times too small: scale it back.
  return sign | reinterpret<u32>(reinterpret<f32>(a << 13) * F16_TO_F32_SCALE);
}

// @ts-ignore: decorator
@inline function f32BitsToBf16(x: u32): u32 {
  if ((x & F32_ABS) > F32_INF) return (x >> 16) | 0x40; // NaN: quiet, and never rounded into Inf
  return (x + 0x7fff + ((x >> 16) & 1)) >> 16;
}

/** float32 → float16 for `count` values at `src` (4-byte) into `dst` (2-byte). */
export function f32ToF16(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const signMask = i32x4.splat(0x8000);
    const absMask = i32x4.splat(F32_ABS);
    const inf = i32x4.splat(F32_INF);
    const overflow = i32x4.splat(F16_OVERFLOW);
    const minNormal = i32x4.splat(F16_MIN_NORMAL);
    const magic = i32x4.splat(SUBNORMAL_MAGIC);
    const rebias = i32x4.splat(REBIAS_AND_HALF);
    const one = i32x4.splat(1);
    for (; i + 8 <= count; i += 8) {
      const lo = convert4(v128.load(src + (i << 2)), signMask, absMask, inf, overflow, minNormal, magic, rebias, one);
      const hi = convert4(v128.load(src + (i << 2), 16), signMask, absMask, inf, overflow, minNormal, magic, rebias, one);
      v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(lo, hi));
    }
  }
  for (; i < count; i++) store<u16>(dst + (i << 1), <u16>f32BitsToF16(load<u32>(src + (i << 2))));
  return <i32>count;
}

/** The SIMD form of f32BitsToF16 for four lanes: every case computed, then the right one selected per lane. */
// @ts-ignore: decorator
@inline function convert4(x: v128, signMask: v128, absMask: v128, inf: v128, overflow: v128, minNormal: v128,
  magic: v128, rebias: v128, one: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), signMask);
  const a = v128.and(x, absMask);
  const normal = i32x4.shr_u(i32x4.add(i32x4.add(a, rebias), v128.and(i32x4.shr_u(a, 13), one)), 13);
  const subnormal = i32x4.sub(f32x4.add(a, magic), magic);
  const nan = v128.or(i32x4.splat(0x7e00), v128.and(i32x4.shr_u(a, 13), i32x4.splat(0x3ff)));
  let r = v128.bitselect(subnormal, normal, i32x4.lt_u(a, minNormal));
  r = v128.bitselect(i32x4.splat(0x7c00), r, i32x4.ge_u(a, overflow));
  r = v128.bitselect(nan, r, i32x4.gt_u(a, inf));
  return v128.or(r, sign);
}

// The fast decode loop's vectors, loaded once before it: written as constants, V8 (Node 20) rebuilds each of them on
// every pass (3 instructions apiece); loaded, they stay in registers (measured: 25 → 29 GB/s, +4–11% end to end).
const F16_DECODE_CONSTANTS = memory.data<u32>([
  0x77800000, 0x77800000, 0x77800000, 0x77800000, // F16_TO_F32_SCALE, 2^112
  0x8fff8fff, 0x8fff8fff, 0x8fff8fff, 0x8fff8fff, // sign and 12 bits below it, in each 16-bit lane
  0x00020002, 0x00020002, 0x00020002, 0x00020002, // 2 in each 16-bit lane
  0x07ff07ff, 0x07ff07ff, 0x07ff07ff, 0x07ff07ff, // 2047 in each 16-bit lane
], 16);

/** float16 → float32 for `count` values at `src` (2-byte) into `dst` (4-byte). */
export function f16ToF32(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const scale = v128.load(F16_DECODE_CONSTANTS);
    const signAndTopBits = v128.load(F16_DECODE_CONSTANTS, 16);
    const two = v128.load(F16_DECODE_CONSTANTS, 32);
    const firstNormal = v128.load(F16_DECODE_CONSTANTS, 48);
    for (; i + 16 <= count; i += 16) {
      const h = v128.load(src + (i << 1));
      const g = v128.load(src + (i << 1), 16);
      const out = dst + (i << 2);
      // Shifted left by one (sign dropped), read as i16 and folded by abs, subnormal, Inf and NaN codes land in
      // 2..2048 with the smallest normals (2048), and ±0 and the other normals outside it. Less 2: under 2047.
      const h2 = i16x8.sub(i16x8.abs(i16x8.shl(h, 1)), two);
      const g2 = i16x8.sub(i16x8.abs(i16x8.shl(g, 1)), two);
      if (!v128.any_true(i16x8.sub_sat_u(firstNormal, i16x8.min_u(h2, g2)))) {
        // Each float32 is built as two 16-bit halves and the halves are interleaved: the high half is the sign with
        // the code's top bits (an arithmetic shift by 3, masked), the low half its last 3 mantissa bits. The result
        // is the code shifted left by 13 (fewer steps than widening it to 32 bits first): a normal code then reads
        // as a float32 2^112 times too small, and the multiply fixes that and keeps the sign.
        const hHigh = v128.and(i16x8.shr_s(h, 3), signAndTopBits);
        const gHigh = v128.and(i16x8.shr_s(g, 3), signAndTopBits);
        const hLow = i16x8.shl(h, 13);
        const gLow = i16x8.shl(g, 13);
        v128.store(out, f32x4.mul(interleaveLow(hLow, hHigh), scale));
        v128.store(out, f32x4.mul(interleaveHigh(hLow, hHigh), scale), 16);
        v128.store(out, f32x4.mul(interleaveLow(gLow, gHigh), scale), 32);
        v128.store(out, f32x4.mul(interleaveHigh(gLow, gHigh), scale), 48);
      } else {
        anyHalvesToF32(h, g, out);
      }
    }
  }
  for (; i < count; i++) store<u32>(dst + (i << 2), f16ToF32Bits(<u32>load<u16>(src + (i << 1))));
  return <i32>count;
}

/** The SIMD form of f16ToF32Bits for 16 codes, every case computed and the right one selected per lane. Unlike the
 *  fast path, it works on zero-extended codes: sharing no value with it leaves the fast path its registers. */
// @ts-ignore: decorator
@inline function anyHalvesToF32(h: v128, g: v128, dst: usize): void {
  v128.store(dst, anyHalves4(i32x4.extend_low_i16x8_u(h)));
  v128.store(dst, anyHalves4(i32x4.extend_high_i16x8_u(h)), 16);
  v128.store(dst, anyHalves4(i32x4.extend_low_i16x8_u(g)), 32);
  v128.store(dst, anyHalves4(i32x4.extend_high_i16x8_u(g)), 48);
}

/** Four float16 codes, zero-extended to 32-bit lanes, to float32. */
// @ts-ignore: decorator
@inline function anyHalves4(w: v128): v128 {
  const a = v128.and(w, i32x4.splat(0x7fff));
  const sign = i32x4.shl(i32x4.shr_u(w, 15), 31);
  const subnormal = i32x4.lt_s(a, i32x4.splat(0x400)); // and ±0
  // Subnormal lanes get 0 here: a subnormal float32 operand would cost the multiply a slow microcode assist.
  const normal = f32x4.mul(v128.andnot(i32x4.shl(a, 13), subnormal), f32x4.splat(F16_TO_F32_SCALE));
  // Inf and NaN scale to exponent 31 + 112; setting all exponent bits makes them Inf / NaN with the payload kept.
  // a ≤ 0x7fff, so the signed compare (one SSE instruction; unsigned needs two) is exact.
  const special = v128.or(normal, v128.and(i32x4.gt_s(a, i32x4.splat(0x7bff)), i32x4.splat(F32_INF)));
  const tiny = f32x4.mul(f32x4.convert_i32x4_s(a), f32x4.splat(SUBNORMAL_STEP));
  return v128.or(v128.bitselect(tiny, special, subnormal), sign);
}

/** float32 → bfloat16 for `count` values at `src` (4-byte) into `dst` (2-byte). */
export function f32ToBf16(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const absMask = i32x4.splat(F32_ABS);
    const inf = i32x4.splat(F32_INF);
    const bias = i32x4.splat(0x7fff);
    const one = i32x4.splat(1);
    const quiet = i32x4.splat(0x40);
    for (; i + 8 <= count; i += 8) {
      const a = v128.load(src + (i << 2));
      const b = v128.load(src + (i << 2), 16);
      const ra = v128.bitselect(v128.or(i32x4.shr_u(a, 16), quiet), i32x4.shr_u(i32x4.add(i32x4.add(a, bias), v128.and(i32x4.shr_u(a, 16), one)), 16), i32x4.gt_u(v128.and(a, absMask), inf));
      const rb = v128.bitselect(v128.or(i32x4.shr_u(b, 16), quiet), i32x4.shr_u(i32x4.add(i32x4.add(b, bias), v128.and(i32x4.shr_u(b, 16), one)), 16), i32x4.gt_u(v128.and(b, absMask), inf));
      v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(ra, rb));
    }
  }
  for (; i < count; i++) store<u16>(dst + (i << 1), <u16>f32BitsToBf16(load<u32>(src + (i << 2))));
  return <i32>count;
}

/** bfloat16 → float32 for `count` values at `src` (2-byte) into `dst` (4-byte): exact. */
export function bf16ToF32(src: usize, count: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= count; i += 8) {
      const h = v128.load(src + (i << 1));
      v128.store(dst + (i << 2), i32x4.shl(i32x4.extend_low_i16x8_u(h), 16));
      v128.store(dst + (i << 2), i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
    }
  }
  for (; i < count; i++) store<u32>(dst + (i << 2), <u32>load<u16>(src + (i << 1)) << 16);
  return <i32>count;
}
