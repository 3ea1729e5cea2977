// Code lengths of at most MAX_CODE_BITS for a byte histogram, by package-merge (Larmore & Hirschberg, the coin
// collector's form): optimal among length-limited prefix codes, deterministic (ties go to the lower byte value, then
// to leaves before packages), and small here: at most 256 symbols and 11 lists of at most 511 items.

import { MAX_CODE_BITS } from './huffman_format';

const SYMBOLS: usize = 256;
const LIST_ITEMS: usize = 2 * SYMBOLS;
/** Byte values with a nonzero count, by (count, value). */
const SORTED: usize = memory.data(<i32>(SYMBOLS * 2), 16);
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
  memory.fill(lengths, 0, SYMBOLS);
  // List 0: the leaves. List i: the leaves merged with the packages (adjacent pairs) of list i - 1.
  let previous = WEIGHTS_A;
  let current = WEIGHTS_B;
  for (let i: usize = 0; i < m; i++) {
    store<u64>(previous + (i << 3), <u64>load<u32>(counts + (<usize>load<u16>(SORTED + (i << 1)) << 2)));
    store<u16>(KINDS + (i << 1), <u16>i);
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
      const leafWeight = leaf < m
        ? <u64>load<u32>(counts + (<usize>load<u16>(SORTED + (leaf << 1)) << 2))
        : u64.MAX_VALUE;
      if (leaf < m && leafWeight <= packWeight) {
        store<u64>(current + (items << 3), leafWeight);
        store<u16>(kinds + (items << 1), <u16>leaf);
        leaf++;
      } else {
        store<u64>(current + (items << 3), packWeight);
        store<u16>(kinds + (items << 1), PACKAGE);
        pack++;
      }
      items++;
    }
    const swap = previous;
    previous = current;
    current = swap;
    previousItems = items;
  }
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

/** Writes the byte values with nonzero counts into SORTED by (count, value) and returns how many there are. */
function sortByCount(counts: usize): usize {
  let m: usize = 0;
  for (let symbol: usize = 0; symbol < SYMBOLS; symbol++) {
    const count = load<u32>(counts + (symbol << 2));
    if (count == 0) continue;
    // Insertion: values arrive in increasing order, so equal counts stay in value order.
    let at = m;
    while (at > 0 && load<u32>(counts + (<usize>load<u16>(SORTED + ((at - 1) << 1)) << 2)) > count) {
      store<u16>(SORTED + (at << 1), load<u16>(SORTED + ((at - 1) << 1)));
      at--;
    }
    store<u16>(SORTED + (at << 1), <u16>symbol);
    m++;
  }
  return m;
}
