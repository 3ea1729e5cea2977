// The TF.js converter's weight quantization (tensorflowjs/quantization.py, as formats.md A1.3 records it), in plain
// float64 numbers: the judge for quant.encodeTfjsWeight.

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return diff < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function referenceTfjsQuantize(data: Float32Array, qmax: number): { codes: number[]; min: number; scale: number } {
  const min = Math.min(...data);
  const max = Math.max(...data);
  if (min === max) return { codes: Array.from(data, () => 0), min, scale: 1 };
  const scale = (max - min) / qmax;
  let nudgedMin = min;
  let nudgedMax = max;
  if (min <= 0 && 0 <= max) {
    const zeroPoint = roundHalfEven((0 - min) / scale);
    nudgedMin = -zeroPoint * scale;
    nudgedMax = qmax * scale + nudgedMin;
  }
  const codes = Array.from(data, (x) => roundHalfEven((Math.min(Math.max(x, nudgedMin), nudgedMax) - nudgedMin) / scale));
  return { codes, min: nudgedMin, scale };
}
