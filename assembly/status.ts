// Status codes returned by every kernel. A kernel returns >= 0 (bytes or elements written) on success and one
// of these negative values otherwise. src/errors.ts holds the same table; test/status.node.test.ts keeps the two
// in step. Numbers are never reused.

/** The input ended before the data it declares. */
export const STATUS_TRUNCATED: i32 = -1;
/** The input is malformed (for LZ4: a zero offset, or an offset before the start of the output). */
export const STATUS_CORRUPT: i32 = -2;
/** The output does not fit the capacity the caller gave. */
export const STATUS_OUTPUT_FULL: i32 = -3;
/** A parameter is outside its documented range. */
export const STATUS_ARGUMENT: i32 = -4;
