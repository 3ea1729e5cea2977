// The predict stage (docs/FORMAT.md, format 1.6): bytes read as int8, each less ⌊weight · (the byte `lag` before) / 4⌋,
// wrapping mod 256; the first `lag` bytes as they are. Decoding runs forward from the bytes already decoded.
// Kernels return `len` or STATUS_ARGUMENT (lag outside 1–65,536, weight outside 1–4) / STATUS_OUTPUT_FULL, and touch
// only `len` bytes at src and dst, which must not overlap.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL } from './status';

/** The longest lag the format allows. */
const MAX_LAG: usize = 65536;

// @ts-ignore: decorator
@inline function guess(before: u8, weight: i32): i32 {
  return (weight * <i32><i8>before) >> 2;
}

function check(len: usize, cap: usize, lag: usize, weight: i32): i32 {
  if (lag < 1 || lag > MAX_LAG || weight < 1 || weight > 4) return STATUS_ARGUMENT;
  return len > cap ? STATUS_OUTPUT_FULL : 0;
}

/** Predicts `len` bytes at src into residuals at dst. */
export function predictEncode(src: usize, len: usize, dst: usize, cap: usize, lag: usize, weight: i32): i32 {
  const status = check(len, cap, lag, weight);
  if (status < 0) return status;
  const head = min(lag, len);
  memory.copy(dst, src, head);
  for (let i = head; i < len; i++) store<u8>(dst + i, load<u8>(src + i) - <u8>guess(load<u8>(src + i - lag), weight));
  return <i32>len;
}

/** The inverse of predictEncode. */
export function predictDecode(src: usize, len: usize, dst: usize, cap: usize, lag: usize, weight: i32): i32 {
  const status = check(len, cap, lag, weight);
  if (status < 0) return status;
  const head = min(lag, len);
  memory.copy(dst, src, head);
  // With lag ≥ 16 the 16 bytes a step predicts from are all decoded before the step.
  const from = ASC_FEATURE_SIMD && lag >= 16 ? decode16(src, len, dst, lag, weight, head) : head;
  for (let i = from; i < len; i++) store<u8>(dst + i, load<u8>(src + i) + <u8>guess(load<u8>(dst + i - lag), weight));
  return <i32>len;
}

/** 16 bytes a step from `from`; returns where it stopped. */
function decode16(src: usize, len: usize, dst: usize, lag: usize, weight: i32, from: usize): usize {
  const times = i16x8.splat(<i16>weight);
  let i = from;
  for (; i + 16 <= len; i += 16) {
    const before = v128.load(dst + i - lag);
    let guessed = before;
    if (weight != 4) {
      const low = i16x8.shr_s(i16x8.mul(i16x8.extend_low_i8x16_s(before), times), 2);
      const high = i16x8.shr_s(i16x8.mul(i16x8.extend_high_i8x16_s(before), times), 2);
      guessed = i8x16.narrow_i16x8_s(low, high); // −128 … 127 already: nothing saturates
    }
    v128.store(dst + i, i8x16.add(v128.load(src + i), guessed));
  }
  return i;
}

/**
 * Adds to the 4 × 256 u32 counts at `counts` (weight 1's 256, then 2's, 3's, 4's) the residuals predictEncode would
 * write for `len` bytes at src with `lag` and each weight: pack()'s estimate of which lag and weight pay (its loop in
 * JavaScript took ~130 ms of a 0.9 s pack of face-api's int8 codes).
 */
export function predictCounts(src: usize, len: usize, lag: usize, counts: usize): void {
  const head = min(lag, len);
  for (let i: usize = 0; i < head; i++) {
    const at = counts + (<usize>load<u8>(src + i) << 2);
    store<u32>(at, load<u32>(at) + 1);
    store<u32>(at, load<u32>(at, 1024) + 1, 1024);
    store<u32>(at, load<u32>(at, 2048) + 1, 2048);
    store<u32>(at, load<u32>(at, 3072) + 1, 3072);
  }
  for (let i = head; i < len; i++) {
    const x = <i32>load<u8>(src + i);
    const before = <i32>load<i8>(src + i - lag);
    const a = counts + (<usize>((x - (before >> 2)) & 255) << 2);
    store<u32>(a, load<u32>(a) + 1);
    const b = counts + 1024 + (<usize>((x - (before >> 1)) & 255) << 2);
    store<u32>(b, load<u32>(b) + 1);
    const c = counts + 2048 + (<usize>((x - ((3 * before) >> 2)) & 255) << 2);
    store<u32>(c, load<u32>(c) + 1);
    const d = counts + 3072 + (<usize>((x - before) & 255) << 2);
    store<u32>(d, load<u32>(d) + 1);
  }
}
