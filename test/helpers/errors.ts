import { expect } from 'vitest';
import { TensorzipError, type TensorzipErrorCode } from '../../src/index';

/** Runs `fn`, expects it to throw a TensorzipError with `code`, and returns the error. */
export function expectError(fn: () => unknown, code: TensorzipErrorCode): TensorzipError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a TensorzipError ${code}`).toBeInstanceOf(TensorzipError);
  expect((thrown as TensorzipError).code, (thrown as Error).message).toBe(code);
  return thrown as TensorzipError;
}

/** What a promise ends in: 'OK', a TensorzipError's code, or "untyped …" for anything else (never a pass). */
export async function codeOf(promise: Promise<unknown>): Promise<TensorzipErrorCode | string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return err instanceof TensorzipError ? err.code : `untyped ${String(err)}`;
  }
}

/** The code and message of the TensorzipError `work` fails with (a test failure when it succeeds or throws another). */
export async function failureOf(work: Promise<unknown>): Promise<{ code: unknown; message: unknown }> {
  try {
    await work;
  } catch (err) {
    expect(err, 'a TensorzipError').toBeInstanceOf(TensorzipError);
    return { code: (err as TensorzipError).code, message: (err as Error).message };
  }
  throw new Error('expected a failure');
}
