// A file named relative to another (a shard beside its index, a dataset shard beside its manifest): a URL resolved
// against the other's URL, or a path in the other's folder.
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

export function relativeSource(base: unknown, path: string): string | URL {
  if (base instanceof URL) return new URL(path, base);
  const text = String(base);
  if (SCHEME.test(text)) return new URL(path, text).href;
  return text.replace(/[^/\\]*$/, '') + path;
}
