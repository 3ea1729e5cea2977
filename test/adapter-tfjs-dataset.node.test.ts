// toTfDataset with the real TF.js packages (tfjs-core + cpu backend, tfjs-data, tfjs-layers): batches arrive as
// tensors of the right shapes and dtypes, every pass is the next epoch's shuffle, and fitDataset trains on it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfdata from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { createDatasetWriter, isTensorzipError, openDataset, toTfDataset, type Dataset } from '../src/index';

const tfjs = { ...tf, data: tfdata };

async function dataset(): Promise<Dataset> {
  const parts: Uint8Array[] = [];
  const writer = createDatasetWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, {
    schema: [{ name: 'pixels', dtype: 'uint8', shape: [2, 3] }, { name: 'label', dtype: 'int32', shape: [] }, { name: 'weight', dtype: 'float32', shape: [1] }, { name: 'tokens', dtype: 'int32', shape: [null] }],
    groupSamples: 10,
  });
  for (let i = 0; i < 100; i++) await writer.add({ pixels: Uint8Array.from({ length: 6 }, (_, k) => (i + k) & 255), label: i, weight: [i / 100], tokens: [i] });
  await writer.finish();
  return openDataset(Uint8Array.from(parts.flatMap((p) => [...p])));
}

describe('toTfDataset', () => {
  it('gives { xs, ys } tensors per batch; each pass over the Dataset is the next epoch', async () => {
    const ds = await dataset();
    const data = toTfDataset(tfjs, ds, { batchSize: 32, shuffle: true, seed: 2, xs: 'pixels', ys: ['label', 'weight'] });
    const passes: number[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      const ids: number[] = [];
      await data.forEachAsync((batch) => {
        const { xs, ys } = batch as unknown as { xs: tf.Tensor; ys: Record<string, tf.Tensor> };
        expect(xs.dtype).toBe('float32');
        expect(xs.shape.slice(1)).toEqual([2, 3]);
        expect(ys.label.dtype).toBe('int32');
        const labels = [...ys.label.dataSync()];
        // Each row of pixels belongs to its label's sample.
        const pixels = xs.dataSync();
        labels.forEach((i, k) => expect(pixels[k * 6 + 1]).toBe((i + 1) & 255));
        ids.push(...labels);
      });
      passes.push(ids);
    }
    const orders = await Promise.all([0, 1].map(async (epoch) => {
      const ids: number[] = [];
      for await (const b of ds.batches({ batchSize: 32, shuffle: true, seed: 2, epoch, fields: ['label'] })) ids.push(...(b.label.data as Int32Array));
      return ids;
    }));
    expect(passes).toEqual(orders);
    expect(passes[0]).not.toEqual(passes[1]);
  });

  it('model.fitDataset trains on it', async () => {
    const ds = await dataset();
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 3] }), tfl.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.sgd(1e-5), loss: 'meanSquaredError' });
    const data = toTfDataset(tfjs, ds, { batchSize: 25, shuffle: true, xs: 'pixels', ys: 'weight' });
    const history = await model.fitDataset(data, { epochs: 2, verbose: 0 });
    expect(history.history.loss.length).toBe(2);
    expect(Number.isFinite(history.history.loss[1] as number)).toBe(true);
  });

  it('refuses what TF.js cannot take, with ARGUMENT', async () => {
    const ds = await dataset();
    const bad = [
      () => toTfDataset({} as never, ds, { batchSize: 4, xs: 'pixels', ys: 'label' }),
      () => toTfDataset(tfjs, ds, { batchSize: 4, xs: 'nope', ys: 'label' }),
      () => toTfDataset(tfjs, ds, { batchSize: 4, xs: 'tokens', ys: 'label' }),
      () => toTfDataset(tfjs, ds, { batchSize: 4, xs: [], ys: 'label' }),
    ];
    for (const make of bad) {
      let error: unknown;
      try {
        make();
      } catch (err) {
        error = err;
      }
      expect(isTensorzipError(error, 'ARGUMENT')).toBe(true);
    }
  });
});
