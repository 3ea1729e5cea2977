// Shared memory, where the runtime has it (Node, Deno, cross-origin isolated pages). Posting a view of a
// SharedArrayBuffer shares it: a tensor's scales and zero points go to every worker without a copy per chunk, and
// workers write decoded chunks straight into a tensor allocated here, which spares the calling thread a copy of
// every decoded byte.
import { allocating } from '../codecs/output-bytes';

type SharedType<T> = { new (buffer: SharedArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number };

const hasSharedMemory = () => typeof SharedArrayBuffer === 'function';

/** Whether `bytes` lie in shared memory (a worker can then write them, or read them, without a copy). */
export const isSharedMemory = (bytes: Uint8Array): boolean => hasSharedMemory() && bytes.buffer instanceof SharedArrayBuffer;

/** A copy of `array` in a SharedArrayBuffer, or `array` itself where the runtime has none. */
export function shareable<T extends Float32Array | Int8Array | Uint8Array>(array: T): T {
  if (!hasSharedMemory()) return array;
  const shared = new (array.constructor as SharedType<T>)(new SharedArrayBuffer(array.byteLength));
  shared.set(array as never);
  return shared;
}

/** A new zero-filled array of `length` elements of `type` in a SharedArrayBuffer, or an ordinary one where the
 *  runtime has none; LIMIT when it cannot be allocated. */
export function sharedArray<T>(type: SharedType<T>, length: number): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  return allocating(bytes, () => (hasSharedMemory() ? new type(new SharedArrayBuffer(bytes)) : new type(length)));
}
