// Affine integer quantization, as ONNX QuantizeLinear / DequantizeLinear define it:
//
//   q = saturate(roundHalfEven(x / scale) + zeroPoint)      x̂ = (q − zeroPoint) · scale      (float32 arithmetic)
//
// Granularity. The caller views its tensor as [outer, axisLength, inner] around the quantized axis; element
// (o, a, i) takes the parameter at index  o·outerStride + ⌊a / blockSize⌋·axisStride + i·innerStride − paramBase:
// per-tensor has every stride 0, per-axis has axisStride 1, per-block (blocks along the axis) has
// outerStride = blocks·inner, axisStride = inner, innerStride = 1. Scales are float32, zero points int32.
// A call covers `count` consecutive elements starting at (o, a, i), written by the caller in a Layout record; the
// loop walks the runs of elements that share one parameter (or, when innerStride is 1, a vector of them).
//
// Codes are bytes (int8 or uint8; 4-bit codes travel unpacked, see nibbles.ts). Inputs are finite: the caller
// rejects NaN and ±Inf before quantizing and checks scales before dequantizing.

import { STATUS_OUTPUT_FULL } from './status';

const LAYOUT_OUTER = 0;
const LAYOUT_AXIS = 4;
const LAYOUT_INNER_INDEX = 8;
const LAYOUT_AXIS_LENGTH = 12;
const LAYOUT_INNER = 16;
const LAYOUT_BLOCK_SIZE = 20;
const LAYOUT_OUTER_STRIDE = 24;
const LAYOUT_AXIS_STRIDE = 28;
const LAYOUT_INNER_STRIDE = 32;
const LAYOUT_PARAM_BASE = 36;
/** Bytes of the Layout record: ten int32 fields in the order above. */
export const AFFINE_LAYOUT_BYTES: usize = 40;

const QUANTIZE = 0;
const DEQUANTIZE_SIGNED = 1;
const DEQUANTIZE_UNSIGNED = 2;

/** float32 → codes in [qmin, qmax] (−128..127 for int8, 0..255 for uint8, narrower for 4-bit). */
export function quantizeLinear(src: usize, count: usize, dst: usize, dstCap: usize, layout: usize,
  scales: usize, zeroPoints: usize, qmin: i32, qmax: i32): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  walk(QUANTIZE, src, count, dst, layout, scales, zeroPoints, <f32>qmin, <f32>qmax);
  return <i32>count;
}

/** int8 (signed = 1) or uint8 codes → float32. */
export function dequantizeLinear(src: usize, count: usize, dst: usize, dstCap: usize, layout: usize,
  scales: usize, zeroPoints: usize, signed: bool): i32 {
  if (dstCap < count) return STATUS_OUTPUT_FULL;
  walk(signed ? DEQUANTIZE_SIGNED : DEQUANTIZE_UNSIGNED, src, count, dst, layout, scales, zeroPoints, 0, 0);
  return <i32>count;
}

function walk(op: i32, src: usize, count: usize, dst: usize, layout: usize, scales: usize, zeroPoints: usize,
  qmin: f32, qmax: f32): void {
  let o = load<i32>(layout, LAYOUT_OUTER);
  let a = load<i32>(layout, LAYOUT_AXIS);
  let i = load<i32>(layout, LAYOUT_INNER_INDEX);
  const axisLength = load<i32>(layout, LAYOUT_AXIS_LENGTH);
  const inner = load<i32>(layout, LAYOUT_INNER);
  const blockSize = load<i32>(layout, LAYOUT_BLOCK_SIZE);
  const outerStride = load<i32>(layout, LAYOUT_OUTER_STRIDE);
  const axisStride = load<i32>(layout, LAYOUT_AXIS_STRIDE);
  const innerStride = load<i32>(layout, LAYOUT_INNER_STRIDE);
  const paramBase = load<i32>(layout, LAYOUT_PARAM_BASE);
  let done: usize = 0;
  while (done < count) {
    const p = <usize>(o * outerStride + (a / blockSize) * axisStride - paramBase);
    let run: usize;
    if (inner == 1) {
      // Consecutive elements along the axis share a parameter up to the end of their block.
      const blockEnd = min((a / blockSize + 1) * blockSize, axisLength);
      run = min(<usize>(blockEnd - a), count - done);
      runBroadcast(op, src, dst, done, run, scales, zeroPoints, p, qmin, qmax);
      a += <i32>run;
      if (a == axisLength) { a = 0; o++; }
    } else {
      run = min(<usize>(inner - i), count - done);
      if (innerStride == 0) runBroadcast(op, src, dst, done, run, scales, zeroPoints, p, qmin, qmax);
      else runVector(op, src, dst, done, run, scales, zeroPoints, p + <usize>i, qmin, qmax);
      i += <i32>run;
      if (i == inner) { i = 0; a++; if (a == axisLength) { a = 0; o++; } }
    }
    done += run;
  }
}

// @ts-ignore: decorator
@inline function runBroadcast(op: i32, src: usize, dst: usize, start: usize, n: usize, scales: usize,
  zeroPoints: usize, p: usize, qmin: f32, qmax: f32): void {
  const scale = load<f32>(scales + (p << 2));
  const zeroPoint = load<i32>(zeroPoints + (p << 2));
  if (op == QUANTIZE) quantizeBroadcast(src + (start << 2), dst + start, n, scale, zeroPoint, qmin, qmax);
  else if (op == DEQUANTIZE_SIGNED) dequantizeBroadcast(src + start, dst + (start << 2), n, scale, zeroPoint, true);
  else dequantizeBroadcast(src + start, dst + (start << 2), n, scale, zeroPoint, false);
}

// @ts-ignore: decorator
@inline function runVector(op: i32, src: usize, dst: usize, start: usize, n: usize, scales: usize,
  zeroPoints: usize, p: usize, qmin: f32, qmax: f32): void {
  const s = scales + (p << 2);
  const z = zeroPoints + (p << 2);
  if (op == QUANTIZE) quantizeVector(src + (start << 2), dst + start, n, s, z, qmin, qmax);
  else if (op == DEQUANTIZE_SIGNED) dequantizeVector(src + start, dst + (start << 2), n, s, z, true);
  else dequantizeVector(src + start, dst + (start << 2), n, s, z, false);
}

// @ts-ignore: decorator
@inline function quantizeOne(x: f32, scale: f32, zeroPoint: f32, qmin: f32, qmax: f32): u8 {
  return <u8><i32>min(max(nearest(x / scale) + zeroPoint, qmin), qmax);
}

// @ts-ignore: decorator
@inline function quantize4(x: v128, scale: v128, zeroPoint: v128, qmin: v128, qmax: v128): v128 {
  const t = f32x4.add(f32x4.nearest(f32x4.div(x, scale)), zeroPoint);
  return i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.min(t, qmax), qmin));
}

// @ts-ignore: decorator
@inline function narrow16(a: v128, b: v128, c: v128, d: v128, signed: bool): v128 {
  const ab = i16x8.narrow_i32x4_s(a, b);
  const cd = i16x8.narrow_i32x4_s(c, d);
  return signed ? i8x16.narrow_i16x8_s(ab, cd) : i8x16.narrow_i16x8_u(ab, cd);
}

function quantizeBroadcast(src: usize, dst: usize, n: usize, scale: f32, zeroPoint: i32, qmin: f32, qmax: f32): void {
  let j: usize = 0;
  const zp = <f32>zeroPoint;
  if (ASC_FEATURE_SIMD) {
    const vScale = f32x4.splat(scale);
    const vZero = f32x4.splat(zp);
    const vMin = f32x4.splat(qmin);
    const vMax = f32x4.splat(qmax);
    const signed = qmin < 0;
    for (; j + 16 <= n; j += 16) {
      const x = src + (j << 2);
      const a = quantize4(v128.load(x), vScale, vZero, vMin, vMax);
      const b = quantize4(v128.load(x, 16), vScale, vZero, vMin, vMax);
      const c = quantize4(v128.load(x, 32), vScale, vZero, vMin, vMax);
      const d = quantize4(v128.load(x, 48), vScale, vZero, vMin, vMax);
      v128.store(dst + j, signed ? narrow16(a, b, c, d, true) : narrow16(a, b, c, d, false));
    }
  }
  for (; j < n; j++) store<u8>(dst + j, quantizeOne(load<f32>(src + (j << 2)), scale, zp, qmin, qmax));
}

function quantizeVector(src: usize, dst: usize, n: usize, scales: usize, zeroPoints: usize, qmin: f32, qmax: f32): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vMin = f32x4.splat(qmin);
    const vMax = f32x4.splat(qmax);
    const signed = qmin < 0;
    for (; j + 16 <= n; j += 16) {
      const x = src + (j << 2);
      const s = scales + (j << 2);
      const z = zeroPoints + (j << 2);
      const a = quantize4(v128.load(x), v128.load(s), f32x4.convert_i32x4_s(v128.load(z)), vMin, vMax);
      const b = quantize4(v128.load(x, 16), v128.load(s, 16), f32x4.convert_i32x4_s(v128.load(z, 16)), vMin, vMax);
      const c = quantize4(v128.load(x, 32), v128.load(s, 32), f32x4.convert_i32x4_s(v128.load(z, 32)), vMin, vMax);
      const d = quantize4(v128.load(x, 48), v128.load(s, 48), f32x4.convert_i32x4_s(v128.load(z, 48)), vMin, vMax);
      v128.store(dst + j, signed ? narrow16(a, b, c, d, true) : narrow16(a, b, c, d, false));
    }
  }
  for (; j < n; j++) {
    const k = j << 2;
    store<u8>(dst + j, quantizeOne(load<f32>(src + k), load<f32>(scales + k), <f32>load<i32>(zeroPoints + k), qmin, qmax));
  }
}

// @ts-ignore: decorator
@inline function code(src: usize, j: usize, signed: bool): i32 {
  return signed ? <i32>load<i8>(src + j) : <i32>load<u8>(src + j);
}

function dequantizeBroadcast(src: usize, dst: usize, n: usize, scale: f32, zeroPoint: i32, signed: bool): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vScale = f32x4.splat(scale);
    const vZero = i16x8.splat(<i16>zeroPoint);
    for (; j + 16 <= n; j += 16) {
      const v = v128.load(src + j);
      // q − zeroPoint fits 16 bits for 8-bit codes, so subtract once per 8 lanes.
      const lo = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v), vZero);
      const hi = i16x8.sub(signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v), vZero);
      const out = dst + (j << 2);
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), vScale));
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), vScale), 16);
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), vScale), 32);
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), vScale), 48);
    }
  }
  for (; j < n; j++) store<f32>(dst + (j << 2), <f32>(code(src, j, signed) - zeroPoint) * scale);
}

function dequantizeVector(src: usize, dst: usize, n: usize, scales: usize, zeroPoints: usize, signed: bool): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= n; j += 16) {
      const v = v128.load(src + j);
      const lo = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
      const hi = signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
      const k = j << 2;
      const s = scales + k;
      const z = zeroPoints + k;
      const out = dst + k;
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(lo), v128.load(z))), v128.load(s)));
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(lo), v128.load(z, 16))), v128.load(s, 16)), 16);
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(hi), v128.load(z, 32))), v128.load(s, 32)), 32);
      v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(hi), v128.load(z, 48))), v128.load(s, 48)), 48);
    }
  }
  for (; j < n; j++) {
    const k = j << 2;
    store<f32>(dst + k, <f32>(code(src, j, signed) - load<i32>(zeroPoints + k)) * load<f32>(scales + k));
  }
}
