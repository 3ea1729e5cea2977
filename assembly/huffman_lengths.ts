// Code lengths of at most MAX_CODE_BITS for a byte histogram, by package-merge (Larmore & Hirschberg, the coin
// collector's form): optimal among length-limited prefix codes, deterministic (ties go to the lower byte value, then
// to leaves before packages), and small here: at most 256 symbols and 11 lists of at most 511 items.

import { MAX_CODE_BITS } from './huffman_format';
import { STATUS_ARGUMENT } from './status';

const SYMBOLS: usize = 256;
const LIST_ITEMS: usize = 2 * SYMBOLS;
/** Byte values with a nonzero count, by (count, value). */
const SORTED: usize = memory.data(<i32>(SYMBOLS * 2), 16);
/** The sort's keys: count << 8 | value (u64 each), distinct, so any order of sorting gives the one order. */
const KEYS: usize = memory.data(<i32>(SYMBOLS * 8), 16);
/** Shell sort's first gap (Knuth's 3h + 1 gaps: 121, 40, 13, 4, 1) for at most 256 keys. */
const FIRST_GAP: usize = 121;
/** More keys than this take the radix sort: its passes cost 256 digits each whatever the number of keys. */
const RADIX_FROM: usize = 48;
/** The radix sort's other buffer of keys, and where each digit's keys start. */
const KEYS_SPARE: usize = memory.data(<i32>(SYMBOLS * 8), 16);
const DIGIT_STARTS: usize = memory.data(<i32>(256 * 4), 16);
/** codeBits' Huffman tree: its inner nodes' weights (u64) and heights (u8), in the order they are made. */
const NODE_WEIGHTS: usize = memory.data(<i32>(SYMBOLS * 8), 16);
const NODE_HEIGHTS: usize = memory.data(<i32>SYMBOLS, 16);
/** Per list, what each item is: the leaf's index in SORTED, or PACKAGE. */
const KINDS: usize = memory.data(<i32>(LIST_ITEMS * 2 * MAX_CODE_BITS), 16);
/** The weights of the previous list and of the one being merged. */
const WEIGHTS_A: usize = memory.data(<i32>(LIST_ITEMS * 8), 16);
const WEIGHTS_B: usize = memory.data(<i32>(LIST_ITEMS * 8), 16);
const PACKAGE: u16 = 0xffff;

/**
 * Fills `lengths` (256 bytes) with the code length of each byte value from `counts` (256 u32): 0 where the count is
 * 0. Needs at least two nonzero counts. Returns how many values have codes.
 */
export function codeLengths(counts: usize, lengths: usize): usize {
  const m = sortByCount(counts);
  mergeLists(m, true);
  memory.fill(lengths, 0, SYMBOLS);
  // The first 2m - 2 items of the last list; each package taken takes the two items it was made of from the list
  // below it, which are the first ones there. A leaf's code length is the number of lists it is taken from.
  let taken: usize = 2 * m - 2;
  for (let list = <isize>MAX_CODE_BITS - 1; list >= 0; list--) {
    const kinds = KINDS + <usize>list * LIST_ITEMS * 2;
    let packages: usize = 0;
    for (let i: usize = 0; i < taken; i++) {
      const kind = load<u16>(kinds + (i << 1));
      if (kind == PACKAGE) {
        packages++;
      } else {
        const symbol = <usize>load<u16>(SORTED + (<usize>kind << 1));
        store<u8>(lengths + symbol, load<u8>(lengths + symbol) + 1);
      }
    }
    taken = packages * 2;
  }
  return m;
}

/**
 * The bits codeLengths' code spends on `counts` (Σ count · length), without its lengths: those of a Huffman tree when
 * it is no deeper than MAX_CODE_BITS (an optimal code without the limit is then optimal within it, and all optimal codes
 * spend the same bits), else the weights of the items codeLengths takes from its last list (a package weighs what its
 * leaves do, and a leaf's length is the number of lists it is taken from). Needs at least two nonzero counts.
 */
export function codeBits(counts: usize): u64 {
  const m = sortByCount(counts);
  // Two queues: the leaves in KEYS order and the inner nodes as they are made (their weights never decrease); each
  // step joins the two lightest fronts, a leaf first on a tie. The cost is the sum of the inner nodes' weights.
  let leaf: usize = 0;
  let node: usize = 0;
  let bits: u64 = 0;
  let height: u32 = 0;
  for (let made: usize = 0; made < m - 1; made++) {
    let weight: u64 = 0;
    height = 0;
    for (let side = 0; side < 2; side++) {
      if (leaf < m && (node == made || load<u64>(KEYS + (leaf << 3)) >> 8 <= load<u64>(NODE_WEIGHTS + (node << 3)))) {
        weight += load<u64>(KEYS + (leaf << 3)) >> 8;
        leaf++;
      } else {
        weight += load<u64>(NODE_WEIGHTS + (node << 3));
        height = max(height, <u32>load<u8>(NODE_HEIGHTS + node));
        node++;
      }
    }
    height++;
    store<u64>(NODE_WEIGHTS + (made << 3), weight);
    store<u8>(NODE_HEIGHTS + made, <u8>height);
    bits += weight;
  }
  if (height <= MAX_CODE_BITS) return bits;
  const last = mergeLists(m, false);
  bits = 0;
  for (let i: usize = 0; i < 2 * m - 2; i++) bits += load<u64>(last + (i << 3));
  return bits;
}

/** codeBits as a kernel, for the tests: the bits (u64) at `dst` for the 256 u32 counts at `counts`; returns 8, or
 *  ARGUMENT when fewer than two counts are nonzero. */
export function huffmanCodeBits(counts: usize, dst: usize): i32 {
  let distinct = 0;
  for (let v: usize = 0; v < SYMBOLS; v++) if (load<u32>(counts + (v << 2)) != 0) distinct++;
  if (distinct < 2) return STATUS_ARGUMENT;
  store<u64>(dst, codeBits(counts));
  return 8;
}

/**
 * Package-merge's lists for the m leaves in KEYS: list 0 the leaves, list i the leaves merged with the packages
 * (adjacent pairs) of list i - 1, the lighter first and a leaf first on a tie. Each list's items' kinds go into KINDS
 * when `withKinds`; returns the last list's weights.
 */
function mergeLists(m: usize, withKinds: bool): usize {
  let previous = WEIGHTS_A;
  let current = WEIGHTS_B;
  for (let i: usize = 0; i < m; i++) {
    store<u64>(previous + (i << 3), load<u64>(KEYS + (i << 3)) >> 8);
    if (withKinds) store<u16>(KINDS + (i << 1), <u16>i);
  }
  let previousItems = m;
  for (let list: usize = 1; list < <usize>MAX_CODE_BITS; list++) {
    const kinds = KINDS + list * LIST_ITEMS * 2;
    const packages = previousItems >> 1;
    let leaf: usize = 0;
    let pack: usize = 0;
    let items: usize = 0;
    while (leaf < m || pack < packages) {
      const packWeight = pack < packages
        ? load<u64>(previous + (pack << 4)) + load<u64>(previous + (pack << 4), 8)
        : u64.MAX_VALUE;
      const leafWeight = leaf < m ? load<u64>(KEYS + (leaf << 3)) >> 8 : u64.MAX_VALUE;
      if (leaf < m && leafWeight <= packWeight) {
        store<u64>(current + (items << 3), leafWeight);
        if (withKinds) store<u16>(kinds + (items << 1), <u16>leaf);
        leaf++;
      } else {
        store<u64>(current + (items << 3), packWeight);
        if (withKinds) store<u16>(kinds + (items << 1), PACKAGE);
        pack++;
      }
      items++;
    }
    const swap = previous;
    previous = current;
    current = swap;
    previousItems = items;
  }
  return previous;
}

/** Writes the byte values with nonzero counts into SORTED by (count, value) and returns how many there are; their
 *  keys stay sorted in KEYS. Few values: Shell sort; more: a radix sort on the counts' bytes (KEYS start in value
 *  order, and each pass keeps the order of equal digits, so equal counts stay in value order). */
function sortByCount(counts: usize): usize {
  let m: usize = 0;
  let largest: u32 = 0;
  for (let symbol: usize = 0; symbol < SYMBOLS; symbol++) {
    const count = load<u32>(counts + (symbol << 2));
    if (count != 0) {
      store<u64>(KEYS + (m++ << 3), (<u64>count << 8) | <u64>symbol);
      largest = max(largest, count);
    }
  }
  if (m <= RADIX_FROM) shellSort(m);
  else radixSort(m, largest);
  for (let i: usize = 0; i < m; i++) store<u16>(SORTED + (i << 1), <u16>(load<u64>(KEYS + (i << 3)) & 0xff));
  return m;
}

function shellSort(m: usize): void {
  for (let gap = FIRST_GAP; gap > 0; gap /= 3) {
    for (let i = gap; i < m; i++) {
      const key = load<u64>(KEYS + (i << 3));
      let at = i;
      while (at >= gap && load<u64>(KEYS + ((at - gap) << 3)) > key) {
        store<u64>(KEYS + (at << 3), load<u64>(KEYS + ((at - gap) << 3)));
        at -= gap;
      }
      store<u64>(KEYS + (at << 3), key);
    }
  }
}

/** Sorts the m keys in KEYS by their count (key >> 8), a byte a pass from the lowest, up to `largest`'s highest. */
function radixSort(m: usize, largest: u32): void {
  let from = KEYS;
  let to = KEYS_SPARE;
  for (let shift: u64 = 8; shift < 40 && (<u64>largest >> (shift - 8)) != 0; shift += 8) {
    memory.fill(DIGIT_STARTS, 0, 256 * 4);
    for (let i: usize = 0; i < m; i++) {
      const at = DIGIT_STARTS + (<usize>((load<u64>(from + (i << 3)) >> shift) & 0xff) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
    let start: u32 = 0;
    for (let d: usize = 0; d < 256; d++) {
      const n = load<u32>(DIGIT_STARTS + (d << 2));
      store<u32>(DIGIT_STARTS + (d << 2), start);
      start += n;
    }
    for (let i: usize = 0; i < m; i++) {
      const key = load<u64>(from + (i << 3));
      const at = DIGIT_STARTS + (<usize>((key >> shift) & 0xff) << 2);
      const place = load<u32>(at);
      store<u32>(at, place + 1);
      store<u64>(to + (<usize>place << 3), key);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from != KEYS) memory.copy(KEYS, from, m << 3);
}
