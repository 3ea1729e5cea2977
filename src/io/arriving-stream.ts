// A stream opened as a file that arrives from its start (open() of a ReadableStream or a Node Readable): a read is
// served as soon as its bytes are in, so an index-first file's tensors decode while the rest still arrives. The bytes
// are copied into blocks of BLOCK_BYTES as they come and kept, since any tensor may be read at any time: one copy of
// the file, never a second one to join its pieces. The stream is read on its own from the start, at most `maxBytes`
// (more is LIMIT); its failure (IO), an abort (ABORTED), or an end before a read's bytes (TRUNCATED) fails every
// pending and later read, so no read waits for bytes that cannot come.
import { TensorzipError } from '../errors';
import type { ArrivingFile, ByteSource } from '../format/archive';
import { cutFromBlocks } from './block-read';
import { chunksOf, type ChunkSource } from './read-to-end';

/** 1 MiB: a read inside one block is a view of it; the last block is trimmed to the bytes it holds at the end. */
const BLOCK_BYTES = 1 << 20;

export interface ArrivingStreamOptions {
  /** Most bytes the stream may have. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Called as bytes arrive, with the bytes so far and the stream's size (NaN until it has ended). */
  onProgress?: (bytesArrived: number, fileSize: number) => void;
}

interface Waiting {
  end: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function arrivingStream(stream: ChunkSource, { maxBytes, signal, onProgress }: ArrivingStreamOptions): ArrivingFile {
  const blocks: Uint8Array[] = [];
  let arrived = 0;
  let size: number | undefined;
  let failure: { error: unknown } | undefined;
  let waiting: Waiting[] = [];
  const endChecks: Parameters<ArrivingFile['atEnd']>[0][] = [];
  let ended: (file: ByteSource) => void;
  let endFailed: (error: unknown) => void;
  const whole = new Promise<ByteSource>((resolve, reject) => [ended, endFailed] = [resolve, reject]);
  whole.catch(() => {}); // its awaiters see the error; nothing need await it
  const { pull, cancel } = chunksOf(stream);

  const cut = (offset: number, length: number) => {
    const first = Math.floor(offset / BLOCK_BYTES);
    return cutFromBlocks(offset, length, first * BLOCK_BYTES, blocks.slice(first, Math.floor((offset + length - 1) / BLOCK_BYTES) + 1));
  };
  const file = (): ByteSource => ({ size: size!, readNow: cut, read: async (offset, length) => cut(offset, length), reportsProgress: true });
  const pastEnd = (end: number) => new TensorzipError('TRUNCATED', `open: the stream ended after ${size} bytes, before byte ${end} of the file`);
  /** Serves the waiting reads whose bytes are in; rejects them all once the stream has failed, and those past its end. */
  const settle = () => {
    waiting = waiting.filter((w) => {
      if (failure) w.reject(failure.error);
      else if (w.end <= arrived) w.resolve();
      else if (size !== undefined) w.reject(pastEnd(w.end));
      else return true;
      return false;
    });
  };
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    signal?.removeEventListener('abort', abort);
    if (size === undefined) cancel();
    endFailed(error);
    settle();
  };
  const abort = () => fail(new TensorzipError('ABORTED', 'open: reading the stream was aborted', { cause: signal?.reason }));

  const arrive = (chunk: Uint8Array) => {
    if (arrived + chunk.length > maxBytes) throw new TensorzipError('LIMIT', `open: the stream is longer than maxBytes (${maxBytes})`);
    for (let at = 0; at < chunk.length;) {
      const k = Math.floor(arrived / BLOCK_BYTES);
      const block = blocks[k] ??= new Uint8Array(BLOCK_BYTES);
      const n = Math.min(chunk.length - at, BLOCK_BYTES - (arrived - k * BLOCK_BYTES));
      block.set(chunk.subarray(at, at + n), arrived - k * BLOCK_BYTES);
      at += n;
      arrived += n;
    }
  };
  const end = () => {
    size = arrived;
    const last = blocks.length - 1;
    if (last >= 0 && size - last * BLOCK_BYTES < BLOCK_BYTES) blocks[last] = blocks[last].slice(0, size - last * BLOCK_BYTES);
    signal?.removeEventListener('abort', abort);
    onProgress?.(size, size);
    try {
      for (const check of endChecks) check(size, cut);
    } catch (error) {
      return fail(error);
    }
    ended(file());
    settle();
  };

  if (signal?.aborted) abort();
  else {
    signal?.addEventListener('abort', abort, { once: true });
    void (async () => {
      try {
        for (let chunk = await pull(); !failure; chunk = await pull()) {
          if (chunk === null) return end();
          arrive(chunk);
          onProgress?.(arrived, NaN);
          settle();
        }
      } catch (error) {
        fail(error instanceof TensorzipError ? error : new TensorzipError('IO', `open: the stream failed (${String(error)})`, { cause: error }));
      }
    })();
  }

  return {
    maxSize: maxBytes,
    read: (offset, length) => {
      const range = () => cut(offset, length);
      if (failure) return Promise.reject(failure.error);
      if (offset + length <= arrived) return Promise.resolve(range());
      if (size !== undefined) return Promise.reject(pastEnd(offset + length));
      return new Promise<void>((resolve, reject) => waiting.push({ end: offset + length, resolve, reject })).then(range);
    },
    whole: () => whole,
    atEnd: (check) => {
      if (size === undefined) return void endChecks.push(check);
      try {
        check(size, cut);
      } catch (error) {
        fail(error);
        throw error;
      }
    },
    fail,
  };
}
