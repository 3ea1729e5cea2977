// Trains a small TF.js model from a compressed dataset: 10,000 samples of 32 features and a binary label that is
// positive for 5% of them (an imbalanced set, as in the classic DataLoader example). The samples are written to a
// .tzip dataset, read back as shuffled batches (a new order each epoch), and fed to model.fitDataset.
//   node examples/train-tfjs-from-dataset.mjs
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfdata from '@tensorflow/tfjs-data';
import { createDatasetWriter, openDataset, toTfDataset } from 'tensorzip';

// Seeded data: positives have their first four features shifted by +1.5.
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const COUNT = 10_000;
const samples = Array.from({ length: COUNT }, () => {
  const positive = random() < 0.05;
  const features = Float32Array.from({ length: 32 }, (_, k) => gaussian() + (positive && k < 4 ? 1.5 : 0));
  return { features, label: Uint8Array.of(positive ? 1 : 0) };
});

// Write the dataset (to memory here; a file or a CDN in real use).
const parts = [];
const writer = createDatasetWriter({ write: (b) => void parts.push(b.slice()) }, {
  schema: [{ name: 'features', dtype: 'float32', shape: [32], quantize: 'fp16' }, { name: 'label', dtype: 'uint8', shape: [1] }],
});
for (const s of samples) await writer.add(s);
await writer.finish();
const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
console.log(`dataset: ${COUNT} samples, ${COUNT * 33 * 4} bytes as float32, ${file.length} bytes as .tzip`);

// Train on shuffled batches; every pass over the tf.data.Dataset is a new shuffle.
const train = await openDataset(file);
const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [32], units: 16, activation: 'relu' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
const data = toTfDataset({ ...tf, data: tfdata }, train, { batchSize: 128, shuffle: true, seed: 1, xs: 'features', ys: 'label' });
const started = performance.now();
const history = await model.fitDataset(data, { epochs: 3, verbose: 0 });
const seconds = (performance.now() - started) / 1000;
console.log(`trained 3 epochs in ${seconds.toFixed(1)} s; loss ${history.history.loss.map((l) => l.toFixed(4)).join(' → ')}`);

// How well it finds the rare positives (on the training distribution; a real run holds out a test set).
const x = tf.tensor(samples.flatMap((s) => [...s.features]), [COUNT, 32]);
const scores = await model.predict(x).data();
let tp = 0, fp = 0, fn = 0;
samples.forEach((s, i) => {
  const predicted = scores[i] > 0.5;
  if (predicted && s.label[0]) tp++;
  else if (predicted) fp++;
  else if (s.label[0]) fn++;
});
console.log(`positives: ${tp + fn}; recall ${(tp / (tp + fn)).toFixed(3)}, precision ${(tp / Math.max(1, tp + fp)).toFixed(3)}`);
