// Byte helpers the benches share: joining arrays, cutting 1 MiB blocks, and the order-0 bound of bytes.

export const BLOCK = 1 << 20;

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function blocksOf(bytes: Uint8Array, size = BLOCK): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) blocks.push(bytes.subarray(at, at + size));
  return blocks;
}

/** Σ n·H / 8 over the blocks: what any order-0 coder of these blocks could reach without a table, in bytes. */
export function order0Bound(blocks: Uint8Array[]): number {
  let bits = 0;
  for (const block of blocks) {
    const counts = new Array<number>(256).fill(0);
    for (const b of block) counts[b]++;
    for (const c of counts) if (c > 0) bits -= c * Math.log2(c / block.length);
  }
  return bits / 8;
}
