// GGML block quantization (llama.cpp / GGUF): Q8_0, Q4_0 and Q4_1 both ways, Q4_K decoding. Each block covers 32
// values (256 for Q4_K) and starts with float16 scales; layouts and the reference rounding rules:
//   Q8_0 (34 B) { half d; int8 qs[32] }            y = qs·d                  d = max|x| / 127, q = roundAway(x / d)
//   Q4_0 (18 B) { half d; u8 qs[16] }              y = (nibble − 8)·d        d = (signed extreme) / −8,
//                                                                            q = min(15, trunc(x / d + 8.5))
//   Q4_1 (20 B) { half d; half m; u8 qs[16] }      y = nibble·d + m          d = (max − min) / 15, m = min,
//                                                                            q = min(15, trunc((x − min) / d + 0.5))
//   Q4_K (144 B) { half d; half dmin; u8 scales[12]; u8 qs[128] }: 8 sub-blocks of 32 with 6-bit scales and mins,
//                                                                            y = d·sc·nibble − dmin·mn
// In Q4_0 and Q4_1, byte j holds element j (low nibble) and element j + 16 (high nibble); in Q4_K, the 32 bytes of
// each 64-value chunk hold its first 32 values in the low nibbles and the next 32 in the high ones.
// Encoders compute with the float32 scale (1/d multiplied, as the reference does) and store it rounded to float16.
// Encoders return STATUS_ARGUMENT when a scale overflows float16 (values beyond about 65504 times the block's
// code range), because the block could not be read back.
// Decoders multiply then add (no fused multiply-add), and return STATUS_CORRUPT for a block whose scale is Inf or
// NaN, which no encoder writes.

import { f16ToF32Bits, f32BitsToF16 } from './float16';
import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL } from './status';

const Q8_0_BYTES: usize = 34;
const Q4_0_BYTES: usize = 18;
const Q4_1_BYTES: usize = 20;
const Q4_K_BYTES: usize = 144;

// @ts-ignore: decorator
@inline function half(p: usize): f32 {
  return reinterpret<f32>(f16ToF32Bits(<u32>load<u16>(p)));
}

// @ts-ignore: decorator
@inline function storeHalf(p: usize, x: f32): void {
  store<u16>(p, <u16>f32BitsToF16(reinterpret<u32>(x)));
}

// @ts-ignore: decorator
@inline function finiteHalf(p: usize): bool {
  return (load<u16>(p) & 0x7c00) != 0x7c00;
}

/** C roundf: to nearest, halfway cases away from zero. */
// @ts-ignore: decorator
@inline function roundAway(x: f32): f32 {
  const t = trunc(x);
  return abs(x - t) >= 0.5 ? t + copysign<f32>(1, x) : t;
}

// ---- encoders: `blocks` blocks of float32 at `src` → block bytes at `dst`; return the bytes written ----

export function ggmlEncodeQ8_0(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * Q8_0_BYTES) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * 128;
    const y = dst + b * Q8_0_BYTES;
    let amax: f32 = 0;
    for (let j: usize = 0; j < 32; j++) amax = max(amax, abs(load<f32>(x + (j << 2))));
    const d = amax / 127;
    const id: f32 = d != 0 ? 1 / d : 0;
    storeHalf(y, d);
    if (!finiteHalf(y)) return STATUS_ARGUMENT;
    for (let j: usize = 0; j < 32; j++) store<i8>(y + 2 + j, <i8>roundAway(load<f32>(x + (j << 2)) * id));
  }
  return <i32>(blocks * Q8_0_BYTES);
}

export function ggmlEncodeQ4_0(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * Q4_0_BYTES) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * 128;
    const y = dst + b * Q4_0_BYTES;
    let amax: f32 = 0;
    let extreme: f32 = 0; // the value of largest magnitude, sign kept; the first one wins a tie
    for (let j: usize = 0; j < 32; j++) {
      const v = load<f32>(x + (j << 2));
      if (amax < abs(v)) { amax = abs(v); extreme = v; }
    }
    const d = extreme / -8;
    const id: f32 = d != 0 ? 1 / d : 0;
    storeHalf(y, d);
    if (!finiteHalf(y)) return STATUS_ARGUMENT;
    for (let j: usize = 0; j < 16; j++) {
      const lo = min<i32>(15, <i32>(load<f32>(x + (j << 2)) * id + 8.5));
      const hi = min<i32>(15, <i32>(load<f32>(x + ((j + 16) << 2)) * id + 8.5));
      store<u8>(y + 2 + j, lo | (hi << 4));
    }
  }
  return <i32>(blocks * Q4_0_BYTES);
}

export function ggmlEncodeQ4_1(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * Q4_1_BYTES) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * 128;
    const y = dst + b * Q4_1_BYTES;
    let lo = f32.MAX_VALUE;
    let hi = -f32.MAX_VALUE;
    for (let j: usize = 0; j < 32; j++) {
      const v = load<f32>(x + (j << 2));
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const d = (hi - lo) / 15;
    const id: f32 = d != 0 ? 1 / d : 0;
    storeHalf(y, d);
    storeHalf(y + 2, lo);
    if (!finiteHalf(y) || !finiteHalf(y + 2)) return STATUS_ARGUMENT;
    for (let j: usize = 0; j < 16; j++) {
      const q0 = min<i32>(15, <i32>((load<f32>(x + (j << 2)) - lo) * id + 0.5));
      const q1 = min<i32>(15, <i32>((load<f32>(x + ((j + 16) << 2)) - lo) * id + 0.5));
      store<u8>(y + 4 + j, q0 | (q1 << 4));
    }
  }
  return <i32>(blocks * Q4_1_BYTES);
}

// ---- decoders: `blocks` blocks at `src` → float32 at `dst` (capacity in elements); return the elements written ----

/** Writes 16 signed byte lanes `q` as q·d (+ m when `offset`) to `dst`. */
// @ts-ignore: decorator
@inline function scale16(dst: usize, q: v128, d: v128, m: v128, offset: bool): void {
  const lo = i16x8.extend_low_i8x16_s(q);
  const hi = i16x8.extend_high_i8x16_s(q);
  const a = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), d);
  const b = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), d);
  const c = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), d);
  const e = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), d);
  v128.store(dst, offset ? f32x4.add(a, m) : a);
  v128.store(dst, offset ? f32x4.add(b, m) : b, 16);
  v128.store(dst, offset ? f32x4.add(c, m) : c, 32);
  v128.store(dst, offset ? f32x4.add(e, m) : e, 48);
}

export function ggmlDecodeQ8_0(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * 32) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * Q8_0_BYTES;
    const y = dst + b * 128;
    if (!finiteHalf(x)) return STATUS_CORRUPT;
    const d = half(x);
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(d);
      scale16(y, v128.load(x + 2), vd, vd, false);
      scale16(y + 64, v128.load(x + 18), vd, vd, false);
    } else {
      for (let j: usize = 0; j < 32; j++) store<f32>(y + (j << 2), <f32>load<i8>(x + 2 + j) * d);
    }
  }
  return <i32>(blocks * 32);
}

export function ggmlDecodeQ4_0(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * 32) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * Q4_0_BYTES;
    const y = dst + b * 128;
    if (!finiteHalf(x)) return STATUS_CORRUPT;
    const d = half(x);
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(d);
      const qs = v128.load(x + 2);
      const eight = i8x16.splat(8);
      scale16(y, i8x16.sub(v128.and(qs, i8x16.splat(0x0f)), eight), vd, vd, false);
      scale16(y + 64, i8x16.sub(i8x16.shr_u(qs, 4), eight), vd, vd, false);
    } else {
      for (let j: usize = 0; j < 16; j++) {
        const q = <i32>load<u8>(x + 2 + j);
        store<f32>(y + (j << 2), <f32>((q & 0x0f) - 8) * d);
        store<f32>(y + ((j + 16) << 2), <f32>((q >> 4) - 8) * d);
      }
    }
  }
  return <i32>(blocks * 32);
}

export function ggmlDecodeQ4_1(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * 32) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * Q4_1_BYTES;
    const y = dst + b * 128;
    if (!finiteHalf(x) || !finiteHalf(x + 2)) return STATUS_CORRUPT;
    const d = half(x);
    const m = half(x + 2);
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(d);
      const vm = f32x4.splat(m);
      const qs = v128.load(x + 4);
      scale16(y, v128.and(qs, i8x16.splat(0x0f)), vd, vm, true);
      scale16(y + 64, i8x16.shr_u(qs, 4), vd, vm, true);
    } else {
      for (let j: usize = 0; j < 16; j++) {
        const q = <i32>load<u8>(x + 4 + j);
        store<f32>(y + (j << 2), <f32>(q & 0x0f) * d + m);
        store<f32>(y + ((j + 16) << 2), <f32>(q >> 4) * d + m);
      }
    }
  }
  return <i32>(blocks * 32);
}

/** Sub-block j's 6-bit scale (low byte of the result) and min (next byte), from the 12 packed bytes at `s`. */
// @ts-ignore: decorator
@inline function scaleMinK4(s: usize, j: usize): u32 {
  let sc: u32, mn: u32;
  if (j < 4) {
    sc = load<u8>(s + j) & 63;
    mn = load<u8>(s + j + 4) & 63;
  } else {
    sc = (load<u8>(s + j + 4) & 0x0f) | ((load<u8>(s + j - 4) >> 6) << 4);
    mn = (load<u8>(s + j + 4) >> 4) | ((load<u8>(s + j) >> 6) << 4);
  }
  return sc | (mn << 8);
}

export function ggmlDecodeQ4_K(src: usize, blocks: usize, dst: usize, dstCap: usize): i32 {
  if (dstCap < blocks * 256) return STATUS_OUTPUT_FULL;
  for (let b: usize = 0; b < blocks; b++) {
    const x = src + b * Q4_K_BYTES;
    if (!finiteHalf(x) || !finiteHalf(x + 2)) return STATUS_CORRUPT;
    const d = half(x);
    const dmin = half(x + 2);
    for (let c: usize = 0; c < 4; c++) {
      const q = x + 16 + c * 32;
      const y = dst + (b * 256 + c * 64) * 4;
      const first = scaleMinK4(x + 4, 2 * c);
      const second = scaleMinK4(x + 4, 2 * c + 1);
      const d1 = d * <f32>(first & 0xff);
      const m1 = dmin * <f32>(first >> 8);
      const d2 = d * <f32>(second & 0xff);
      const m2 = dmin * <f32>(second >> 8);
      if (ASC_FEATURE_SIMD) {
        const low = i8x16.splat(0x0f);
        const vd1 = f32x4.splat(d1), vm1 = f32x4.splat(-m1);
        const vd2 = f32x4.splat(d2), vm2 = f32x4.splat(-m2);
        const q0 = v128.load(q);
        const q1 = v128.load(q, 16);
        scale16(y, v128.and(q0, low), vd1, vm1, true);
        scale16(y + 64, v128.and(q1, low), vd1, vm1, true);
        scale16(y + 128, i8x16.shr_u(q0, 4), vd2, vm2, true);
        scale16(y + 192, i8x16.shr_u(q1, 4), vd2, vm2, true);
      } else {
        for (let l: usize = 0; l < 32; l++) {
          const v = <u32>load<u8>(q + l);
          store<f32>(y + (l << 2), d1 * <f32>(v & 0x0f) - m1);
          store<f32>(y + ((l + 32) << 2), d2 * <f32>(v >> 4) - m2);
        }
      }
    }
  }
  return <i32>(blocks * 256);
}
