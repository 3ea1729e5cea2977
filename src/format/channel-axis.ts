// The channel axis of a weight nobody described: the axis whose per-index int8 scales leave the least error. Output
// channels differ in scale (batch norms folded into convolutions, depthwise filters) far more than kernel taps do,
// so the data gives them away: PyTorch [out, in, kh, kw] → 0, TF.js HWIO → 3, depthwise HWC1 → 2.

/** Squared error of symmetric int8 with one scale (max |x| / 127) per index along the axis, the tensor viewed as
 *  [outer, channels, inner]. Two plain passes, no allocation beyond one scale per channel. */
function int8SquaredError(data: Float32Array, outer: number, channels: number, inner: number): number {
  const max = new Float64Array(channels);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let m = max[c];
      for (const end = i + inner; i < end; i++) m = Math.max(m, Math.abs(data[i]));
      max[c] = m;
    }
  }
  let sum = 0;
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const scale = max[c] / 127;
      const inverse = scale === 0 ? 0 : 1 / scale;
      for (const end = i + inner; i < end; i++) {
        const e = data[i] - Math.round(data[i] * inverse) * scale;
        sum += e * e;
      }
    }
  }
  return sum;
}

/** The axis (of a rank ≥ 2 tensor) along which int8 per-index scales leave the least error; the first of equals. */
export function leastErrorAxis(data: Float32Array, shape: readonly number[]): number {
  let best = 0;
  let bestError = Infinity;
  for (let axis = 0, outer = 1; axis < shape.length; outer *= shape[axis], axis++) {
    if (shape[axis] === 1 && axis > 0) continue; // one scale for the whole tensor: no better than axis 0
    const error = int8SquaredError(data, outer, shape[axis], data.length / outer / shape[axis]);
    if (error < bestError) [best, bestError] = [axis, error];
  }
  return best;
}
