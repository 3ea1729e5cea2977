// Quantization error statistics: sums that give the max |error|, the RMSE and the SQNR of a reconstruction.
// Accumulators (float64, at `acc`, carried across calls): [0] Σx² over even elements, [1] Σx² over odd ones,
// [2] Σ(x − x̂)² even, [3] odd, [4] max |x − x̂|. Even and odd elements keep separate sums so that the SIMD build
// (two float64 lanes) adds in exactly the scalar build's order: both builds report identical numbers.
// Callers pass chunks that start at even element indices.

/** Bytes of the accumulator record. */
export const ERROR_STATS_BYTES: usize = 40;

/** Adds the errors of `count` float32 pairs (`original`, `restored`) into the accumulators at `acc`. */
export function accumulateError(original: usize, restored: usize, count: usize, acc: usize): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let signal = v128.load(acc);
    let noise = v128.load(acc, 16);
    let worst = f64x2.splat(load<f64>(acc, 32));
    for (; j + 4 <= count; j += 4) {
      const x = v128.load(original + (j << 2));
      const r = v128.load(restored + (j << 2));
      const xHigh = i32x4.shuffle(x, x, 2, 3, 0, 1);
      const rHigh = i32x4.shuffle(r, r, 2, 3, 0, 1);
      const x01 = f64x2.promote_low_f32x4(x);
      const x23 = f64x2.promote_low_f32x4(xHigh);
      const e01 = f64x2.sub(x01, f64x2.promote_low_f32x4(r));
      const e23 = f64x2.sub(x23, f64x2.promote_low_f32x4(rHigh));
      signal = f64x2.add(f64x2.add(signal, f64x2.mul(x01, x01)), f64x2.mul(x23, x23));
      noise = f64x2.add(f64x2.add(noise, f64x2.mul(e01, e01)), f64x2.mul(e23, e23));
      worst = f64x2.max(worst, f64x2.max(f64x2.abs(e01), f64x2.abs(e23)));
    }
    v128.store(acc, signal);
    v128.store(acc, noise, 16);
    store<f64>(acc, max(f64x2.extract_lane(worst, 0), f64x2.extract_lane(worst, 1)), 32);
  }
  for (; j < count; j++) {
    const x = <f64>load<f32>(original + (j << 2));
    const e = x - <f64>load<f32>(restored + (j << 2));
    const lane = (j & 1) << 3;
    store<f64>(acc + lane, load<f64>(acc + lane) + x * x);
    store<f64>(acc + lane, load<f64>(acc + lane, 16) + e * e, 16);
    store<f64>(acc, max(load<f64>(acc, 32), abs(e)), 32);
  }
}
