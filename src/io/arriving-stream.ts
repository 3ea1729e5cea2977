// A stream opened as a file that arrives from its start (open() of a ReadableStream or a Node Readable): a read is
// served as soon as its bytes are in, so an index-first file's tensors decode while the rest still arrives. The bytes
// are copied into blocks of BLOCK_BYTES as they come. By default every block is kept, since any tensor may be read at
// any time: one copy of the file, never a second one to join its pieces. With `retain: false` the archive says which
// ranges its reads will still need (`uses`): a block that no use covers is dropped once it has arrived, and the stream
// is read ahead of the reads only while fewer than READ_AHEAD_BYTES are held, so memory holds the bytes of the tensors
// being read and a few MiB, never the whole file.
// The stream is read on its own from the start, at most `maxBytes` (more is LIMIT); its failure (IO), `timeoutMs`
// without a byte while it is read (TIMEOUT), an abort or the archive's close() (ABORTED), or an end before a read's
// bytes (TRUNCATED) fails every pending and later read, so no read waits for bytes that cannot come.
import { TensorzipError } from '../errors';
import type { ArrivingFile, ByteSource, ByteUses } from '../format/archive';
import { FOOTER_BYTES } from '../format/framing';
import { cutFromBlocks } from './block-read';
import { chunksOf, type ChunkSource } from './read-to-end';
import { stallWatch } from './stall-watch';

/** 1 MiB: a read inside one block is a view of it; the last block is trimmed to the bytes it holds at the end. */
const BLOCK_BYTES = 1 << 20;
/** With retain: false, the stream is read on while fewer bytes than this are held and no read waits for more: enough
 *  to keep a download busy while the tensor before decodes. */
const READ_AHEAD_BYTES = 4 << 20;

export interface ArrivingStreamOptions {
  /** Most bytes the stream may have. */
  maxBytes: number;
  /** Keep every byte (true), or only those the archive's reads still need (false: `uses`). */
  retain: boolean;
  /** Fail with TIMEOUT when the stream gives no byte for this long while it is read (Infinity: never). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called as bytes arrive, with the bytes so far and the stream's size (NaN until it has ended). */
  onProgress?: (bytesArrived: number, fileSize: number) => void;
}

interface Waiting {
  end: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function arrivingStream(stream: ChunkSource, { maxBytes, retain, timeoutMs, signal, onProgress }: ArrivingStreamOptions): ArrivingFile {
  if (!(timeoutMs > 0)) throw new TensorzipError('ARGUMENT', `open timeoutMs: expected a positive number, found ${String(timeoutMs)}`);
  /** The file's bytes in blocks; null once dropped (retain: false). */
  const blocks: (Uint8Array | null)[] = [];
  let heldBlocks = 0;
  /** Per block, how many uses (ranges reads still need) cover it, once the archive has said (`counting`). */
  const covering: number[] = [];
  let counting = false;
  /** Blocks before this one that no use covered when they arrived have been dropped. */
  let swept = 0;
  let arrived = 0;
  let size: number | undefined;
  let failure: { error: unknown } | undefined;
  let waiting: Waiting[] = [];
  /** Resumes reading the stream once it has paused (retain: false, enough held). */
  let wake: (() => void) | undefined;
  const endChecks: Parameters<ArrivingFile['atEnd']>[0][] = [];
  let ended: (file: ByteSource) => void;
  let endFailed: (error: unknown) => void;
  const whole = new Promise<ByteSource>((resolve, reject) => [ended, endFailed] = [resolve, reject]);
  whole.catch(() => {}); // its awaiters see the error; nothing need await it
  const { pull, cancel } = chunksOf(stream);

  const cut = (offset: number, length: number) => {
    if (failure) throw failure.error;
    const first = Math.floor(offset / BLOCK_BYTES);
    const parts = blocks.slice(first, Math.floor((offset + length - 1) / BLOCK_BYTES) + 1);
    if (parts.includes(null)) throw new TensorzipError('ARGUMENT', `open: bytes ${offset}–${offset + length - 1} of the stream were read already and dropped (retain: false)`);
    return cutFromBlocks(offset, length, first * BLOCK_BYTES, parts as Uint8Array[]);
  };
  const file = (): ByteSource => ({ size: size!, readNow: cut, read: async (offset, length) => cut(offset, length), reportsProgress: true });
  const pastEnd = (end: number) => new TensorzipError('TRUNCATED', `open: the stream ended after ${size} bytes, before byte ${end} of the file`);
  const poke = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
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

  const drop = (k: number) => {
    blocks[k] = null;
    heldBlocks--;
  };
  /** Drops the blocks that have arrived whole and that no use covers. Until the end, the last FOOTER_BYTES stay: the
   *  end check reads the footer there. */
  const sweep = () => {
    const arrivedWhole = size !== undefined ? blocks.length : Math.floor((arrived - FOOTER_BYTES) / BLOCK_BYTES);
    for (; swept < arrivedWhole; swept++) if (!covering[swept] && blocks[swept]) drop(swept);
  };
  const blocksOf = ({ offset, length }: { offset: number; length: number }, each: (k: number) => void) => {
    if (length > 0) for (let k = Math.floor(offset / BLOCK_BYTES); k * BLOCK_BYTES < offset + length; k++) each(k);
  };
  const uses: ByteUses | null = retain ? null : {
    need: (ranges) => {
      for (const range of ranges) blocksOf(range, (k) => void (covering[k] = (covering[k] ?? 0) + 1));
      counting = true;
      if (!failure) sweep();
      poke();
    },
    done: (ranges) => {
      for (const range of ranges) {
        blocksOf(range, (k) => {
          if (--covering[k] === 0 && k < swept && blocks[k]) drop(k);
        });
      }
      poke();
    },
  };
  /** Whether to read on: while every byte is kept or the index is still to come, else while a read waits for bytes or
   *  few are held. */
  const readOn = () => !counting || waiting.length > 0 || heldBlocks * BLOCK_BYTES < READ_AHEAD_BYTES;

  // A stall is timeoutMs without a byte while the stream is read, not while it pauses for room.
  const stall = stallWatch(timeoutMs, () => fail(new TensorzipError('TIMEOUT', `open: the stream sent nothing for ${timeoutMs} ms`)));

  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    stall.stop();
    signal?.removeEventListener('abort', abort);
    if (size === undefined) cancel();
    // No read uses them any more.
    blocks.length = 0;
    heldBlocks = 0;
    endFailed(error);
    settle();
    poke();
  };
  const abort = () => fail(new TensorzipError('ABORTED', 'open: reading the stream was aborted', { cause: signal?.reason }));

  const arrive = (chunk: Uint8Array) => {
    if (arrived + chunk.length > maxBytes) throw new TensorzipError('LIMIT', `open: the stream is longer than maxBytes (${maxBytes})`);
    for (let at = 0; at < chunk.length;) {
      const k = Math.floor(arrived / BLOCK_BYTES);
      let block = blocks[k];
      if (!block) {
        block = blocks[k] = new Uint8Array(BLOCK_BYTES);
        heldBlocks++;
      }
      const n = Math.min(chunk.length - at, BLOCK_BYTES - (arrived - k * BLOCK_BYTES));
      block.set(chunk.subarray(at, at + n), arrived - k * BLOCK_BYTES);
      at += n;
      arrived += n;
    }
    if (counting) sweep();
  };
  const end = () => {
    size = arrived;
    stall.stop();
    const last = blocks.length - 1;
    if (last >= 0 && size - last * BLOCK_BYTES < BLOCK_BYTES) blocks[last] = blocks[last]!.slice(0, size - last * BLOCK_BYTES);
    signal?.removeEventListener('abort', abort);
    onProgress?.(size, size);
    try {
      for (const check of endChecks) check(size, cut);
    } catch (error) {
      return fail(error);
    }
    ended(file());
    if (counting) sweep();
    settle();
  };

  if (signal?.aborted) abort();
  else {
    signal?.addEventListener('abort', abort, { once: true });
    void (async () => {
      try {
        while (!failure) {
          if (!readOn()) {
            stall.stop();
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          stall.start();
          const chunk = await pull();
          if (failure) return;
          if (chunk === null) return end();
          stall.progress();
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
    read: async (offset, length) => {
      if (failure) throw failure.error;
      if (offset + length > arrived) {
        if (size !== undefined) throw pastEnd(offset + length);
        await new Promise<void>((resolve, reject) => {
          waiting.push({ end: offset + length, resolve, reject });
          poke(); // a stream paused for room reads on
        });
      }
      return cut(offset, length);
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
    uses,
    fail,
  };
}
