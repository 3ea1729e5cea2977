// Shared memory, where the runtime has it (Node, Deno, cross-origin isolated pages). Posting a view of a
// SharedArrayBuffer shares it: a tensor's scales and zero points go to every worker without a copy per chunk, and
// workers write decoded chunks straight into a tensor allocated here, which spares the calling thread a copy of
// every decoded byte.
import { allocating } from '../codecs/output-bytes';

type SharedType<T> = { new (buffer: SharedArrayBuffer, offset?: number, length?: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** Whether the runtime has shared memory (Node, Deno, cross-origin isolated pages). */
export const hasSharedMemory = (): boolean => typeof SharedArrayBuffer === 'function';

/** Whether `bytes` lie in shared memory (a worker can then write them, or read them, without a copy). */
export const isSharedMemory = (bytes: Uint8Array): boolean => hasSharedMemory() && bytes.buffer instanceof SharedArrayBuffer;

/** A new zero-filled array of `length` elements of `type` in a SharedArrayBuffer, or an ordinary one where the
 *  runtime has none; LIMIT when it cannot be allocated. */
export function sharedArray<T>(type: SharedType<T>, length: number): T {
  return sharedArrays([{ type, length }])[0]!;
}

/** The most bytes sharedArrays() puts in one SharedArrayBuffer (browsers refuse buffers past 2 GiB or so). */
const SHARED_BLOCK_BYTES = 256 << 20;

/**
 * New zero-filled arrays, one per spec, packed side by side (each at a multiple of 64 bytes) into as few
 * SharedArrayBuffers as SHARED_BLOCK_BYTES allows; ordinary arrays where the runtime has none. A message that carries
 * views of many of them (a batch of chunks for the workers) then carries few buffers, which a worker takes in much less
 * time than one buffer per array. An array keeps its whole buffer alive. LIMIT when they cannot be allocated.
 */
export function sharedArrays<T>(specs: readonly { type: SharedType<T>; length: number }[]): T[] {
  if (!hasSharedMemory()) return specs.map(({ type, length }) => allocating(length * type.BYTES_PER_ELEMENT, () => new type(length)));
  const arrays: T[] = [];
  for (let first = 0; first < specs.length;) {
    // The next block: as many specs as fit (at least one, whatever its size).
    let bytes = 0;
    let end = first;
    for (; end < specs.length; end++) {
      const size = padded(specs[end]!);
      if (end > first && bytes + size > SHARED_BLOCK_BYTES) break;
      bytes += size;
    }
    const buffer = allocating(bytes, () => new SharedArrayBuffer(bytes));
    let at = 0;
    for (; first < end; first++) {
      const { type, length } = specs[first]!;
      arrays.push(new type(buffer, at, length));
      at += padded(specs[first]!);
    }
  }
  return arrays;
}

const padded = ({ type, length }: { type: { BYTES_PER_ELEMENT: number }; length: number }) => Math.ceil((length * type.BYTES_PER_ELEMENT) / 64) * 64;
