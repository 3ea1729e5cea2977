// What open() reads from: bytes in memory, a Blob (a slice at a time), a URL (HTTP Range requests), or a stream (read
// to its end first, up to maxBytes: random access needs the whole file).
import { TensorzipError } from '../errors';
import { bytesSource, type ByteSource } from '../format/archive';
import { httpSource } from './http-source';

export type ArchiveSource = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | string | URL;

export async function toByteSource(source: unknown, maxBytes?: number): Promise<ByteSource> {
  if (source instanceof Uint8Array) return bytesSource(source);
  if (source instanceof ArrayBuffer) return bytesSource(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { size: source.size, read: async (offset, length) => new Uint8Array(await source.slice(offset, offset + length).arrayBuffer()) };
  }
  if (typeof source === 'string' || source instanceof URL) return httpSource(String(source), { maxBytes });
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return bytesSource(await readAll(source, maxBytes ?? 2 ** 31));
  const found = source === null ? 'null' : (source as object)?.constructor?.name ?? typeof source;
  throw new TensorzipError('ARGUMENT', `open: expected a Uint8Array, ArrayBuffer, Blob, ReadableStream, URL or URL string, found ${found}`);
}

async function readAll(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new TensorzipError('LIMIT', `open: the stream is longer than maxBytes (${limit})`);
    }
    parts.push(value);
  }
  const all = new Uint8Array(total);
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return all;
}
