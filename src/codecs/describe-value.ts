// Quoting a bad value in an error message without trusting it: a hostile value may be a string of megabytes or an
// array nested a million deep (JSON.stringify would overflow the stack on it).

const MAX_CHARS = 60;

/** A short description of `value`, at most about 60 characters, found without recursing into it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.slice(0, MAX_CHARS)); // escapes can make it six times longer
    return value.length > MAX_CHARS || quoted.length > MAX_CHARS ? `${quoted.slice(0, MAX_CHARS - 2)}… (${value.length} characters)` : quoted;
  }
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value === null || typeof value !== 'object') return String(value).slice(0, MAX_CHARS);
  return 'an object';
}
