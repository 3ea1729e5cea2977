// Sharded archives (docs/FORMAT.md, Sharded archives): createShardedWriter cuts shards at shardBytes; open() of the
// shard index (as bytes with shardSource here; paths and URLs in sharded-archive.node.test.ts) lists every shard's
// tensors and entries, decodes each from its shard, and refuses damaged indexes and mismatched shards.
import { describe, expect, it } from 'vitest';
import { createShardedWriter, open } from '../src/index';
import { random } from './helpers/data';
import { codeOf } from './helpers/errors';

const next = random(77);
const tensors = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`layer${i}.weight`, { dtype: 'float32' as const, shape: [64, 256], data: Float32Array.from({ length: 64 * 256 }, () => next() - 0.5) }]));

async function writeSharded(shardBytes: number, options: { model?: boolean } = {}) {
  const files = new Map<string, Uint8Array>();
  const writer = createShardedWriter((path) => {
    const parts: Uint8Array[] = [];
    return { write: (b: Uint8Array) => void parts.push(b.slice()), close: () => void files.set(path, Uint8Array.from(parts.flatMap((p) => [...p]))) };
  }, { shardBytes, name: 'net', quantize: 'lossless', ...(options.model ? { model: { kind: 'test-kind', entry: 'config.json' } } : {}), metadata: { source: 'test' } });
  for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
  if (options.model) await writer.addEntry('config.json', new TextEncoder().encode('{"layers":12}'), { mediaType: 'application/json' });
  const index = await writer.finish();
  return { files, index, shardSource: (path: string) => files.get(path) ?? new Uint8Array(0) };
}


describe('sharded archives', () => {
  it('a writer cuts shards at shardBytes; open() of the index reads every tensor back from its shard', async () => {
    const { files, index, shardSource } = await writeSharded(150_000, { model: true });
    expect(files.size).toBeGreaterThanOrEqual(4);
    for (const [path, bytes] of files) {
      expect(path).toMatch(/^net-\d{5}\.tzip$/);
      expect(bytes.length).toBeLessThan(150_000 + 64 * 256 * 4 + 4096); // past shardBytes by at most one tensor
    }
    const parsed = JSON.parse(new TextDecoder().decode(index));
    expect(parsed.shards.map((s: { path: string; bytes: number }) => [s.path, s.bytes])).toEqual([...files].map(([p, b]) => [p, b.length]));
    const archive = await open(index, { shardSource });
    expect(archive.tensors.map((t) => t.name)).toEqual(Object.keys(tensors));
    expect(archive.model).toEqual({ kind: 'test-kind', entry: 'config.json' });
    expect(archive.metadata.source).toBe('test');
    expect(new TextDecoder().decode(await archive.getEntry('config.json'))).toBe('{"layers":12}');
    for (const [name, t] of Object.entries(tensors)) expect((await archive.get(name, { dtype: 'float32' })).data).toEqual(t.data);
    const all = await archive.getAll();
    expect(Object.keys(all)).toEqual(Object.keys(tensors));
    expect(await codeOf(archive.get('nope'))).toBe('ARGUMENT');
    // Each shard alone is an ordinary archive.
    const first = await open([...files.values()][0]);
    expect(first.tensors.length).toBeGreaterThan(0);
    expect(first.model).toBeNull();
  });

  it('damaged indexes and mismatched shards are typed errors', async () => {
    const { index, files, shardSource } = await writeSharded(150_000, { model: true });
    const doc = JSON.parse(new TextDecoder().decode(index));
    const read = (d: unknown, source = shardSource) => open(new TextEncoder().encode(JSON.stringify(d)), { shardSource: source });
    const shards = doc.shards as { path: string; bytes: number }[];
    const codes = await Promise.all([
      codeOf(open(new TextEncoder().encode('{ not json'), { shardSource })),
      codeOf(read({ ...doc, tensorzipShards: 2 })),
      codeOf(read({ ...doc, tensorzipShards: '1' })),
      codeOf(read({ ...doc, shards: [] })),
      codeOf(read({ ...doc, shards: [{ ...shards[0], path: '../x.tzip' }, ...shards.slice(1)] })),
      codeOf(read({ ...doc, shards: [{ ...shards[0], bytes: shards[0].bytes + 1 }, ...shards.slice(1)] })),
      codeOf(read({ ...doc, shards: [shards[0], shards[0]] })),
      codeOf(read({ ...doc, model: { kind: 'x', entry: 'missing.json' } })),
      codeOf(read({ ...doc, metadata: { a: 1 } })),
      codeOf(read(doc, (path) => (path === shards[1].path ? files.get(shards[0].path)! : shardSource(path)))), // a shard swapped for another
      codeOf(open(index)), // bytes without shardSource
    ]);
    expect(codes).toEqual(['CORRUPT', 'UNSUPPORTED', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'CORRUPT', 'ARGUMENT']);
  });

  it('bad writer arguments are ARGUMENT; a tensor name given twice across shards too', async () => {
    const sink = () => ({ write: () => {} });
    expect(await codeOf((async () => createShardedWriter(sink, { shardBytes: 0 }))())).toBe('ARGUMENT');
    expect(await codeOf((async () => createShardedWriter(sink, { shardBytes: 10, name: 'a/b' }))())).toBe('ARGUMENT');
    const writer = createShardedWriter(sink, { shardBytes: 1, quantize: 'lossless' });
    await writer.add('a', { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) });
    expect(await codeOf(writer.add('a', { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) }))).toBe('ARGUMENT');
    const withModel = createShardedWriter(sink, { shardBytes: 10, model: { kind: 'k', entry: 'm.json' } });
    expect(await codeOf(withModel.finish())).toBe('ARGUMENT');
  });
});
