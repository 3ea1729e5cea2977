// The palette stage's encoder (layout: assembly/palette.ts, docs/FORMAT.md): the distinct values of the elements in
// increasing order, then each element's index among them. One pass hashes every element into an open-addressing
// table (stopping as soon as there are too many distinct values), the distinct values are sorted, and a second pass
// maps each element's slot to its index.
import { PALETTE_MAX_ENTRIES } from './stages';

/** Slots of the hash table: 4 × the most entries, so probes stay short. */
const SLOTS = 4 * PALETTE_MAX_ENTRIES;
const SLOT_MASK = SLOTS - 1;
const HASH_SHIFT = 32 - Math.log2(SLOTS);

interface Hashed {
  /** Per element, its slot. */
  slotOf: Int32Array;
  /** Per distinct value in first-seen order: its slot. */
  slots: Int32Array;
  distinct: number;
}

/** Elements as 32-bit words: the element's own word (widths 2, 4) or its two halves (width 8). */
function words(bytes: Uint8Array, width: number): Uint16Array | Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return width === 2 ? new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2)
    : new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/** Hashes every element; null once more than `limit` distinct values turn up. */
function hashElements(w: Uint16Array | Uint32Array, width: number, limit: number): { hashed: Hashed; keys: Uint32Array } | null {
  const pair = width === 8 ? 2 : 1;
  const count = w.length / pair;
  const keys = new Uint32Array(SLOTS * pair);
  const used = new Uint8Array(SLOTS);
  const slotOf = new Int32Array(count);
  const slots = new Int32Array(limit + 1);
  let distinct = 0;
  for (let i = 0; i < count; i++) {
    const lo = w[i * pair];
    const hi = pair === 2 ? w[i * 2 + 1] : 0;
    let slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> HASH_SHIFT;
    while (used[slot] !== 0 && (keys[slot * pair] !== lo || (pair === 2 && keys[slot * 2 + 1] !== hi))) slot = (slot + 1) & SLOT_MASK;
    if (used[slot] === 0) {
      if (distinct === limit) return null;
      used[slot] = 1;
      keys[slot * pair] = lo;
      if (pair === 2) keys[slot * 2 + 1] = hi;
      slots[distinct++] = slot;
    }
    slotOf[i] = slot;
  }
  return { hashed: { slotOf, slots, distinct }, keys };
}

/** How many distinct `width`-byte values `bytes` holds, or null when more than `limit` (≤ 65,536). */
export function countDistinct(bytes: Uint8Array, width: 2 | 4 | 8, limit: number = PALETTE_MAX_ENTRIES): number | null {
  return hashElements(words(bytes, width), width, Math.min(limit, PALETTE_MAX_ENTRIES))?.hashed.distinct ?? null;
}

/** The palette stage's bytes for `bytes` (whole `width`-byte elements), or null past 65,536 distinct values. */
export function paletteEncode(bytes: Uint8Array, width: 2 | 4 | 8): Uint8Array | null {
  const w = words(bytes, width);
  const found = hashElements(w, width, PALETTE_MAX_ENTRIES);
  if (found === null) return null;
  const { hashed: { slotOf, slots, distinct }, keys } = found;
  // The table in increasing order, as unsigned little-endian integers: sort the values, each carrying its slot.
  const order = width === 8
    ? sortedBy(distinct, (i) => (BigInt(keys[slots[i] * 2 + 1]) << 32n) | BigInt(keys[slots[i] * 2]))
    : sortedBy(distinct, (i) => keys[slots[i]]);
  const indexOfSlot = new Uint16Array(SLOTS);
  const tableBytes = distinct * width;
  const wide = distinct > 256;
  const count = bytes.length / width;
  const out = new Uint8Array(4 + tableBytes + count * (wide ? 2 : 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, distinct, true);
  for (let k = 0; k < distinct; k++) {
    const slot = slots[order[k]];
    indexOfSlot[slot] = k;
    if (width === 2) view.setUint16(4 + 2 * k, keys[slot], true);
    else if (width === 4) view.setUint32(4 + 4 * k, keys[slot], true);
    else {
      view.setUint32(4 + 8 * k, keys[slot * 2], true);
      view.setUint32(8 + 8 * k, keys[slot * 2 + 1], true);
    }
  }
  const at = 4 + tableBytes;
  if (wide) {
    const indices = new Uint16Array(count);
    for (let i = 0; i < count; i++) indices[i] = indexOfSlot[slotOf[i]];
    out.set(new Uint8Array(indices.buffer), at);
  } else {
    for (let i = 0; i < count; i++) out[at + i] = indexOfSlot[slotOf[i]];
  }
  return out;
}

/** The positions 0 … n − 1 sorted by key(i). */
function sortedBy(n: number, key: (i: number) => number | bigint): Int32Array {
  const keys = Array.from({ length: n }, (_, i) => key(i));
  return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
}
