// The channel axis of a weight nobody described: the axis whose per-index int8 scales leave the least error. Output
// channels differ in scale (batch norms folded into convolutions, depthwise filters) far more than kernel taps do,
// so the data gives them away: PyTorch [out, in, kh, kw] → 0, TF.js HWIO → 3, depthwise HWC1 → 2.

/** Elements the error of each candidate axis is measured on: enough to rank axes, cheap on a large tensor. */
const ERROR_SAMPLES = 1 << 16;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A stride giving about ERROR_SAMPLES elements that shares no factor with the length, so the samples fall on every
 *  index of every axis rather than on a few. */
function sampleStride(count: number): number {
  let stride = Math.max(1, Math.floor(count / ERROR_SAMPLES));
  while (gcd(count, stride) !== 1) stride++;
  return stride;
}

/** Squared error of symmetric int8 with one scale (max |x| / 127) per index along the axis, the tensor viewed
 *  as [outer, channels, inner]: the scales from every element, the error from every `stride`-th. */
function int8SquaredError(data: Float32Array, outer: number, channels: number, inner: number, stride: number): number {
  const max = new Float64Array(channels);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let m = max[c];
      for (const end = i + inner; i < end; i++) m = Math.max(m, Math.abs(data[i]));
      max[c] = m;
    }
  }
  const inverse = max.map((m) => (m === 0 ? 0 : 127 / m));
  let sum = 0;
  for (let i = 0; i < data.length; i += stride) {
    const c = Math.floor(i / inner) % channels;
    const e = data[i] - Math.round(data[i] * inverse[c]) * (max[c] / 127);
    sum += e * e;
  }
  return sum;
}

/** The axis (of a rank ≥ 2 tensor) along which int8 per-index scales leave the least error; the first of equals. */
export function leastErrorAxis(data: Float32Array, shape: readonly number[]): number {
  const stride = sampleStride(data.length);
  let best = 0;
  let bestError = Infinity;
  for (let axis = 0, outer = 1; axis < shape.length; outer *= shape[axis], axis++) {
    if (shape[axis] === 1 && axis > 0) continue; // one scale for the whole tensor: no better than axis 0
    const error = int8SquaredError(data, outer, shape[axis], data.length / outer / shape[axis], stride);
    if (error < bestError) [best, bestError] = [axis, error];
  }
  return best;
}
