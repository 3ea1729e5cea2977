// The palette stage's encoder (layout: assembly/palette.ts, docs/FORMAT.md): the distinct values of the elements in
// increasing order, then each element's index among them. One pass hashes every element into an open-addressing
// table, numbering the distinct values as they first turn up (and stopping once there are too many); the distinct
// values are sorted; a second pass maps each element's number to its rank.
import { PALETTE_MAX_ENTRIES } from './stages';

/** Slots of the hash table: 4 × the most entries, so probes stay short. */
const SLOTS = 4 * PALETTE_MAX_ENTRIES;
const SLOT_MASK = SLOTS - 1;
const HASH_SHIFT = 32 - Math.log2(SLOTS);

interface Numbered {
  /** Per element, the number of its value (first-seen order); empty when only counting. */
  numbers: Uint16Array;
  /** Per number, its value: one word per value (widths 2, 4) or the low and high halves (width 8). */
  values: Uint32Array;
  distinct: number;
}

/** Elements as words: the element itself (widths 2, 4) or its two 32-bit halves (width 8). */
function words(bytes: Uint8Array, width: number): Uint16Array | Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return width === 2 ? new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2)
    : new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/** Numbers the values of one-word elements; null once more than `limit` distinct values turn up. */
function numberWords(w: Uint16Array | Uint32Array, limit: number, counting: boolean): Numbered | null {
  const count = w.length;
  // Slot s holds its key at 2s and its number + 1 at 2s + 1 (0: empty): one cache line per probe.
  const table = new Uint32Array(2 * SLOTS);
  const values = new Uint32Array(limit);
  const numbers = new Uint16Array(counting ? 0 : count);
  let distinct = 0;
  for (let i = 0; i < count; i++) {
    const v = w[i];
    let slot = Math.imul(v, 0x9e3779b1) >>> HASH_SHIFT;
    let id = table[2 * slot + 1];
    while (id !== 0 && table[2 * slot] !== v) {
      slot = (slot + 1) & SLOT_MASK;
      id = table[2 * slot + 1];
    }
    if (id === 0) {
      if (distinct === limit) return null;
      table[2 * slot] = v;
      values[distinct] = v;
      id = table[2 * slot + 1] = ++distinct;
    }
    if (!counting) numbers[i] = id - 1;
  }
  return { numbers, values, distinct };
}

/** numberWords for elements of two words (width 8). */
function numberPairs(w: Uint32Array, limit: number, counting: boolean): Numbered | null {
  const count = w.length / 2;
  const ids = new Int32Array(SLOTS);
  const keys = new Uint32Array(2 * SLOTS);
  const values = new Uint32Array(2 * limit);
  const numbers = new Uint16Array(counting ? 0 : count);
  let distinct = 0;
  for (let i = 0; i < count; i++) {
    const lo = w[2 * i];
    const hi = w[2 * i + 1];
    let slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> HASH_SHIFT;
    let id = ids[slot];
    while (id !== 0 && (keys[2 * slot] !== lo || keys[2 * slot + 1] !== hi)) {
      slot = (slot + 1) & SLOT_MASK;
      id = ids[slot];
    }
    if (id === 0) {
      if (distinct === limit) return null;
      keys[2 * slot] = lo;
      keys[2 * slot + 1] = hi;
      values[2 * distinct] = lo;
      values[2 * distinct + 1] = hi;
      id = ids[slot] = ++distinct;
    }
    if (!counting) numbers[i] = id - 1;
  }
  return { numbers, values, distinct };
}

function numberElements(bytes: Uint8Array, width: 2 | 4 | 8, limit: number, counting: boolean): Numbered | null {
  const w = words(bytes, width);
  return width === 8 ? numberPairs(w as Uint32Array, limit, counting) : numberWords(w, limit, counting);
}

/** How many distinct `width`-byte values `bytes` holds, or null when more than `limit` (≤ 65,536). */
export function countDistinct(bytes: Uint8Array, width: 2 | 4 | 8, limit: number = PALETTE_MAX_ENTRIES): number | null {
  return numberElements(bytes, width, Math.min(limit, PALETTE_MAX_ENTRIES), true)?.distinct ?? null;
}

/** The palette stage's bytes for `bytes` (whole `width`-byte elements), or null past 65,536 distinct values. */
export function paletteEncode(bytes: Uint8Array, width: 2 | 4 | 8): Uint8Array | null {
  const numbered = numberElements(bytes, width, PALETTE_MAX_ENTRIES, false);
  if (numbered === null) return null;
  const { numbers, values, distinct } = numbered;
  // The table in increasing order, as unsigned little-endian integers.
  // (Plain loops: TypedArray.from with a mapping function costs about a microsecond per element.)
  const order = new Int32Array(distinct);
  if (width === 8) {
    const big = new BigUint64Array(distinct);
    for (let n = 0; n < distinct; n++) {
      order[n] = n;
      big[n] = (BigInt(values[2 * n + 1]) << 32n) | BigInt(values[2 * n]);
    }
    order.sort((a, b) => (big[a] < big[b] ? -1 : big[a] > big[b] ? 1 : 0));
  } else {
    // value · 2^16 + number is below 2^48, exact in a float64: one native sort, no comparator.
    const keyed = new Float64Array(distinct);
    for (let n = 0; n < distinct; n++) keyed[n] = values[n] * 65536 + n;
    keyed.sort();
    for (let k = 0; k < distinct; k++) order[k] = keyed[k] % 65536;
  }
  const wide = distinct > 256;
  const count = numbers.length;
  const at = 4 + distinct * width;
  const out = new Uint8Array(at + count * (wide ? 2 : 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, distinct, true);
  const rank = new Uint16Array(distinct);
  order.forEach((n, k) => {
    rank[n] = k;
    if (width === 2) view.setUint16(4 + 2 * k, values[n], true);
    else if (width === 4) view.setUint32(4 + 4 * k, values[n], true);
    else {
      view.setUint32(4 + 8 * k, values[2 * n], true);
      view.setUint32(8 + 8 * k, values[2 * n + 1], true);
    }
  });
  if (wide) {
    const indices = new Uint16Array(out.buffer, at, count); // `at` is even: 4 + K × an even width
    for (let i = 0; i < count; i++) indices[i] = rank[numbers[i]];
  } else {
    for (let i = 0; i < count; i++) out[at + i] = rank[numbers[i]];
  }
  return out;
}
