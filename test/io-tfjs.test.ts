import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { tfjsCoreLoad } from './helpers/tfjs-core-load';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function weights(count: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () => (next() + next() - 1) * 0.08);
}

describe.each(BUILDS)('TF.js weights import/export (%s build)', (_, engine) => {
  const { tfjs, pack, open } = engine;
  const tensors: Record<string, TensorInput> = {
    'dense/kernel': { dtype: 'float32', shape: [64, 32], data: weights(2048, 1) },
    'dense/bias': { dtype: 'float32', shape: [32], data: weights(32, 2) },
    'embedding/ids': { dtype: 'int32', shape: [5], data: Int32Array.of(0, 1, -7, 2 ** 31 - 1, -(2 ** 31)) },
    mask: { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
  };

  it('writes shards that tfjs-core decodes to the same values, split across shard files', () => {
    const model = tfjs.write(tensors, { shardBytes: 1000, modelJson: { format: 'layers-model', modelTopology: { x: 1 } } });
    expect(model.modelJson.format).toBe('layers-model');
    expect(Object.keys(model.shards).length).toBe(Math.ceil((2048 * 4 + 32 * 4 + 5 * 4 + 3) / 1000));
    const loaded = tfjsCoreLoad(model);
    for (const [name, t] of Object.entries(tensors)) {
      expect(loaded[name].shape, name).toEqual(t.shape);
      expect(Array.from(loaded[name].values), name).toEqual(Array.from(t.data as ArrayLike<number>));
    }
  });

  it('reads what tfjs-core encodes (io.encodeWeights), and quantized weights as tfjs-core decodes them', async () => {
    const named = { a: tf.tensor(weights(100, 3), [10, 10]), b: tf.tensor([1, 2, 3], [3], 'int32') };
    const { data, specs } = await tf.io.encodeWeights(named);
    const read = tfjs.read({ modelJson: { weightsManifest: [{ paths: ['w.bin'], weights: specs as never }] }, shards: { 'w.bin': new Uint8Array(data as ArrayBuffer) } });
    expect(read.a.data).toEqual(named.a.dataSync());
    expect(Array.from(read.b.data as Int32Array)).toEqual([1, 2, 3]);
    Object.values(named).forEach((t) => t.dispose());

    for (const quantize of ['uint8', 'uint16', 'float16'] as const) {
      const model = tfjs.write({ w: tensors['dense/kernel'] }, { quantize });
      expect(model.modelJson.weightsManifest[0].weights[0].quantization?.dtype).toBe(quantize);
      const ours = tfjs.read(model).w.data as Float32Array;
      const theirs = Float32Array.from(tfjsCoreLoad(model).w.values);
      if (!equalBytes(bytesOf(ours), bytesOf(theirs))) expect.fail(`${quantize}: our decode differs from tfjs-core's`);
    }
  });

  it('a TF.js model converted to .tzip and back loads in tfjs-core with the same values', async () => {
    const original = tfjs.write(tensors, { quantize: 'uint8' });
    const expected = tfjsCoreLoad(original);
    const file = await pack(tfjs.read(original), { quantize: 'lossless' });
    const back = tfjs.write(await (await open(file)).getAll() as Record<string, TensorInput>);
    const loaded = tfjsCoreLoad(back);
    for (const name of Object.keys(tensors)) {
      expect(Array.from(loaded[name].values), name).toEqual(Array.from(expected[name].values));
    }
  });

  it('refuses missing, short or oversized shards and dtypes TF.js weights cannot hold', () => {
    const model = tfjs.write({ b: tensors['dense/bias'] });
    const path = model.modelJson.weightsManifest[0].paths[0];
    expectError(() => tfjs.read({ modelJson: model.modelJson, shards: null as never }), 'ARGUMENT');
    expectError(() => tfjs.read({ modelJson: model.modelJson, shards: {} }), 'TRUNCATED');
    expectError(() => tfjs.read({ modelJson: model.modelJson, shards: { [path]: model.shards[path].subarray(1) } }), 'TRUNCATED');
    expectError(() => tfjs.read({ modelJson: model.modelJson, shards: { [path]: Uint8Array.from([...model.shards[path], 0]) } }), 'CORRUPT');
    expectError(() => tfjs.read({ modelJson: {} as never, shards: {} }), 'CORRUPT');
    const strings = { weightsManifest: [{ paths: [path], weights: [{ name: 's', shape: [1], dtype: 'string' }] }] };
    expectError(() => tfjs.read({ modelJson: strings, shards: model.shards }), 'UNSUPPORTED');
    expectError(() => tfjs.write({ x: { dtype: 'float64', shape: [1], data: Float64Array.of(1) } }), 'UNSUPPORTED');
  });
});
