/**
 * Every failure tensorzip reports is a TensorzipError with a stable `code`:
 *
 * | code          | meaning                                                                                     |
 * |---------------|---------------------------------------------------------------------------------------------|
 * | `ARGUMENT`    | a parameter is outside its documented range or of the wrong type                            |
 * | `TRUNCATED`   | the input ends before the data it declares                                                  |
 * | `CORRUPT`     | the input is malformed (bad magic, reserved bits set, impossible sizes, …)                  |
 * | `CHECKSUM`    | a stored checksum does not match the data                                                   |
 * | `LIMIT`       | the output would pass a limit the caller set (or the default limit)                         |
 * | `UNSUPPORTED` | valid input using a feature this version does not implement                                 |
 * | `SIGNATURE`   | a signature does not verify: wrong key, a damaged or missing signature, or bytes that differ |
 * |               | from what was signed (opened with `publicKey`); or an encrypted archive does not open: a    |
 * |               | wrong key or passphrase, a sealed piece changed, moved or from another archive, or          |
 * |               | `decrypt` given for an archive that is not encrypted                                        |
 * | `IO`          | the source could not be read: no connection, a body cut short, an HTTP error status (5xx and |
 * |               | 429 after retries), a server that breaks the Range protocol, a file the system cannot read  |
 * | `NOT_FOUND`   | the URL answered 404 or 410, or the file path does not exist                                |
 * | `TIMEOUT`     | a request, or a stream open() reads, received no byte for `timeoutMs`                       |
 * | `ABORTED`     | the caller's `signal` aborted the read (`cause` is the signal's reason), or `archive.close()` |
 * |               | cancelled the stream it was waiting on                                                      |
 * | `CHANGED`     | the file changed between two requests (another ETag, Last-Modified or size)                 |
 *
 * The last five say the bytes could not be fetched; the file itself may be intact (try again later), unlike the
 * codes above them, which are about the bytes that were read.
 *
 * @example
 * try {
 *   lz4.decompress(bytes, { maxOutputSize: 1 << 20 });
 * } catch (err) {
 *   if (isTensorzipError(err, 'LIMIT')) console.log('too big:', err.message);
 *   else throw err;
 * }
 */
export type TensorzipErrorCode =
  | 'ARGUMENT' | 'TRUNCATED' | 'CORRUPT' | 'CHECKSUM' | 'LIMIT' | 'UNSUPPORTED' | 'SIGNATURE'
  | 'IO' | 'NOT_FOUND' | 'TIMEOUT' | 'ABORTED' | 'CHANGED';

// A registered symbol: the ESM and the CJS copies of the package (both loaded in one process) share it, so
// `instanceof` and isTensorzipError recognize errors from either copy.
const BRAND = Symbol.for('tensorzip.error');

export class TensorzipError extends Error {
  override readonly name = 'TensorzipError';
  readonly code: TensorzipErrorCode;
  /** Byte position in the input where the problem was found, when there is one. */
  readonly offset: number | undefined;

  constructor(code: TensorzipErrorCode, message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options.offset;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
Object.defineProperty(TensorzipError.prototype, BRAND, { value: true });

/** True when `err` is a TensorzipError (with one of `codes`, when any are given), from any copy of the package. */
export function isTensorzipError(err: unknown, ...codes: TensorzipErrorCode[]): err is TensorzipError {
  return err instanceof TensorzipError && (codes.length === 0 || codes.includes(err.code));
}

/** Statuses returned by the kernels; the same table as assembly/status.ts. */
export const KERNEL_STATUS = {
  TRUNCATED: -1,
  CORRUPT: -2,
  OUTPUT_FULL: -3,
  ARGUMENT: -4,
} as const;
