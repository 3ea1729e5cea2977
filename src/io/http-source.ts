// A ByteSource over HTTP. open() asks for the first and the last 64 KiB at once (Range: bytes=0-65535 and the suffix
// bytes=-65536): a 206 answer gives the file size (Content-Range), and the two hold the prefix, the footer and, for
// index-first and index-last files alike, usually the whole index. Later reads are planned (range-plan.ts): the
// chunks a get()/getAll() needs are coalesced into a few requests, CONCURRENCY in flight, and a read is served as soon
// as its bytes have arrived (arriving-bytes.ts): decoding runs while the rest of a request downloads. A 200 answer
// means the server ignores Range: its body is the whole file, read once and kept.
// Every body is read with a running count (read-to-end.ts); every answer after the first must carry the first one's
// ETag / Last-Modified and size, or the read stops with CHANGED (a file replaced mid-read never mixes versions). We
// compare validators rather than send If-Range: If-Range is not a CORS-safelisted header, so it would cost every
// cross-origin read a preflight request, and servers that do not list it would refuse the read.
import { TensorzipError } from '../errors';
import type { ByteSource } from '../format/archive';
import { CONCURRENCY, planPieces, type Span } from './range-plan';
import { ArrivingBytes } from './arriving-bytes';
import { readToEnd } from './read-to-end';
import { freeBytes } from './free-bytes';
import { stallWatch } from './stall-watch';

/** Bytes the first two requests ask for, at each end of the file. */
const END_BYTES = 65536;
const DEFAULT_MAX_BYTES = 2 ** 31;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Statuses that say "try again later"; retried RETRIES times, waiting BACKOFF_MS·2^n or what Retry-After asks. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const RETRIES = 3;
const BACKOFF_MS = 100;
/** A 206 body up to this size is copied into one array allocated first; a larger one (a range a hostile index may
 * declare) grows only with the bytes that actually arrive. */
const EXACT_BYTES = 64 << 20;
/** A Retry-After longer than this is not waited for: the read fails with IO at once. */
const MAX_RETRY_AFTER_MS = 5000;

export interface HttpSourceOptions {
  /** Refuse a file larger than this when the server sends it whole (default 2 GiB). */
  maxBytes?: number;
  /** Fail a request with TIMEOUT when no byte arrives for this long (default 30 000 ms). */
  timeoutMs?: number;
  /** Stops every request of this source with ABORTED. */
  signal?: AbortSignal;
  /** Called as bytes arrive, with the bytes downloaded so far and the file size. */
  onProgress?: (bytesDownloaded: number, fileSize: number) => void;
  /** Bytes the first request asks for from the file's start (default 64 KiB); READS_EVERY_TENSOR asks for more. */
  headBytes?: number;
}

/**
 * An open() option for a caller that reads every tensor next (onnx.createSession, tfjs.ioHandler), keyed by a symbol: not part of
 * OpenOptions. A URL's first request then asks for the first WHOLE_READ_HEAD_BYTES rather than 64 KiB: a file that
 * small (a model of a few MB) comes in one request, as its original files would, rather than in three (head, tail,
 * then the tensors), and of a larger one the head is the first of the pieces the reads fetch (range-plan.ts).
 */
export const READS_EVERY_TENSOR = Symbol('tensorzip.readsEveryTensor');
export const WHOLE_READ_HEAD_BYTES = 8 << 20;

/** A failure worth another attempt (a 503, a dropped connection), after `afterMs` when the server said so. */
class Retryable {
  constructor(readonly error: TensorzipError, readonly afterMs?: number) {}
}

const ioError = (message: string, cause?: unknown) => new TensorzipError('IO', message, { cause });

function abortedError(url: string, signal: AbortSignal | undefined): TensorzipError {
  return new TensorzipError('ABORTED', `open: reading ${url} was aborted`, { cause: signal?.reason });
}

function sleep(ms: number, url: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(abortedError(url, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Retry-After in milliseconds (seconds or an HTTP date), undefined when absent or unreadable. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** Bytes [from, to), or with a negative `from`, the last -from bytes (a suffix range: no size needed). */
interface Ask {
  from: number;
  to: number;
}

/** Where an ask lies in a file of `size` bytes. */
const spanOf = ({ from, to }: Ask, size: number) => (from < 0 ? { start: Math.max(0, size + from), end: size } : { start: from, end: Math.min(to, size) });

interface AskOptions {
  stop?: AbortSignal;
  rangeOnly?: boolean;
  /** Told of a 206 body's bytes as they arrive (bodies up to EXACT_BYTES). */
  arriving?: ArrivingBytes;
}

interface Answer {
  /** true: a 200, the whole file; false: a 206 with exactly the bytes asked for. */
  whole: boolean;
  /** Where `bytes` starts in the file. */
  offset: number;
  bytes: Uint8Array;
  /** `bytes` is an array this source allocated (a 206 body up to EXACT_BYTES), which release() may free; a 200 body
   *  may be a chunk the runtime's stream handed out, a view of memory it keeps. */
  owned: boolean;
}

export async function httpSource(url: string, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const get = globalThis.fetch;
  if (typeof get !== 'function') throw new TensorzipError('UNSUPPORTED', 'open: this runtime has no fetch to read a URL with');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { signal } = options;
  if (!(timeoutMs > 0)) throw new TensorzipError('ARGUMENT', `open timeoutMs: expected a positive number, found ${String(options.timeoutMs)}`);
  let size: number | undefined;
  let validators: { etag: string | null; lastModified: string | null } | undefined;
  let downloaded = 0;
  const counted = (count: number) => {
    downloaded += count;
    if (size !== undefined) options.onProgress?.(downloaded, size);
  };

  /** Checks an answer's headers; a 206 must be the asked range of the same file, a 200 the whole same file. */
  const check = (response: Response, ask: Ask): void => {
    if (response.status === 404 || response.status === 410) throw new TensorzipError('NOT_FOUND', `open: ${url} answered HTTP ${response.status}`);
    if (RETRY_STATUSES.has(response.status)) throw new Retryable(ioError(`open: ${url} answered HTTP ${response.status}`), retryAfterMs(response));
    if (response.status !== 200 && response.status !== 206) throw ioError(`open: ${url} answered HTTP ${response.status}`);
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (validators === undefined) validators = { etag, lastModified };
    else if (validators.etag !== null ? etag !== validators.etag : lastModified !== validators.lastModified) {
      throw new TensorzipError('CHANGED', `open: ${url} changed while it was read (ETag ${validators.etag ?? '-'} → ${etag ?? '-'}, Last-Modified ${validators.lastModified ?? '-'} → ${lastModified ?? '-'})`);
    }
    if (response.status === 206) {
      const range = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(response.headers.get('content-range') ?? '');
      if (range === null) throw ioError(`open: ${url} answered 206 without a Content-Range of the form "bytes a-b/size"`);
      const total = Number(range[3]);
      if (size !== undefined && total !== size) throw new TensorzipError('CHANGED', `open: ${url} was ${size} bytes and is now ${total}`);
      const { start, end } = spanOf(ask, total);
      if (Number(range[1]) !== start || Number(range[2]) + 1 !== end) throw ioError(`open: asked ${url} for bytes ${start}-${end - 1}, it answered ${range[1]}-${range[2]}`);
      size = total;
    }
  };

  /**
   * One attempt: throws TensorzipError, or Retryable when another may succeed. `stop` cancels it (ABORTED);
   * `rangeOnly` refuses a 200 (IO) before its body is read.
   */
  const attempt = async (ask: Ask, { stop, rangeOnly, arriving }: AskOptions): Promise<Answer> => {
    if (signal?.aborted || stop?.aborted) throw abortedError(url, signal);
    const controller = new AbortController();
    let stopped: 'timeout' | 'aborted' | undefined;
    // A stall is timeoutMs without a byte.
    const stall = stallWatch(timeoutMs, () => {
      stopped = 'timeout';
      controller.abort();
    });
    const abort = () => {
      stopped = 'aborted';
      controller.abort();
    };
    signal?.addEventListener('abort', abort, { once: true });
    stop?.addEventListener('abort', abort, { once: true });
    stall.start();
    try {
      const range = ask.from < 0 ? `bytes=${ask.from}` : `bytes=${ask.from}-${ask.to - 1}`;
      const response = await get(url, { headers: { Range: range, 'Accept-Encoding': 'identity' }, signal: controller.signal });
      check(response, ask);
      const whole = response.status === 200;
      if (whole && rangeOnly) throw ioError(`open: ${url} answered ${range} with the whole file`);
      // The length the server declares, when the body is sent as is (a Content-Encoding declares the encoded length).
      const declared = response.headers.has('content-encoding') ? NaN : Number(response.headers.get('content-length') ?? NaN);
      const { start, end } = whole ? { start: 0, end: maxBytes } : spanOf(ask, size!);
      const limit = end - start;
      const tooLong = () => (whole
        ? new TensorzipError('LIMIT', `open: ${url} ignores Range requests and sends more than maxBytes (${maxBytes})`)
        : ioError(`open: asked ${url} for ${limit} bytes at ${start}, it sends more`));
      if (declared > limit) throw tooLong();
      const into = whole || limit > EXACT_BYTES ? undefined : new Uint8Array(limit);
      const onBytes = (count: number, total: number) => {
        stall.progress();
        counted(count);
        if (into) arriving?.arrived(into, total);
      };
      let bytes: Uint8Array;
      try {
        bytes = response.body === null ? new Uint8Array(0) : await readToEnd(response.body, { limit, tooLong, onBytes, into });
      } catch (cause) {
        if (cause instanceof TensorzipError || stopped) throw cause;
        throw new Retryable(ioError(`open: the answer from ${url} was cut short`, cause));
      }
      if (!whole && bytes.length !== limit || whole && declared >= 0 && bytes.length !== declared) {
        throw new Retryable(ioError(`open: the answer from ${url} was cut short (${bytes.length} of ${whole ? declared : limit} bytes)`));
      }
      if (whole && size !== undefined && bytes.length !== size) throw new TensorzipError('CHANGED', `open: ${url} was ${size} bytes and is now ${bytes.length}`);
      return { whole, offset: start, bytes, owned: into !== undefined && bytes.buffer === into.buffer };
    } catch (err) {
      if (stopped === 'aborted') throw abortedError(url, signal);
      if (stopped === 'timeout') throw new TensorzipError('TIMEOUT', `open: ${url} sent nothing for ${timeoutMs} ms`);
      if (err instanceof TensorzipError || err instanceof Retryable) throw err;
      throw new Retryable(ioError(`open: reading ${url} failed`, err));
    } finally {
      stall.stop();
      signal?.removeEventListener('abort', abort);
      stop?.removeEventListener('abort', abort);
      controller.abort(); // releases an unread body; no effect on one read to its end
    }
  };

  const request = async (ask: Ask, askOptions: AskOptions = {}): Promise<Answer> => {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(ask, askOptions);
      } catch (err) {
        if (!(err instanceof Retryable)) throw err;
        const wait = err.afterMs ?? BACKOFF_MS * 2 ** retry;
        if (retry === RETRIES || wait > MAX_RETRY_AFTER_MS) throw err.error;
        await sleep(wait, url, signal);
      }
    }
  };

  // Both ends at once: one round trip. When the server ignores Range, the head's answer is the whole file and the
  // tail's request is refused after its headers. A tail that fails with IO (a server without suffix ranges) is only
  // a lost shortcut: the footer is then read as any other range. A longer head (a reader of every tensor) holds the
  // whole of a small file: its tail is asked for only once the head has shown that it does not.
  const headBytes = options.headBytes ?? END_BYTES;
  const stopTail = new AbortController();
  const askTail = () => {
    const answer = request({ from: -END_BYTES, to: 0 }, { stop: stopTail.signal, rangeOnly: true });
    answer.catch(() => {});
    return answer;
  };
  const tailFirst = headBytes > END_BYTES ? null : askTail();
  const head = await request({ from: 0, to: headBytes }).catch((err) => {
    stopTail.abort();
    throw err;
  });
  const identity = validators?.etag ?? validators?.lastModified ?? null;
  if (head.whole) {
    stopTail.abort();
    size = head.bytes.length;
    options.onProgress?.(downloaded, size);
    return { size, identity, read: async (offset, length) => head.bytes.subarray(offset, offset + length), reportsProgress: true };
  }
  const tailAnswer = tailFirst ?? (head.bytes.length < size! ? askTail() : null);
  const tail = tailAnswer && await tailAnswer.catch((err) => {
    if (err instanceof TensorzipError && err.code === 'IO') return undefined;
    throw err;
  });
  return { ...rangedSource(tail ? [head, tail] : [head], size!, request), identity };
}

interface Pending extends Span {
  /** Reads still to come from it; it is dropped at 0. */
  remaining: number;
  /** All of its bytes, once they are in. */
  bytes: Promise<Uint8Array>;
  /** Its front, as it arrives. */
  arriving: ArrivingBytes;
}

/** Serves reads from the first answers, from planned pieces in flight, or with a request of their own. */
function rangedSource(firstAnswers: Answer[], size: number, request: (ask: Ask, askOptions?: AskOptions) => Promise<Answer>): ByteSource {
  let ends = firstAnswers;
  let whole: Uint8Array | undefined; // set when the server stops honouring Range
  let pending: Pending[] = [];
  let active = 0;
  const waiting: (() => void)[] = [];
  const inSlot = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < CONCURRENCY) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next(); // hands the slot over
      else active--;
    }
  };
  const fetchSpan = (span: Span, arriving?: ArrivingBytes): Promise<Uint8Array> => inSlot(async () => {
    if (whole === undefined) {
      const answer = await request({ from: span.offset, to: span.offset + span.length }, { arriving });
      if (!answer.whole) return answer.bytes;
      whole = answer.bytes;
    }
    return whole.subarray(span.offset, span.offset + span.length);
  });
  // Loops by index rather than find() with a closure or for…of (an iterator and a result per step in V8's first
  // tiers): a model's tensors ask these a few times each, in a cold process.
  const covering = (offset: number, length: number): Pending | undefined => {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (offset >= p.offset && offset + length <= p.offset + p.length) return p;
    }
    return undefined;
  };
  const fromEnds = (offset: number, length: number): Uint8Array | undefined => {
    for (let i = 0; i < ends.length; i++) {
      const e = ends[i];
      if (offset >= e.offset && offset + length <= e.offset + e.bytes.length) return e.bytes.subarray(offset - e.offset, offset - e.offset + length);
    }
    return undefined;
  };
  /** A read more from a piece: it is dropped once it has served every read announced for it — after the current task,
   *  so that a tensor found arrived (hasArrived for each of its ranges) reads all of them at once. */
  const served = (piece: Pending) => {
    if (--piece.remaining > 0) return;
    queueMicrotask(() => {
      if (piece.remaining <= 0) pending = pending.filter((p) => p !== piece);
    });
  };
  /** The piece that holds bytes [offset, offset + length) once all of them have arrived in it. */
  const arrivedPiece = (offset: number, length: number): Pending | undefined => {
    const piece = covering(offset, length);
    return piece?.arriving.holding(offset - piece.offset + length) && piece;
  };
  const hasArrived = (offset: number, length: number): boolean =>
    length === 0 || whole !== undefined || fromEnds(offset, length) !== undefined || arrivedPiece(offset, length) !== undefined;
  /** A read, at once, of bytes that have all arrived (undefined, and nothing read, when they have not). */
  const readArrived = (offset: number, length: number): Uint8Array | undefined => {
    if (length === 0) return new Uint8Array(0);
    const held = fromEnds(offset, length);
    if (held) return held;
    if (whole) return whole.subarray(offset, offset + length);
    const piece = arrivedPiece(offset, length);
    if (piece === undefined) return undefined;
    served(piece);
    const bytes = piece.arriving.holding(offset - piece.offset + length)!;
    return bytes.subarray(offset - piece.offset, offset - piece.offset + length);
  };
  return {
    size,
    reportsProgress: true,
    prefetch(ranges) {
      const wanted = ranges.filter((r) => {
        if (r.length === 0 || fromEnds(r.offset, r.length)) return false;
        const piece = covering(r.offset, r.length);
        if (piece) piece.remaining++; // a read more to serve before it is dropped
        return piece === undefined;
      });
      if (whole || wanted.length === 0) return;
      for (const piece of planPieces(wanted, size)) {
        const arriving = new ArrivingBytes();
        const bytes = fetchSpan(piece, arriving);
        // A failure surfaces in the reads that need the piece; a later read asks again.
        bytes.catch(() => (pending = pending.filter((p) => p.bytes !== bytes)));
        pending.push({ offset: piece.offset, length: piece.length, remaining: piece.ranges, bytes, arriving });
      }
    },
    read: async (offset, length) => {
      const now = readArrived(offset, length);
      if (now) return now;
      const piece = covering(offset, length);
      if (piece === undefined) return fetchSpan({ offset, length });
      served(piece);
      const from = offset - piece.offset;
      const bytes = await Promise.race([piece.arriving.through(from + length), piece.bytes]);
      return bytes.subarray(from, from + length);
    },
    hasArrived,
    readArrived,
    release() {
      // A piece still downloading is dropped, not freed: its request writes on into the array it allocated.
      for (const end of ends) if (end.owned) freeBytes(end.bytes);
      for (const piece of pending) {
        const arrived = piece.arriving.holding(piece.length);
        if (arrived) freeBytes(arrived);
      }
      ends = [];
      pending = [];
      whole = undefined;
    },
  };
}
