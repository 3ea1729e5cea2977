// A slow, plain decoder of format 1.6's predict stage, written from docs/FORMAT.md ("The predict stage"), not from the
// kernel: byte by byte with whole numbers, each byte read as a signed 8-bit integer. Every byte string decodes; a lag
// or weight outside the format's range throws an Error whose message starts with CORRUPT.

const signed = (byte: number) => (byte >= 128 ? byte - 256 : byte);

/** The stage's decoded bytes for its output `residuals`. */
export function referencePredictStage(residuals: Uint8Array, lag: number, weight: number): Uint8Array {
  if (!Number.isInteger(lag) || lag < 1 || lag > 65536) throw new Error(`CORRUPT: lag ${lag}`);
  if (!Number.isInteger(weight) || weight < 1 || weight > 4) throw new Error(`CORRUPT: weight ${weight}`);
  const out = new Uint8Array(residuals.length);
  for (let i = 0; i < residuals.length; i++) {
    const guess = i < lag ? 0 : Math.floor((weight * signed(out[i - lag])) / 4);
    out[i] = (((residuals[i] + guess) % 256) + 256) % 256;
  }
  return out;
}
