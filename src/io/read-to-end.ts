// Reads a stream of byte chunks to its end with a running count, so that nothing is buffered past what may arrive:
// the stream is cancelled as soon as the count passes `limit` (an endless body, a gzip bomb, a huge answer to a
// small Range request).
import { TensorzipError } from '../errors';

export interface ReadLimit {
  /** Most bytes the stream may have. */
  limit: number;
  /** The error to throw when it has more. */
  tooLong: () => Error;
  /** Called with the size of each chunk as it arrives. */
  onBytes?: (count: number) => void;
}

export async function readToEnd(chunks: AsyncIterable<unknown> | Iterable<unknown>, { limit, tooLong, onBytes }: ReadLimit): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) { // leaving the loop early (a throw) cancels the stream
    if (!(chunk instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', `open: the stream gave a ${typeof chunk} chunk; expected bytes (a stream without an encoding)`);
    total += chunk.length;
    if (total > limit) throw tooLong();
    onBytes?.(chunk.length);
    parts.push(chunk);
  }
  if (parts.length === 1) return parts[0];
  const all = new Uint8Array(total);
  parts.reduce((at, part) => (all.set(part, at), at + part.length), 0);
  return all;
}

/** The chunks of a web ReadableStream (Safari's streams are not async-iterable); leaving early cancels it. */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
