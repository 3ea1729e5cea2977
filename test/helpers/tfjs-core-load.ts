// Loads a TF.js model's weights with tfjs-core itself (each group's shards concatenated, then io.decodeWeights): the
// independent reading our tfjs.read / tfjs.write are checked against.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { TfjsModel } from '../../src/index';

await tf.setBackend('cpu');

export interface TfjsCoreWeight {
  dtype: string;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

export function tfjsCoreLoad(model: TfjsModel): Record<string, TfjsCoreWeight> {
  const out: Record<string, TfjsCoreWeight> = {};
  for (const group of model.modelJson.weightsManifest) {
    const parts = group.paths.map((p) => model.shards[p]);
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const map = tf.io.decodeWeights(all.buffer, group.weights as Parameters<typeof tf.io.decodeWeights>[1]);
    for (const [name, t] of Object.entries(map)) {
      out[name] = { dtype: t.dtype, shape: t.shape, values: t.dataSync() as TfjsCoreWeight['values'] };
      t.dispose();
    }
  }
  return out;
}
