// Checks that a call takes no memory out of proportion: process memory (rss and ArrayBuffers) and WebAssembly
// memory, measured around one call. Node only (process.memoryUsage).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Full collections until ArrayBuffer memory settles (V8 frees their memory behind the collection), so garbage from
 *  earlier calls is not freed during the measurement. */
export async function collectGarbage(): Promise<void> {
  for (let i = 0, last = -1; i < 10 && process.memoryUsage().arrayBuffers !== last; i++) {
    last = process.memoryUsage().arrayBuffers;
    gc();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Runs `fn` (awaiting what it returns, rethrowing what it throws once measured) and expects rss
 * and ArrayBuffer memory to end at most `maxBytes` above where they started, and no WebAssembly memory to grow.
 * Buffers dropped during the call still count: nothing collects them before the measurement.
 */
export async function expectBoundedAllocation(fn: () => unknown, maxBytes = 16 << 20): Promise<void> {
  await collectGarbage();
  const grow = WebAssembly.Memory.prototype.grow;
  let grownPages = 0;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, pages: number) {
    grownPages += pages;
    return grow.call(this, pages);
  };
  const before = process.memoryUsage();
  let failure: { error: unknown } | undefined;
  try {
    await fn();
  } catch (error) {
    failure = { error };
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
  const after = process.memoryUsage();
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  expect(after.arrayBuffers - before.arrayBuffers, `ArrayBuffers grew by ${mib(after.arrayBuffers - before.arrayBuffers)}`).toBeLessThanOrEqual(maxBytes);
  expect(after.rss - before.rss, `rss grew by ${mib(after.rss - before.rss)}`).toBeLessThanOrEqual(maxBytes);
  expect(grownPages * 65536, `WebAssembly memory grew by ${mib(grownPages * 65536)}`).toBe(0);
  if (failure) throw failure.error;
}
