// A read of [offset, offset + length) from a file kept in fixed blocks (the download cache, a signature's verified
// blocks, a stream's arrived bytes): the blocks it covers, fetched side by side, and the range cut from them.
export async function readFromBlocks(offset: number, length: number, blockBytes: number, block: (n: number) => Promise<Uint8Array>): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const first = Math.floor(offset / blockBytes);
  const last = Math.floor((offset + length - 1) / blockBytes);
  const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => block(first + k)));
  return cutFromBlocks(offset, length, first * blockBytes, parts);
}

/** [offset, offset + length) from consecutive blocks, the first starting at byte `start`: a view when one block holds
 *  it, else a copy. */
export function cutFromBlocks(offset: number, length: number, start: number, parts: readonly Uint8Array[]): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  if (parts.length === 1) return parts[0].subarray(offset - start, offset - start + length);
  const out = new Uint8Array(length);
  let partStart = start;
  for (const part of parts) {
    const from = Math.max(offset, partStart);
    const to = Math.min(offset + length, partStart + part.length);
    if (to > from) out.set(part.subarray(from - partStart, to - partStart), from - offset);
    partStart += part.length;
  }
  return out;
}
