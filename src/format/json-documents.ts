// How a source that may be a JSON document (a shard index, a dataset manifest) is told from a .tzip file: by its
// path or URL ending in `.json`, or by bytes that open a JSON object (a .tzip starts with its magic).

/** Whether a path or URL names a `.json` file. */
export const namesJsonFile = (source: unknown): boolean =>
  (typeof source === 'string' || source instanceof URL) && /\.json$/i.test(source instanceof URL ? source.pathname : source.split(/[?#]/)[0]);

/** Whether bytes open a JSON object (after a byte order mark and white space). */
export function opensJsonObject(bytes: Uint8Array): boolean {
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x0a || bytes[at] === 0x0d || bytes[at] === 0x09)) at++;
  return bytes[at] === 0x7b;
}
