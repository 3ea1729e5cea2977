// One Archive over the shards of a sharded archive (docs/FORMAT.md, Sharded archives): the shards' tensors and
// entries under one name space, each read from its own shard, with the shard index's model and metadata.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Archive, Tensor } from './archive';
import type { ShardIndex } from './shard-index';

export function shardedArchive(index: ShardIndex, shards: Archive[], what: string): Archive {
  const tensorShard = new Map<string, Archive>();
  const entryShard = new Map<string, Archive>();
  shards.forEach((shard, i) => {
    const where = `${what}: shard ${describeValue(index.shards[i].path)}`;
    if (shard.model !== null) throw new TensorzipError('CORRUPT', `${where} declares a model of its own (the shard index declares the model)`);
    for (const t of shard.tensors) {
      if (tensorShard.has(t.name)) throw new TensorzipError('CORRUPT', `${where}: tensor ${describeValue(t.name)} is in another shard too`);
      tensorShard.set(t.name, shard);
    }
    for (const e of shard.entries) {
      if (entryShard.has(e.name)) throw new TensorzipError('CORRUPT', `${where}: entry ${describeValue(e.name)} is in another shard too`);
      entryShard.set(e.name, shard);
    }
  });
  if (index.model !== null && !entryShard.has(index.model.entry)) throw new TensorzipError('CORRUPT', `${what}: the model's entry ${describeValue(index.model.entry)} is in no shard`);
  const shardOf = (map: Map<string, Archive>, name: string, call: string) => {
    const shard = map.get(name);
    if (shard === undefined) throw new TensorzipError('ARGUMENT', `archive.${call}: no ${call === 'getEntry' ? 'entry' : 'tensor'} is named ${describeValue(name)}`);
    return shard;
  };
  return {
    tensors: shards.flatMap((s) => s.tensors),
    entries: shards.flatMap((s) => s.entries),
    model: index.model && { ...index.model },
    metadata: index.metadata,
    get: async (name, options) => shardOf(tensorShard, name, 'get').get(name, options),
    getCodes: async (name, options) => shardOf(tensorShard, name, 'getCodes').getCodes(name, options),
    getEntry: async (name) => shardOf(entryShard, name, 'getEntry').getEntry(name),
    prefetchAll: () => shards.forEach((s) => s.prefetchAll()),
    getAll: async () => {
      const all: Record<string, Tensor> = Object.create(null);
      for (const shard of shards) Object.assign(all, await shard.getAll()); // a shard at a time: memory of one shard's reads
      return all;
    },
    close: () => shards.forEach((s) => s.close()),
    async *stream() {
      const count = shards.reduce((n, s) => n + s.tensors.length, 0);
      let index = 0;
      for (const shard of shards) for await (const item of shard.stream()) yield { ...item, index: index++, count };
    },
  };
}
