// What open() reads from: bytes in memory, a Blob (a slice at a time), a URL (HTTP Range requests), a file path or
// file: URL (Node, Deno: a range at a time), or a stream (up to maxBytes, kept as it arrives: open() reads it as it
// comes, everything else once it has ended).
import { isTensorzipError, TensorzipError } from '../errors';
import type { KeyInput } from './keys';
import { verifiedSource } from './signature';
import { bytesSource, type ArrivingFile, type ByteSource, type OpenOptions } from '../format/archive';
import { fileSource, hasFileSystem, pathOfFileUrl } from './file-source';
import { DEFAULT_TIMEOUT_MS, httpSource, READS_EVERY_TENSOR, WHOLE_READ_HEAD_BYTES } from './http-source';
import { cachedHttpSource } from './cached-source';
import { cacheStore, type CacheStore } from './cache-stores';
import type { ChunkSource } from './read-to-end';
import { arrivingStream } from './arriving-stream';

export type ArchiveSource = ArrayBufferView | ArrayBuffer | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string | URL;

/** Options of open() for URLs (and `signal` for streams). */
export interface SourceOptions {
  /** Fail with TIMEOUT when a request, or a stream while it is read, receives no byte for this long, in milliseconds
   *  (default 30 000; Infinity: never). */
  timeoutMs?: number;
  /** Abort every request of the archive, or the reading of a stream (open and later reads), with ABORTED. */
  signal?: AbortSignal;
  /** Keep the downloaded file in a cache (cached-source.ts): a store from `cacheStore`, or true for the Cache API
   *  (browsers, Deno). A later open() costs one HEAD request, and only blocks the store lacks are downloaded. */
  cache?: CacheStore | boolean;
  /** Verify the file's signature (docs/SECURITY.md) with this public key (Ed25519 or ECDSA P-256: a CryptoKey, JWK,
   *  PEM or raw bytes) before anything is decoded, and each block of it as it is read: SIGNATURE otherwise. */
  publicKey?: KeyInput;
  /** The detached signature `sign` made: its bytes, or where to read it; by default `<source>.sig` for a path or URL. */
  signature?: unknown;
}

const DEFAULT_MAX_BYTES = 2 ** 31;
/** A scheme of two letters at least: `C:\models\a.tzip` is a Windows path, not a URL. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

const PREPARED = Symbol('tensorzip.preparedSource');

/** A ByteSource already made (a shard opened and checked by open-any.ts), handed to open() as its source. */
export const preparedSource = (source: ByteSource): object => ({ [PREPARED]: source });

/** What open() reads a .tzip file from: a stream as it arrives (unless a signature must first be checked over the
 *  whole file), anything else as toByteSource gives it. */
export async function toArchiveSource(source: unknown, options: OpenOptions & SourceOptions = {}): Promise<ByteSource | ArrivingFile> {
  if (isStream(source) && options.publicKey === undefined) return streamSource(source, options);
  return toByteSource(source, options);
}

const isStream = (source: unknown): source is ChunkSource => (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream)
  || typeof (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

function streamSource(source: ChunkSource, options: OpenOptions & SourceOptions) {
  const { retain = true, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  if (typeof retain !== 'boolean') throw new TensorzipError('ARGUMENT', `open retain: expected true or false, found ${String(retain)}`);
  return arrivingStream(source, { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, retain, timeoutMs, signal: options.signal, onProgress: options.onProgress });
}

export async function toByteSource(source: unknown, options: OpenOptions & SourceOptions = {}): Promise<ByteSource> {
  const file = await unsignedSource(source, options);
  if (options.publicKey === undefined) return file;
  return verifiedSource(file, await signatureOf(source, options), options.publicKey);
}

/** The signature file of a source opened with publicKey: given, or read beside the file. Not found is SIGNATURE. */
async function signatureOf(source: unknown, options: OpenOptions & SourceOptions): Promise<Uint8Array> {
  const given = options.signature ?? (typeof source === 'string' || source instanceof URL ? `${String(source)}.sig` : undefined);
  if (given === undefined) throw new TensorzipError('SIGNATURE', 'open: publicKey was given, and no signature: pass the signature sign() made as `signature`');
  if (given instanceof Uint8Array) return given;
  try {
    const file = await unsignedSource(given, { maxBytes: 64 << 20, timeoutMs: options.timeoutMs, signal: options.signal });
    return await file.read(0, file.size);
  } catch (cause) {
    if (isTensorzipError(cause, 'NOT_FOUND')) throw new TensorzipError('SIGNATURE', `open: publicKey was given, and there is no signature at ${String(given)} (the file is not signed)`, { cause });
    throw cause;
  }
}

async function unsignedSource(source: unknown, options: OpenOptions & SourceOptions): Promise<ByteSource> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof source === 'object' && source !== null && PREPARED in source) return (source as { [PREPARED]: ByteSource })[PREPARED];
  if (source instanceof Uint8Array) return bytesSource(source);
  if (ArrayBuffer.isView(source)) return bytesSource(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  if (source instanceof ArrayBuffer) return bytesSource(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { size: source.size, read: async (offset, length) => new Uint8Array(await source.slice(offset, offset + length).arrayBuffer()) };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const text = String(source);
    if (/^file:/i.test(text)) return fileSource(await pathOfFileUrl(text));
    if (SCHEME.test(text) || !hasFileSystem()) {
      const http = { maxBytes, timeoutMs: options.timeoutMs, signal: options.signal, onProgress: options.onProgress };
      const store = options.cache === true ? cacheStore.cacheApi() : options.cache || null;
      if (store !== null && typeof store?.get !== 'function') throw new TensorzipError('ARGUMENT', 'open cache: expected true or a store from cacheStore');
      if (store) return cachedHttpSource(text, http, store);
      const readsEveryTensor = (options as { [READS_EVERY_TENSOR]?: boolean })[READS_EVERY_TENSOR] === true;
      return httpSource(text, readsEveryTensor ? { ...http, headBytes: WHOLE_READ_HEAD_BYTES } : http);
    }
    return fileSource(text);
  }
  if (isStream(source)) return streamSource(source, options).whole();
  const found = source === null ? 'null' : (source as object)?.constructor?.name ?? typeof source;
  throw new TensorzipError('ARGUMENT', `open: expected bytes, a Blob, a ReadableStream, a Node Readable, a URL, a URL string or a file path, found ${found}`);
}
