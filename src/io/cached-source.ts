// A URL read through a download cache: the file is kept in blocks of 1 MiB in a CacheStore, keyed by the URL and the
// file's identity (ETag, else Last-Modified), each block with the first 32 bits of its SHA-256. A later open() asks the server
// only whether the file is still the same (one HEAD request, no body) and reads every block it has from the store;
// the blocks it lacks — never fetched, evicted, damaged, or lost to an interrupted download — are fetched with Range
// requests and stored. A file whose identity changed drops its old blocks; a file without ETag or Last-Modified is
// not cached (nothing would tell its versions apart). Offline (the HEAD request fails to connect), the stored blocks
// are used as they are.
import { TensorzipError } from '../errors';
import type { ByteSource } from '../format/archive';
import type { ByteRange } from '../format/index-document';
import { sha256 } from '../format/node-crypto';
import { cacheStore, type CacheStore } from './cache-stores';
import { httpSource, type HttpSourceOptions } from './http-source';
import { readFromBlocks } from './block-read';

export const CACHE_BLOCK = 1 << 20;
/** Blocks fetched by one request at most, so that an interrupted download keeps all but the last 8 MiB. */
const RUN_BLOCKS = 8;

/** The store's keys for one URL: its group (deleted at once) and, inside it, the record and the blocks. */
export const cacheGroup = (url: string) => `tensorzip-cache-1 ${url}`;

interface Record {
  identity: string;
  size: number;
}

function defer<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Whether the server still has the recorded file: true (same identity and size), false (another), or null (no
 *  answer: offline, or a server error) — a 404 is NOT_FOUND. */
async function stillSame(url: string, record: Record, signal: AbortSignal | undefined): Promise<boolean | null> {
  let response: Response | undefined;
  // Twice: a kept-alive connection the server has closed fails the first attempt.
  for (let attempt = 0; response === undefined && attempt < 2; attempt++) {
    try {
      response = await fetch(url, { method: 'HEAD', signal });
    } catch (cause) {
      if (signal?.aborted) throw new TensorzipError('ABORTED', `open: reading ${url} was aborted`, { cause: signal.reason });
    }
  }
  if (response === undefined) return null;
  if (response.status === 404 || response.status === 410) throw new TensorzipError('NOT_FOUND', `open: ${url} answered HTTP ${response.status}`);
  if (!response.ok) return response.status >= 500 ? null : false;
  const identity = response.headers.get('etag') ?? response.headers.get('last-modified');
  const length = response.headers.get('content-length');
  return identity === record.identity && (length === null || Number(length) === record.size);
}

/** The first 32 bits of a block's SHA-256: enough to tell a damaged block. */
async function blockCheck(bytes: Uint8Array): Promise<number> {
  const hash = await sha256(bytes);
  return new DataView(hash.buffer, hash.byteOffset, 4).getUint32(0, true);
}

export async function cachedHttpSource(url: string, options: HttpSourceOptions, store: CacheStore): Promise<ByteSource> {
  const group = cacheGroup(url);
  const { onProgress: _ignored, ...networkOptions } = options;
  let record: Record | null = null;
  try {
    const stored = await store.get(`${group}#record`);
    const parsed = stored && JSON.parse(new TextDecoder().decode(stored));
    if (typeof parsed?.identity === 'string' && Number.isSafeInteger(parsed?.size)) record = parsed;
  } catch {
    record = null; // a damaged record is no record
  }
  let network: Promise<ByteSource> | undefined;
  if (record === null || (await stillSame(url, record, options.signal)) === false) {
    const source = await httpSource(url, networkOptions);
    if (!source.identity) return { ...source, identity: null }; // nothing tells versions apart: not cached
    if (record !== null) await store.delete(`${group}#`).catch(() => {});
    record = { identity: source.identity, size: source.size };
    await store.put(`${group}#record`, new TextEncoder().encode(JSON.stringify(record))).catch(() => {});
    network = Promise.resolve(source);
  }
  const { identity, size } = record;
  const openNetwork = () => (network ??= httpSource(url, networkOptions).then((source) => {
    if (source.identity !== identity || source.size !== size) throw new TensorzipError('CHANGED', `open: ${url} changed while it was read (the cache holds ${identity}, ${size} bytes)`);
    return source;
  }));
  const blockKey = (n: number) => `${group}#${identity} ${n}`;
  const blockLength = (n: number) => Math.min(CACHE_BLOCK, size - n * CACHE_BLOCK);

  const fromStore = async (n: number): Promise<Uint8Array | undefined> => {
    const stored = await store.get(blockKey(n)).catch(() => undefined);
    if (stored === undefined || stored.length !== blockLength(n) + 4) return undefined;
    const bytes = stored.subarray(0, stored.length - 4);
    const check = new DataView(stored.buffer, stored.byteOffset + bytes.length, 4).getUint32(0, true);
    return (await blockCheck(bytes)) === check ? bytes : undefined; // a damaged block is fetched again
  };
  const toStore = async (n: number, bytes: Uint8Array) => {
    const stored = new Uint8Array(bytes.length + 4);
    stored.set(bytes);
    new DataView(stored.buffer).setUint32(bytes.length, await blockCheck(bytes), true);
    await store.put(blockKey(n), stored).catch(() => {}); // a full or failing store only costs a later download
  };

  // Blocks asked for and not yet delivered; each is dropped once it is stored, so memory holds only blocks in use.
  const pending = new Map<number, Promise<Uint8Array>>();
  const want = (numbers: number[]): void => {
    const fresh = [...new Set(numbers)].filter((n) => !pending.has(n));
    if (fresh.length === 0) return;
    const waiting = new Map(fresh.map((n) => [n, defer<Uint8Array>()]));
    for (const [n, d] of waiting) {
      const delivered = d.promise.finally(() => pending.delete(n));
      delivered.catch(() => {}); // a failure reaches the reads that wait for the block
      pending.set(n, delivered);
    }
    (async () => {
      const found = await Promise.all(fresh.map(fromStore));
      const missing = fresh.filter((n, i) => (found[i] ? (waiting.get(n)!.resolve(found[i]!), false) : true)).sort((a, b) => a - b);
      if (missing.length === 0) return;
      const runs: number[][] = [];
      for (const n of missing) {
        const run = runs[runs.length - 1];
        if (run && n === run[run.length - 1] + 1 && run.length < RUN_BLOCKS) run.push(n);
        else runs.push([n]);
      }
      const source = await openNetwork();
      const span = (run: number[]) => ({ offset: run[0] * CACHE_BLOCK, length: run.reduce((t, n) => t + blockLength(n), 0) });
      source.prefetch?.(runs.map((run) => ({ ...span(run), checksum: 0 }))); // sources ignore the checksum
      await Promise.all(runs.map(async (run) => {
        const { offset, length } = span(run);
        const bytes = await source.read(offset, length);
        for (const n of run) {
          const block = bytes.slice(n * CACHE_BLOCK - offset, n * CACHE_BLOCK - offset + blockLength(n));
          await toStore(n, block);
          waiting.get(n)!.resolve(block);
        }
      }));
    })().catch((err) => {
      for (const d of waiting.values()) d.reject(err); // blocks already delivered ignore it
    });
  };
  const blocksOf = (offset: number, length: number) => {
    const numbers: number[] = [];
    for (let n = Math.floor(offset / CACHE_BLOCK); n * CACHE_BLOCK < offset + length; n++) numbers.push(n);
    return numbers;
  };

  return {
    size,
    identity,
    prefetch(ranges: readonly ByteRange[]) {
      want(ranges.flatMap((r) => (r.length > 0 ? blocksOf(r.offset, r.length) : [])));
    },
    read(offset, length) {
      if (length > 0) want(blocksOf(offset, length)); // every block of the read is pending now
      return readFromBlocks(offset, length, CACHE_BLOCK, (n) => pending.get(n)!);
    },
  };
}

/**
 * Empties a download cache: every file it holds, or only `url`'s blocks. `true` is the Cache API's default store.
 * @example
 * await clearCache(cacheStore.directory('.cache/tensorzip'));
 * await clearCache(true, 'https://example.com/model.tzip');
 */
export async function clearCache(store: CacheStore | true, url?: string | URL): Promise<void> {
  const target = store === true ? cacheStore.cacheApi() : store;
  if (typeof target?.delete !== 'function') throw new TensorzipError('ARGUMENT', 'clearCache: expected true or a store from cacheStore');
  await target.delete(url === undefined ? '' : `${cacheGroup(String(url))}#`);
}
