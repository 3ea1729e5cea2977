// Damaged entropy blocks judged against a reference decoder written from docs/FORMAT.md: the engine's verdict (its
// bytes, or its error code) beside the reference's, and the rule they must agree by.
import { expect } from 'vitest';

/** [the engine's verdict, the reference's]: `OK <bytes>`, or an error code ("untyped …" for anything not typed). */
export function verdicts(decode: () => Uint8Array, reference: () => Uint8Array, count: number): [string, string] {
  let mine: string;
  try {
    mine = `OK ${decode().join()}`;
  } catch (err) {
    mine = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
  }
  let theirs: string;
  try {
    const bytes = reference();
    theirs = bytes.length === count ? `OK ${bytes.join()}` : 'CORRUPT';
  } catch (err) {
    theirs = String((err as Error).message).split(':')[0];
  }
  return [mine, theirs];
}

/** What the reference decodes, the engine decodes to the same bytes; what it refuses, the engine refuses with a data
 *  error (the chunk-level checks before the kernel may name another kind). */
export function agree([mine, reference]: [string, string], what: string): void {
  if (reference.startsWith('OK')) expect(mine, what).toBe(reference);
  else expect(['TRUNCATED', 'CORRUPT', 'LIMIT'], `${what}: ${mine} (reference ${reference})`).toContain(mine);
}
