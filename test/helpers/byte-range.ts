// The bytes an HTTP Range header asks of a body of `size` bytes, for the tests' servers: `bytes=a-b` (clipped to the
// body) or the suffix `bytes=-n`; null without a Range header the servers understand.
export function requestedRange(header: string | undefined, size: number): { from: number; to: number } | null {
  const range = /^bytes=(\d*)-(\d+)$/.exec(header ?? '');
  if (range === null) return null;
  if (range[1] === '') return { from: Math.max(0, size - Number(range[2])), to: size - 1 };
  return { from: Number(range[1]), to: Math.min(Number(range[2]), size - 1) };
}
