// The readers this session added take a Node Buffer and a view at an odd offset as well as a plain Uint8Array, and
// refuse deeply nested or odd JSON with a typed error: a dataset file and its descriptor, a shard index, a signature,
// an encrypted archive and its key, an archive with rans_lanes stages.
import { describe, expect, it } from 'vitest';
import { createDatasetWriter, createShardedWriter, generateKeyPair, open, openDataset, pack, sign } from '../src/index';
import { random } from './helpers/data';
import { codeOf } from './helpers/errors';

/** The same bytes as a Node Buffer and at offset 7 of a larger buffer. */
const views = (bytes: Uint8Array): [string, Uint8Array][] => {
  const odd = new Uint8Array(bytes.length + 9);
  odd.set(bytes, 7);
  return [['Buffer', Buffer.from(bytes)], ['odd offset', odd.subarray(7, 7 + bytes.length)]];
};
const sink = (into: Uint8Array[]) => ({ write: (b: Uint8Array) => void into.push(b.slice()) });

describe('new readers take Buffers and odd-offset views', () => {
  it('openDataset, a manifest as bytes, a shard index as bytes, a signature as bytes', async () => {
    const parts: Uint8Array[] = [];
    const writer = createDatasetWriter(sink(parts), { schema: [{ name: 'y', dtype: 'int32', shape: [] }], groupSamples: 3 });
    for (let i = 0; i < 10; i++) await writer.add({ y: i * 5 });
    const manifest = await writer.finish();
    const file = Buffer.concat(parts);
    for (const [label, bytes] of views(file)) {
      expect([...(await (await openDataset(bytes)).get(7)).y.data], label).toEqual([35]);
      for (const [, m] of views(new TextEncoder().encode(JSON.stringify(manifest)))) {
        expect((await openDataset(m, { shardSource: () => bytes })).length, label).toBe(10);
      }
    }

    const files = new Map<string, Uint8Array[]>();
    const sharded = createShardedWriter((path) => sink(files.set(path, []).get(path)!), { shardBytes: 100, quantize: 'lossless' });
    await sharded.add('a', { dtype: 'int32', shape: [3], data: Int32Array.of(1, 2, 3) });
    await sharded.add('b', { dtype: 'int32', shape: [2], data: Int32Array.of(4, 5) });
    const index = await sharded.finish();
    for (const [label, bytes] of views(index)) {
      const archive = await open(bytes, { shardSource: (path: string) => views(Buffer.concat(files.get(path)!))[1][1] });
      expect([...(await archive.get('b')).data], label).toEqual([4, 5]);
    }

    const tzip = await pack({ w: { dtype: 'float32', shape: [100], data: new Float32Array(100).fill(1.5) } });
    const { publicKey, privateKey } = await generateKeyPair();
    const signature = await sign(views(tzip)[0][1], privateKey);
    for (const [label, sig] of views(signature)) {
      for (const [, bytes] of views(tzip)) expect(await codeOf((await open(bytes, { publicKey, signature: sig })).getAll()), label).toBe('OK');
    }
  });

  it('an encrypted archive (its key a Buffer too) and an archive with rans_lanes stages', async () => {
    const next = random(17);
    const skewed = Uint8Array.from({ length: 20_000 }, () => (next() < 0.9 ? 7 : Math.floor(next() * 32)));
    const tensors = { codes: { dtype: 'uint8' as const, shape: [20_000], data: skewed } };
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const sealed = await pack(tensors, { quantize: 'lossless', encrypt: { key } });
    const ranged = await pack(tensors, { quantize: 'lossless' });
    expect((await open(ranged)).tensors[0]!.pipeline.map((s) => s.codec)).toContain('rans_lanes');
    for (const [label, bytes] of views(sealed)) {
      for (const [keyLabel, k] of views(key)) {
        expect(Buffer.from((await (await open(bytes, { decrypt: { key: k } })).get('codes', { dtype: 'uint8' })).data).equals(Buffer.from(skewed)), `${label}, key ${keyLabel}`).toBe(true);
      }
    }
    for (const [label, bytes] of views(ranged)) expect(Buffer.from((await (await open(bytes)).get('codes', { dtype: 'uint8' })).data).equals(Buffer.from(skewed)), label).toBe(true);
  });

  it('deep or odd JSON in a descriptor, a manifest or a shard index is a typed error', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const odd = ['', 'null', '[]', '"x"', '{"dataset":1,"samples":1e400}', deep];
    for (const text of odd) {
      const bytes = new TextEncoder().encode(text.startsWith('{') ? text : `{"dataset":1,"fields":${text || '0'}}`);
      expect(['CORRUPT', 'UNSUPPORTED']).toContain(await codeOf(openDataset(bytes, { shardSource: () => new Uint8Array(0) })));
      const index = new TextEncoder().encode(`{"tensorzipShards":1,"shards":${text || '0'}}`);
      expect(['CORRUPT', 'LIMIT']).toContain(await codeOf(open(index, { shardSource: () => new Uint8Array(0) })));
    }
  });
});
