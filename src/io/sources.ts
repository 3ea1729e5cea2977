// What open() reads from: bytes in memory, a Blob (a slice at a time), or a URL (HTTP Range requests).
import { TensorzipError } from '../errors';
import { bytesSource, type ByteSource } from '../format/archive';
import { httpSource } from './http-source';

export type ArchiveSource = Uint8Array | ArrayBuffer | Blob | string | URL;

export async function toByteSource(source: unknown, maxBytes?: number): Promise<ByteSource> {
  if (source instanceof Uint8Array) return bytesSource(source);
  if (source instanceof ArrayBuffer) return bytesSource(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { size: source.size, read: async (offset, length) => new Uint8Array(await source.slice(offset, offset + length).arrayBuffer()) };
  }
  if (typeof source === 'string' || source instanceof URL) return httpSource(String(source), { maxBytes });
  const found = source === null ? 'null' : (source as object)?.constructor?.name ?? typeof source;
  throw new TensorzipError('ARGUMENT', `open: expected a Uint8Array, ArrayBuffer, Blob, URL or URL string, found ${found} (streams are not supported yet)`);
}
