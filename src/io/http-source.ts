// A ByteSource over HTTP: the first request asks for the first 64 KiB with a Range header. A 206 answer gives the
// file size (Content-Range) and serves the prefix and, for index-first files, usually the whole index; later reads
// are one Range request each. A 200 answer means the server ignores Range: the body is the whole file, read once.
import { TensorzipError } from '../errors';
import type { ByteSource } from '../format/archive';

/** Bytes the first request asks for. */
const FIRST_BYTES = 65536;

export interface HttpSourceOptions {
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Refuse a file larger than this when the server sends it whole (default 2 GiB). */
  maxBytes?: number;
}

async function body(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

export async function httpSource(url: string, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const get = options.fetch ?? globalThis.fetch;
  if (typeof get !== 'function') throw new TensorzipError('UNSUPPORTED', 'open: this runtime has no fetch to read a URL with');
  const request = async (from: number, to: number) => {
    let response: Response;
    const init = { headers: { Range: `bytes=${from}-${to - 1}` } };
    try {
      // One retry: a kept-alive connection the server has just closed fails once (ECONNRESET) and then works.
      response = await get(url, init).catch(() => get(url, init));
    } catch (cause) {
      throw new TensorzipError('TRUNCATED', `open: reading ${url} failed`, { cause });
    }
    if (response.status !== 200 && response.status !== 206) throw new TensorzipError('TRUNCATED', `open: ${url} answered HTTP ${response.status}`);
    return response;
  };
  const first = await request(0, FIRST_BYTES);
  if (first.status === 200) {
    const length = Number(first.headers.get('content-length') ?? NaN);
    const limit = options.maxBytes ?? 2 ** 31;
    if (length > limit) throw new TensorzipError('LIMIT', `open: ${url} ignores Range requests and is ${length} bytes, over ${limit}`);
    const all = await body(first);
    return { size: all.length, read: async (offset, length) => all.subarray(offset, offset + length) };
  }
  const total = /\/(\d+)\s*$/.exec(first.headers.get('content-range') ?? '');
  if (total === null) throw new TensorzipError('CORRUPT', `open: ${url} answered 206 without a Content-Range total size`);
  const size = Number(total[1]);
  const head = await body(first);
  return {
    size,
    read: async (offset, length) => {
      if (offset + length <= head.length) return head.subarray(offset, offset + length);
      if (length === 0) return new Uint8Array(0);
      const response = await request(offset, offset + length);
      const bytes = await body(response);
      if (response.status === 200) return bytes.subarray(offset, offset + length); // the server stopped honouring Range
      if (bytes.length !== length) throw new TensorzipError('TRUNCATED', `open: asked ${url} for ${length} bytes at ${offset}, got ${bytes.length}`);
      return bytes;
    },
  };
}
