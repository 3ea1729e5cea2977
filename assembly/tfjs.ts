// TF.js weight dequantization (tfjs-core decodeWeight): value = q · scale + min computed in float64 — JavaScript
// numbers — and stored to a Float32Array, i.e. rounded once to float32. q is uint8 or uint16.

import { STATUS_OUTPUT_FULL } from './status';

// Codes are below 2^16, so the signed conversion gives the same float64 as the unsigned one; x86 has one instruction
// for it, while the unsigned one takes several (measured: kernel 12.0 → 14.7 GB/s).
// @ts-ignore: decorator
@inline function affine2(q: v128, scale: v128, min: v128): v128 {
  return f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(q), scale), min);
}

/** `count` codes at `src` (1 byte each, or 2 when `wide`) → float32 at `dst`. */
export function dequantizeTfjs(src: usize, count: usize, dst: usize, dstCap: usize, scale: f64, min: f64, wide: bool): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vScale = f64x2.splat(scale);
    const vMin = f64x2.splat(min);
    for (; j + 8 <= count; j += 8) {
      // Eight codes widened to two vectors of four uint32.
      let lo: v128, hi: v128;
      if (wide) {
        const v = v128.load(src + (j << 1));
        lo = i32x4.extend_low_i16x8_u(v);
        hi = i32x4.extend_high_i16x8_u(v);
      } else {
        const v = i16x8.extend_low_i8x16_u(v128.load64_zero(src + j));
        lo = i32x4.extend_low_i16x8_u(v);
        hi = i32x4.extend_high_i16x8_u(v);
      }
      const out = dst + (j << 2);
      const a = f32x4.demote_f64x2_zero(affine2(lo, vScale, vMin));
      const b = f32x4.demote_f64x2_zero(affine2(i32x4.shuffle(lo, lo, 2, 3, 0, 1), vScale, vMin));
      const c = f32x4.demote_f64x2_zero(affine2(hi, vScale, vMin));
      const d = f32x4.demote_f64x2_zero(affine2(i32x4.shuffle(hi, hi, 2, 3, 0, 1), vScale, vMin));
      v128.store(out, i64x2.shuffle(a, b, 0, 2));
      v128.store(out, i64x2.shuffle(c, d, 0, 2), 16);
    }
  }
  for (; j < count; j++) {
    const q = wide ? <f64>load<u16>(src + (j << 1)) : <f64>load<u8>(src + j);
    store<f32>(dst + (j << 2), <f32>(q * scale + min));
  }
  return <i32>count;
}
