// The index's JSON text, parsed with its nesting bounded first: an index nests 4 deep, while a hostile one may nest
// millions deep, which JSON.parse takes seconds over (and which any recursive reader would overflow the stack on).
import { TensorzipError } from '../errors';

/** Deepest nesting of arrays and objects an index may have (it uses 4; the rest is room for later minor versions). */
export const MAX_INDEX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Parses the index bytes (UTF-8 JSON) after checking, in one pass, that they nest at most MAX_INDEX_DEPTH deep. */
export function parseIndexJson(bytes: Uint8Array, offset: number): unknown {
  // UTF-8 continuation bytes are ≥ 0x80, so these ASCII bytes mean what they say wherever they are.
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > MAX_INDEX_DEPTH) throw new TensorzipError('CORRUPT', `open: the index nests deeper than ${MAX_INDEX_DEPTH} levels`, { offset: offset + i });
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', 'open: the index is not valid UTF-8 JSON', { offset, cause });
  }
}
