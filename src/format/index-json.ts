// The index's JSON text: one pass over the bytes counts the arrays and objects in arrays by depth (refusing deep
// nesting) before JSON.parse runs. An index nests 5 deep, while a hostile one may nest millions deep, which JSON.parse takes
// seconds over (and a recursive reader would overflow the stack on); and the counts let the reader refuse an index
// with too many tensors or chunks before paying for parsing it.
import { TensorzipError } from '../errors';

/** Deepest nesting of arrays and objects an index may have (it uses 5; the rest is room for later minor versions). */
export const MAX_INDEX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** How many arrays and how many objects are elements of an array, by their depth (the top-level value is depth 1). */
export interface ArrayElementCounts {
  arrays: Uint32Array;
  objects: Uint32Array;
}

/**
 * Counts the arrays and objects that are array elements in UTF-8 JSON `bytes`, by depth; CORRUPT when anything nests
 * deeper than MAX_INDEX_DEPTH. Malformed JSON is left to JSON.parse.
 */
export function arrayElementsByDepth(bytes: Uint8Array, offset: number): ArrayElementCounts {
  const arrays = new Uint32Array(MAX_INDEX_DEPTH + 1);
  const objects = new Uint32Array(MAX_INDEX_DEPTH + 1);
  const isArray = new Uint8Array(MAX_INDEX_DEPTH + 1); // at each open depth: 1 for an array, 0 for an object
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
      isArray[depth] = b === OPEN_ARRAY ? 1 : 0;
      if (isArray[depth - 1] === 1) (b === OPEN_ARRAY ? arrays : objects)[depth]++;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return { arrays, objects };
}

export function parseJson(bytes: Uint8Array, offset: number): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', 'open: the index is not valid UTF-8 JSON', { offset, cause });
  }
}
