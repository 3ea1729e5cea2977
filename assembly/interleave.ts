// Lane interleaving: wider lanes built from the halves held in two vectors (V8 emits one punpck instruction each).

/** 16-bit lanes from the first eight bytes of `low` and `high`: low byte from `low`, high byte from `high`. */
// @ts-ignore: decorator
@inline export function interleaveBytesLow(low: v128, high: v128): v128 {
  return i8x16.shuffle(low, high, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

/** The same from the last eight bytes. */
// @ts-ignore: decorator
@inline export function interleaveBytesHigh(low: v128, high: v128): v128 {
  return i8x16.shuffle(low, high, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/** 32-bit lanes from the first four 16-bit lanes of `low` and `high`: low half from `low`, high half from `high`. */
// @ts-ignore: decorator
@inline export function interleaveLow(low: v128, high: v128): v128 {
  return i8x16.shuffle(low, high, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
}

/** The same from the last four 16-bit lanes. */
// @ts-ignore: decorator
@inline export function interleaveHigh(low: v128, high: v128): v128 {
  return i8x16.shuffle(low, high, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
}
