// GGUF metadata kept in a .tzip: archive metadata is string → string, so each GGUF key becomes `gguf:<key>` holding
// JSON `{"type": <GGUF type>, "value": <value>}`. JSON numbers hold every GGUF integer up to 32 bits and every float
// exactly; uint64/int64 values are decimal strings and non-finite floats the strings "NaN", "Infinity", "-Infinity".
// Types are GGUF's: uint8 … int64, float32, float64, bool, string, array<element type>.

export const GGUF_KEY_PREFIX = 'gguf:';

const jsonSafe = (value: unknown): unknown => {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return Array.isArray(value) ? value.map(jsonSafe) : value;
};

/**
 * @example
 * ggufArchiveMetadata({ 'general.alignment': 32 }, { 'general.alignment': 'uint32' });
 * // { 'gguf:general.alignment': '{"type":"uint32","value":32}' }
 */
export function ggufArchiveMetadata(metadata: Record<string, unknown>, types: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const key of Object.keys(metadata)) {
    out[GGUF_KEY_PREFIX + key] = JSON.stringify({ type: types[key], value: jsonSafe(metadata[key]) });
  }
  return out;
}
