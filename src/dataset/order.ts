// The order samples come in, as docs/FORMAT.md (Datasets, Sample order) fixes it: groups shuffled, cut into windows
// of consecutive groups, each window's samples shuffled, all from one mulberry32 generator seeded by seed and epoch.
// Computing the order touches no data, so skipping to a position decodes nothing before it.

/** mulberry32: draws of 32 bits from a 32-bit state. */
export function generator(seed: number, epoch: number): () => number {
  let s = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Fisher–Yates in place, from the last item down. */
export function shuffleInPlace(items: Uint32Array, draw: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor((draw() * (i + 1)) / 2 ** 32);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
}

/** One window: its groups (indices into the dataset's list of groups) and its samples' order, as positions in the
 *  window's samples (its groups' samples one after another). */
export interface Window {
  groups: number[];
  order: Uint32Array;
}

export interface OrderOptions {
  shuffle: boolean;
  seed: number;
  epoch: number;
  /** Groups per window. */
  window: number;
}

/** The epoch's windows, one at a time; `groupSizes[g]` is the sample count of group g. */
export function* epochWindows(groupSizes: readonly number[], options: OrderOptions): Generator<Window> {
  const groups = new Uint32Array(groupSizes.length);
  for (let g = 0; g < groups.length; g++) groups[g] = g;
  if (!options.shuffle) {
    // In stored order a window is one group: nothing to mix.
    for (let g = 0; g < groups.length; g++) yield { groups: [g], order: identity(groupSizes[g]) };
    return;
  }
  const draw = generator(options.seed, options.epoch);
  shuffleInPlace(groups, draw);
  for (let start = 0; start < groups.length; start += options.window) {
    const members = Array.from(groups.subarray(start, start + options.window));
    const order = identity(members.reduce((n, g) => n + groupSizes[g], 0));
    shuffleInPlace(order, draw);
    yield { groups: members, order };
  }
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
