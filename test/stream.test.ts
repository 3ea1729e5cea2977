// archive.stream(): every tensor once, in file order, with the values get() gives; a sharded archive streams its
// shards one after another.
import { expect, it } from 'vitest';
import { open, pack } from '../src/index';
import { random } from './helpers/data';

it('stream() gives every tensor in file order, as get() does', async () => {
  const next = random(5);
  const tensors = Object.fromEntries(['c', 'a', 'b', 'd'].map((name, k) => [name, { dtype: 'float32' as const, shape: [1000 * (k + 1)], data: Float32Array.from({ length: 1000 * (k + 1) }, next) }]));
  const archive = await open(await pack(tensors, { quantize: 'lossless' }));
  const seen: string[] = [];
  for await (const { name, tensor, index, count } of archive.stream()) {
    expect(index).toBe(seen.length);
    expect(count).toBe(4);
    expect(tensor.data).toEqual((await archive.get(name)).data);
    seen.push(name);
  }
  expect(seen).toEqual(['c', 'a', 'b', 'd']); // pack writes tensors in the order given
});
