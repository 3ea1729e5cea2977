// Counts, in UTF-8 JSON text, the arrays and the objects that are elements of an array, by their depth (the top-level
// value is depth 1), refusing text that nests deeper than `maxDepth`. It reads the text as JSON's grammar lays it out
// and no further: a string runs from a quote to the next quote not escaped by a backslash; malformed JSON is the
// caller's parser's to refuse. UTF-8 continuation bytes are >= 0x80, so the ASCII bytes read here mean what they say
// wherever they are. The text may come in pieces: the state between them lives in `out`.
// Reads exactly `len` bytes at `src`; writes only the jsonArrayElementsBytes(maxDepth) bytes at `out`.
import { STATUS_ARGUMENT, STATUS_CORRUPT } from './status';

const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const OPEN_ARRAY: u8 = 0x5b;
const OPEN_OBJECT: u8 = 0x7b;
const CLOSE_ARRAY: u8 = 0x5d;
const CLOSE_OBJECT: u8 = 0x7d;
const MAX_DEPTH: i32 = 1 << 16;
// `out`: i32 depth | u8 in a string | u8 the next byte is escaped | 2 bytes unused | u32 arrays[maxDepth + 1] |
// u32 objects[maxDepth + 1] | u8 isArray[maxDepth + 1] (at each open depth: 1 for an array, 0 for an object).
const IN_STRING: usize = 4;
const ESCAPED: usize = 5;
const COUNTS: usize = 8;

/** Bytes of `out` for `maxDepth`; the caller zeroes them before the first piece of a text. */
export function jsonArrayElementsBytes(maxDepth: i32): i32 {
  return <i32>COUNTS + 9 * (maxDepth + 1);
}

/**
 * Reads the next `len` bytes of a text. After the last piece, `out` holds u32 arrays[maxDepth + 1] at byte 8, then
 * u32 objects[maxDepth + 1]: the counts by depth. Returns 0, or STATUS_CORRUPT at the first bracket deeper than
 * `maxDepth` (STATUS_ARGUMENT for a `maxDepth` outside 1 to 65,536, or a state that is not one this kernel wrote).
 */
export function jsonArrayElements(src: usize, len: usize, out: usize, maxDepth: i32): i32 {
  if (maxDepth < 1 || maxDepth > MAX_DEPTH) return STATUS_ARGUMENT;
  let depth = load<i32>(out);
  if (depth > maxDepth) return STATUS_ARGUMENT;
  const slots = <usize>(maxDepth + 1);
  const arrays = out + COUNTS;
  const objects = arrays + 4 * slots;
  const isArray = objects + 4 * slots;
  let inString = load<u8>(out, IN_STRING) !== 0;
  let p = src;
  const end = src + len;
  if (load<u8>(out, ESCAPED) !== 0 && p < end) p++; // the byte after a backslash that ended the last piece
  for (; p < end; p++) {
    const b = load<u8>(p);
    if (inString) {
      if (b === BACKSLASH) p++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > maxDepth) return STATUS_CORRUPT;
      // A closing bracket too many leaves depth below 0 (malformed, for JSON.parse to refuse): no slot there.
      if (depth >= 0) store<u8>(isArray + <usize>depth, b === OPEN_ARRAY ? 1 : 0);
      if (depth >= 1 && load<u8>(isArray + <usize>(depth - 1)) === 1) {
        const counter = (b === OPEN_ARRAY ? arrays : objects) + 4 * <usize>depth;
        store<u32>(counter, load<u32>(counter) + 1);
      }
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  store<i32>(out, depth);
  store<u8>(out, inString ? 1 : 0, IN_STRING);
  store<u8>(out, p > end ? 1 : 0, ESCAPED); // a backslash was the piece's last byte
  return 0;
}
