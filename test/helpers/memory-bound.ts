// Node's memory counters around one call: what a refused (or any) input costs beyond the baseline.
import { expect } from 'vitest';

/**
 * Runs `fn` (awaiting it) and expects the process's resident size and its ArrayBuffer bytes to have grown by at most
 * `maxBytes` (default 16 MiB) when it returns or throws. Nothing is collected in between, so a buffer allocated and
 * dropped inside `fn` still counts. Rethrows what `fn` threw, for the caller to check.
 */
export async function expectBoundedAllocation(fn: () => unknown, maxBytes = 16 << 20): Promise<void> {
  const before = process.memoryUsage();
  let failure: { error: unknown } | undefined;
  try {
    await fn();
  } catch (error) {
    failure = { error };
  }
  const after = process.memoryUsage();
  expect(after.arrayBuffers - before.arrayBuffers, 'ArrayBuffer bytes allocated').toBeLessThanOrEqual(maxBytes);
  expect(after.rss - before.rss, 'resident bytes added').toBeLessThanOrEqual(maxBytes);
  if (failure) throw failure.error;
}
