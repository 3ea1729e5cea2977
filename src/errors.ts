/**
 * Every failure tensorzip reports is a TensorzipError with a stable `code`:
 *
 * | code          | meaning                                                                     |
 * |---------------|-----------------------------------------------------------------------------|
 * | `ARGUMENT`    | a parameter is outside its documented range or of the wrong type            |
 * | `TRUNCATED`   | the input ends before the data it declares                                  |
 * | `CORRUPT`     | the input is malformed (bad magic, reserved bits set, impossible sizes, …)  |
 * | `CHECKSUM`    | a stored checksum does not match the data                                   |
 * | `LIMIT`       | the output would pass a limit the caller set (or the default limit)         |
 * | `UNSUPPORTED` | valid input using a feature this version does not implement                 |
 *
 * @example
 * try {
 *   lz4.decompress(bytes, { maxOutputSize: 1 << 20 });
 * } catch (err) {
 *   if (isTensorzipError(err, 'LIMIT')) console.log('too big:', err.message);
 *   else throw err;
 * }
 */
export type TensorzipErrorCode = 'ARGUMENT' | 'TRUNCATED' | 'CORRUPT' | 'CHECKSUM' | 'LIMIT' | 'UNSUPPORTED';

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
}

/** True when `err` is a TensorzipError (with one of `codes`, when any are given). */
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
