// The cache stores in every runtime: the Cache API store where the runtime has one (Chromium, Deno), the memory
// store everywhere; keys by prefix, and clearCache of one URL or all.
import { describe, expect, it } from 'vitest';
import { cacheStore, clearCache, isTensorzipError, type CacheStore } from '../src/index';

const hasCacheApi = typeof (globalThis as { caches?: unknown }).caches !== 'undefined';
const stores: [string, () => CacheStore][] = [['memory', () => cacheStore.memory()]];
if (hasCacheApi) stores.push(['Cache API', () => cacheStore.cacheApi(`tensorzip-test-${Math.random()}`)]);

describe.each(stores)('cacheStore %s', (_name, make) => {
  it('keeps bytes by key, drops keys by prefix', async () => {
    const store = make();
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i * 7);
    await store.put('tensorzip-cache-1 https://x/a.tzip#"e1" 0', bytes);
    await store.put('tensorzip-cache-1 https://x/a.tzip#record', Uint8Array.of(1));
    await store.put('tensorzip-cache-1 https://x/b.tzip#record', Uint8Array.of(2));
    expect(await store.get('tensorzip-cache-1 https://x/a.tzip#"e1" 0')).toEqual(bytes);
    expect(await store.get('nothing')).toBeUndefined();
    await clearCache(store, 'https://x/a.tzip');
    expect(await store.get('tensorzip-cache-1 https://x/a.tzip#record')).toBeUndefined();
    expect(await store.get('tensorzip-cache-1 https://x/b.tzip#record')).toEqual(Uint8Array.of(2));
    await clearCache(store);
    expect(await store.get('tensorzip-cache-1 https://x/b.tzip#record')).toBeUndefined();
  });
});

it('cacheStore.cacheApi is UNSUPPORTED where the runtime has no Cache API', () => {
  if (hasCacheApi) return;
  let error: unknown;
  try {
    cacheStore.cacheApi();
  } catch (err) {
    error = err;
  }
  expect(isTensorzipError(error, 'UNSUPPORTED')).toBe(true);
});
