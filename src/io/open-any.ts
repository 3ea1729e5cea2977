// open() of anything: a .tzip file through its source, or a sharded archive through its shard index (a `.json` path
// or URL, or the index's bytes), whose shards are opened beside it, side by side, each checked against its size.
import { TensorzipError } from '../errors';
import type { Archive, OpenOptions } from '../format/archive';
import { MAX_SHARD_INDEX_BYTES, parseShardIndex } from '../format/shard-index';
import { namesJsonFile, opensJsonObject } from '../format/json-documents';
import { shardedArchive } from '../format/sharded-archive';
import { relativeSource } from './relative-source';
import { preparedSource, toByteSource, type SourceOptions } from './sources';

export interface ShardOptions {
  /** For a shard index given as bytes: where each shard's path leads (by default, beside the index's path or URL). */
  shardSource?: (path: string) => unknown;
}

export type OpenAnyOptions = OpenOptions & SourceOptions & ShardOptions;

/** `open` opens one .tzip file (the container's open). */
export async function openAny(open: (source: unknown, options: OpenOptions) => Promise<Archive>, source: unknown, options: OpenAnyOptions = {}): Promise<Archive> {
  const indexBytes = source instanceof Uint8Array && opensJsonObject(source) ? source : null;
  if (indexBytes === null && !namesJsonFile(source)) return open(source, options);
  const what = 'open (shard index)';
  let bytes = indexBytes;
  if (bytes === null) {
    // The index itself is not signed (sign() takes .tzip files); with publicKey, each shard is checked against its own.
    const file = await toByteSource(source, { ...options, publicKey: undefined, signature: undefined, maxBytes: MAX_SHARD_INDEX_BYTES });
    if (file.size > MAX_SHARD_INDEX_BYTES) throw new TensorzipError('LIMIT', `${what}: ${file.size} bytes, more than ${MAX_SHARD_INDEX_BYTES}`);
    bytes = await file.read(0, file.size);
  }
  const index = parseShardIndex(bytes, what);
  const locate = options.shardSource ?? (indexBytes === null ? (path: string) => relativeSource(source, path) : null);
  if (locate === null) throw new TensorzipError('ARGUMENT', `${what}: a shard index given as bytes needs shardSource to find its shards`);
  const shards = await Promise.all(index.shards.map(async ({ path, bytes: size }) => {
    const shard = await toByteSource(locate(path), options);
    if (shard.size !== size) throw new TensorzipError('CORRUPT', `${what}: shard ${JSON.stringify(path)} has ${shard.size} bytes, the index says ${size}`);
    return open(preparedSource(shard), options);
  }));
  return shardedArchive(index, shards, what);
}
