// A read of [offset, offset + length) from a file kept in fixed blocks (the download cache, a signature's verified
// blocks): the blocks it covers, fetched side by side, and the range cut from them.
export async function readFromBlocks(offset: number, length: number, blockBytes: number, block: (n: number) => Promise<Uint8Array>): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const first = Math.floor(offset / blockBytes);
  const last = Math.floor((offset + length - 1) / blockBytes);
  const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => block(first + k)));
  if (parts.length === 1) return parts[0].subarray(offset - first * blockBytes, offset - first * blockBytes + length);
  const out = new Uint8Array(length);
  parts.forEach((part, k) => {
    const start = (first + k) * blockBytes;
    const from = Math.max(offset, start);
    const to = Math.min(offset + length, start + part.length);
    out.set(part.subarray(from - start, to - start), from - offset);
  });
  return out;
}
