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

/** The most bytes sharedArrays() puts in one SharedArrayBuffer: 16 MiB, under 32 MiB, past which glibc's malloc
 *  always maps fresh pages (its largest mmap threshold), whose first writes fault one page at a time; smaller blocks
 *  come from memory it reuses (zero-filled here). getAll() of face-api's 50 MB on 2 Node workers, median of 30: 31 ms
 *  and 59 ms of CPU in one block; 27–29 ms and 49–51 ms in blocks of 16 MiB; 25–26.5 ms with each block handed to
 *  the workers before the next is allocated (sharedArrayBlocks). One thread: 36.5–37.7 ms. */
const SHARED_BLOCK_BYTES = 16 << 20;

/**
 * New zero-filled arrays, one per spec, packed side by side (each at a multiple of 64 bytes) into as few
 * SharedArrayBuffers as SHARED_BLOCK_BYTES allows; ordinary arrays where the runtime has none. A message that carries
 * views of many of them (a batch of chunks for the workers) then carries few buffers, which a worker takes in much less
 * time than one buffer per array. An array keeps its whole buffer alive. LIMIT when they cannot be allocated.
 */
export function sharedArrays<T>(specs: readonly { type: SharedType<T>; length: number }[]): T[] {
  return [...sharedArrayBlocks(specs)].flat();
}

/** sharedArrays' arrays a buffer at a time, each allocated when asked for: a caller can hand one buffer's arrays to the
 *  workers before the next is allocated (and zero-filled). */
export function* sharedArrayBlocks<T>(specs: readonly { type: SharedType<T>; length: number }[]): Generator<T[]> {
  if (!hasSharedMemory()) {
    yield specs.map(({ type, length }) => allocating(length * type.BYTES_PER_ELEMENT, () => new type(length)));
    return;
  }
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
    const arrays: T[] = [];
    let at = 0;
    for (; first < end; first++) {
      const { type, length } = specs[first]!;
      arrays.push(new type(buffer, at, length));
      at += padded(specs[first]!);
    }
    yield arrays;
  }
}

const padded = ({ type, length }: { type: { BYTES_PER_ELEMENT: number }; length: number }) => Math.ceil((length * type.BYTES_PER_ELEMENT) / 64) * 64;
