// The shard index of a sharded archive (docs/FORMAT.md, Sharded archives): which files hold the archive, how long
// each is, and the archive's model and metadata.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { entryNameProblem, type ModelRef } from './index-document';

export interface ShardIndex {
  shards: { path: string; bytes: number }[];
  model: ModelRef | null;
  metadata: Record<string, string>;
}

export const SHARD_INDEX_VERSION = 1;
export const MAX_SHARD_INDEX_BYTES = 16 << 20;
export const MAX_ARCHIVE_SHARDS = 65_536;

export function parseShardIndex(bytes: Uint8Array, what: string): ShardIndex {
  if (bytes.length > MAX_SHARD_INDEX_BYTES) throw new TensorzipError('LIMIT', `${what}: ${bytes.length} bytes, more than the ${MAX_SHARD_INDEX_BYTES} a shard index may hold`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', `${what}: not UTF-8 JSON (${(cause as Error).message})`, { cause });
  }
  const corrupt = (message: string) => new TensorzipError('CORRUPT', `${what}: ${message}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw corrupt('expected a JSON object');
  if (doc.tensorzipShards !== SHARD_INDEX_VERSION) {
    if (Number.isInteger(doc.tensorzipShards)) throw new TensorzipError('UNSUPPORTED', `${what}: shard index version ${doc.tensorzipShards}; this reader knows version ${SHARD_INDEX_VERSION}`);
    throw corrupt(`expected "tensorzipShards": ${SHARD_INDEX_VERSION}, found ${describeValue(doc.tensorzipShards)}`);
  }
  if (!Array.isArray(doc.shards) || doc.shards.length === 0) throw corrupt(`shards: expected a non-empty array, found ${describeValue(doc.shards)}`);
  if (doc.shards.length > MAX_ARCHIVE_SHARDS) throw new TensorzipError('LIMIT', `${what}: ${doc.shards.length} shards, more than ${MAX_ARCHIVE_SHARDS}`);
  const paths = new Set<string>();
  const shards = doc.shards.map((s: unknown, i: number) => {
    const { path, bytes: size } = (s ?? {}) as Record<string, unknown>;
    const problem = entryNameProblem(path);
    if (problem !== null) throw corrupt(`shards[${i}].path ${describeValue(path)} ${problem}`);
    if (paths.has(path as string)) throw corrupt(`shards[${i}].path ${describeValue(path)} is listed twice`);
    paths.add(path as string);
    if (!Number.isSafeInteger(size) || (size as number) < 64) throw corrupt(`shards[${i}].bytes: expected an integer ≥ 64, found ${describeValue(size)}`);
    return { path: path as string, bytes: size as number };
  });
  let model: ModelRef | null = null;
  if (doc.model !== undefined && doc.model !== null) {
    const m = doc.model as Partial<ModelRef>;
    if (typeof m.kind !== 'string' || m.kind.length === 0 || typeof m.entry !== 'string') throw corrupt(`model: expected { kind, entry }, found ${describeValue(doc.model)}`);
    model = { kind: m.kind, entry: m.entry };
  }
  const metadata = doc.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) throw corrupt('metadata: expected an object of strings');
  return { shards, model, metadata: Object.assign(Object.create(null), metadata) };
}

export function serializeShardIndex(index: ShardIndex): Uint8Array {
  const { shards, model, metadata } = index;
  return new TextEncoder().encode(`${JSON.stringify({ tensorzipShards: SHARD_INDEX_VERSION, shards, ...(model ? { model } : {}), ...(Object.keys(metadata).length ? { metadata } : {}) }, null, 1)}\n`);
}
