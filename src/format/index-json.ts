// The JSON index's text: one pass over its bytes counts the arrays and objects in arrays by depth (refusing deep
// nesting) before JSON.parse runs. An index nests 5 deep, while a hostile one may nest millions deep, which JSON.parse
// takes seconds over (and a recursive reader would overflow the stack on); and the counts let the reader refuse an
// index with too many tensors or chunks before paying for parsing it. The pass is a kernel: a JavaScript loop over
// every byte runs in V8's interpreter for milliseconds per 100 KB before it is optimized, and open() runs it once.
import { TensorzipError } from '../errors';
import type { Kernels } from '../wasm/kernels';

/** Deepest nesting of arrays and objects an index may have (it uses 5; the rest is room for later minor versions). */
export const MAX_INDEX_DEPTH = 64;

/** The index goes through WebAssembly memory a slice at a time, so a large one does not grow it. */
const SLICE = 1 << 20;

/** How many arrays and how many objects are elements of an array, by their depth (the top-level value is depth 1). */
export interface ArrayElementCounts {
  arrays: Uint32Array;
  objects: Uint32Array;
}

/**
 * Counts the arrays and objects that are array elements in UTF-8 JSON `bytes`, by depth; CORRUPT when anything nests
 * deeper than MAX_INDEX_DEPTH. Malformed JSON is left to JSON.parse.
 */
export function arrayElementsByDepth(kernels: Kernels, bytes: Uint8Array, offset: number): ArrayElementCounts {
  const k = kernels.exports;
  kernels.reset();
  try {
    const stateBytes = k.jsonArrayElementsBytes(MAX_INDEX_DEPTH);
    const state = kernels.alloc(stateBytes);
    const at = kernels.alloc(Math.min(bytes.length, SLICE));
    kernels.heap.fill(0, state, state + stateBytes);
    for (let i = 0; i < bytes.length; i += SLICE) {
      const piece = bytes.subarray(i, i + SLICE);
      kernels.heap.set(piece, at);
      if (k.jsonArrayElements(at, piece.length, state, MAX_INDEX_DEPTH) < 0) {
        throw new TensorzipError('CORRUPT', `open: the index nests deeper than ${MAX_INDEX_DEPTH} levels`, { offset: offset + i });
      }
    }
    const slots = MAX_INDEX_DEPTH + 1;
    const counts = new Uint32Array(kernels.heap.slice(state + 8, state + 8 + 8 * slots).buffer);
    return { arrays: counts.subarray(0, slots), objects: counts.subarray(slots) };
  } finally {
    kernels.reset();
  }
}

export function parseJson(bytes: Uint8Array, offset: number): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', 'open: the index is not valid UTF-8 JSON', { offset, cause });
  }
}
