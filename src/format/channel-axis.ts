// The channel axis of a weight nobody described: the axis whose per-index int8 scales leave the least error. Output
// channels differ in scale (batch norms folded into convolutions, depthwise filters) far more than rows or kernel
// taps do, so the data gives them away: PyTorch [out, in, kh, kw] → 0, TF.js HWIO → 3, depthwise HWC1 → 2.
import type { QuantizedTensor } from '../codecs/quant';
import { quantize } from '../codecs/quant/quantize';
import type { Kernels } from '../wasm/kernels';

/** int8 per-axis codes of a rank ≥ 2 tensor along its least-error axis (the first of equals). */
export function leastErrorInt8(kernels: Kernels, data: Float32Array, shape: number[]): QuantizedTensor {
  let best: QuantizedTensor | null = null;
  for (let axis = 0; axis < shape.length; axis++) {
    if (shape[axis] === 1 && best !== null) continue; // one scale for the whole tensor: never better than any axis
    const q = quantize(kernels, data, { dtype: 'int8', shape, axis });
    if (best === null || q.stats.rmse < best.stats.rmse) best = q;
  }
  return best!;
}
