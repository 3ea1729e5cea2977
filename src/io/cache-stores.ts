// Where a download cache keeps its blocks: a folder (Node, Deno), the Cache API (browsers, Deno), or memory. A store
// only keeps bytes by key; the cached source (cached-source.ts) decides what the keys are and checks what comes back.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { sha256 } from '../format/node-crypto';
import { hasFileSystem } from './file-source';

/** Bytes by key. `get` of a key never put (or lost) is undefined; `delete(prefix)` drops every key that starts with
 *  it (`''`: everything). A store may lose entries at any time (the browser evicts, a file is deleted): the cache
 *  then downloads them again. */
export interface CacheStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(prefix: string): Promise<void>;
}

const loadNodeModule = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

/** A key as a file name: a hex digest (keys are URLs of any length and characters). */
async function digest(text: string): Promise<string> {
  const hash = await sha256(new TextEncoder().encode(text));
  return Array.from(hash.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keys are `<group>#<name>`: a folder per group (one cached file), a file per name, so delete(group) is one rmdir. */
function split(key: string): [string, string] {
  const at = key.lastIndexOf('#');
  return at < 0 ? [key, ''] : [key.slice(0, at), key.slice(at + 1)];
}

/**
 * A store in a folder (Node, Deno): one sub-folder per cached file, one file per block, written to a temporary name
 * and renamed, so a crash never leaves half a block under a block's name.
 * @example
 * const archive = await open('https://example.com/model.tzip', { cache: cacheStore.directory('.cache/tensorzip') });
 */
function directory(path: string): CacheStore {
  if (typeof path !== 'string' || path.length === 0) throw new TensorzipError('ARGUMENT', `cacheStore.directory: expected a folder path, found ${describeValue(path)}`);
  if (!hasFileSystem()) throw new TensorzipError('UNSUPPORTED', 'cacheStore.directory: this runtime has no file system (use cacheStore.cacheApi())');
  const fs = loadNodeModule('node:fs/promises') as Promise<typeof import('node:fs/promises')>;
  const where = async (key: string) => {
    const [group, name] = split(key);
    const folder = `${path}/${await digest(group)}`;
    return { folder, file: `${folder}/${name === '' ? '_' : await digest(name)}` };
  };
  let written = 0;
  return {
    async get(key) {
      try {
        return new Uint8Array(await (await fs).readFile((await where(key)).file));
      } catch {
        return undefined;
      }
    },
    async put(key, bytes) {
      const { folder, file } = await where(key);
      const temp = `${file}.${(globalThis as { process?: { pid?: number } }).process?.pid ?? 0}-${written++}.tmp`;
      const f = await fs;
      await f.mkdir(folder, { recursive: true });
      await f.writeFile(temp, bytes);
      await f.rename(temp, file);
    },
    async delete(prefix) {
      const f = await fs;
      if (prefix === '') return void (await f.rm(path, { recursive: true, force: true }));
      const [group, name] = split(prefix);
      if (name === '') await f.rm(`${path}/${await digest(group)}`, { recursive: true, force: true });
      else await f.rm((await where(prefix)).file, { force: true });
    },
  };
}

/**
 * A store in the Cache API (browsers, Deno), under the cache `name` (default 'tensorzip'). Keys become URLs of a
 * reserved host, never fetched.
 * @example
 * const archive = await open('/models/model.tzip', { cache: cacheStore.cacheApi() });
 */
function cacheApi(name = 'tensorzip'): CacheStore {
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (caches === undefined) throw new TensorzipError('UNSUPPORTED', 'cacheStore.cacheApi: this runtime has no Cache API (in Node use cacheStore.directory(path))');
  const url = (key: string) => `https://tensorzip.cache.invalid/${encodeURIComponent(key)}`;
  const cache = caches.open(name);
  return {
    async get(key) {
      const response = await (await cache).match(url(key));
      return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await (await cache).put(url(key), new Response(bytes.slice()));
    },
    async delete(prefix) {
      const c = await cache;
      const start = url(prefix);
      for (const request of await c.keys()) if (request.url.startsWith(start)) await c.delete(request);
    },
  };
}

/** A store in memory, for tests and short-lived processes. */
function memory(): CacheStore {
  const entries = new Map<string, Uint8Array>();
  return {
    get: async (key) => entries.get(key)?.slice(),
    put: async (key, bytes) => void entries.set(key, bytes.slice()),
    delete: async (prefix) => {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
    },
  };
}

export const cacheStore = { directory, cacheApi, memory };
