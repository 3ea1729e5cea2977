// Reads a stream of byte chunks to its end with a running count, so that nothing is buffered past what may arrive:
// the stream is cancelled as soon as the count passes `limit` (an endless body, a gzip bomb, a huge answer to a
// small Range request). chunksOf pulls the chunks one at a time, for a reader that keeps them its own way
// (arriving-stream.ts).
import { TensorzipError } from '../errors';

export interface ReadLimit {
  /** Most bytes the stream may have. */
  limit: number;
  /** The error to throw when it has more. */
  tooLong: () => Error;
  /** Called as each chunk arrives (after it is copied into `into`), with its size and the total so far. */
  onBytes?: (count: number, total: number) => void;
  /** An array of the exact length expected, when known: the chunks are copied into it as they arrive. */
  into?: Uint8Array;
}

/** A web ReadableStream (read with a reader: Safari's are not async-iterable), or any async iterable (a Node Readable). */
export type ChunkSource = ReadableStream<Uint8Array> | AsyncIterable<unknown>;

/** Pulls a stream's chunks one at a time: `pull` gives the next (null at the end; ARGUMENT for one that is not bytes),
 *  `cancel` stops the stream (a Node Readable is destroyed). */
export function chunksOf(source: ChunkSource): { pull: () => Promise<Uint8Array | null>; cancel: () => void } {
  let next: () => Promise<IteratorResult<unknown>>;
  let cancel: () => void;
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    if (source.locked) throw new TensorzipError('ARGUMENT', 'open: the stream is locked: another reader is reading it');
    const reader = source.getReader();
    next = () => reader.read() as Promise<IteratorResult<unknown>>;
    cancel = () => void reader.cancel().catch(() => {});
  } else {
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    next = () => iterator.next();
    // A Node Readable is destroyed: its iterator's return() waits behind a pending next(), which a stalled socket
    // never ends.
    const destroy = (source as { destroy?: unknown }).destroy;
    cancel = typeof destroy === 'function' ? () => void destroy.call(source) : () => void iterator.return?.()?.catch(() => {});
  }
  const pull = async () => {
    const { done, value: chunk } = await next();
    if (done) return null;
    if (!(chunk instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', `open: the stream gave a ${typeof chunk} chunk; expected bytes (a stream without an encoding)`);
    return chunk;
  };
  return { pull, cancel };
}

export async function readToEnd(source: ChunkSource, { limit, tooLong, onBytes, into }: ReadLimit): Promise<Uint8Array> {
  const { pull, cancel } = chunksOf(source);
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = await pull();
      if (chunk === null) break;
      if (total + chunk.length > limit) throw tooLong();
      if (into) into.set(chunk, total);
      else parts.push(chunk);
      total += chunk.length;
      onBytes?.(chunk.length, total);
    }
  } catch (err) {
    cancel();
    throw err;
  }
  if (into) return total === into.length ? into : into.subarray(0, total);
  if (parts.length === 1) return parts[0];
  const all = new Uint8Array(total);
  parts.reduce((at, part) => (all.set(part, at), at + part.length), 0);
  return all;
}
