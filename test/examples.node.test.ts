// The runnable examples in examples/ (the README points to them) run as a user would run them: `node <file>`, importing
// `tensorzip` by its package name (the package's own exports map resolves it to dist/).
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const run = (file: string) => spawnSync('node', [file], { encoding: 'utf8' });

// Lossless is no longer the largest: the model's weights are TF.js uint8 levels, which a palette stores exactly in
// about as few bytes as int8 codes take.
it('examples/shrink-tfjs-model.mjs packs a real TF.js model four ways, each far smaller than float32, int4 the smallest', () => {
  const { status, stdout, stderr } = run('examples/shrink-tfjs-model.mjs');
  expect(status, stderr).toBe(0);
  const float32 = Number(/(\d+) bytes as float32/.exec(stdout)?.[1]);
  const sizes = [...stdout.matchAll(/^(lossless|fp16|int8|int4)\s+(\d+) bytes/gm)].map((m) => Number(m[2]));
  expect(sizes.length).toBe(4);
  for (const size of sizes) expect(size).toBeLessThan(float32 / 4);
  expect(Math.min(...sizes)).toBe(sizes[3]);
  expect(stdout).toMatch(/^lossless .* worst \|error\| 0\.00e\+0 /m);
});

it('examples/read-one-tensor-over-http.mjs downloads a small part of the file for one tensor', () => {
  const { status, stdout, stderr } = run('examples/read-one-tensor-over-http.mjs');
  expect(status, stderr).toBe(0);
  const [, sent, total] = /downloaded (\d+) of (\d+) bytes/.exec(stdout) ?? [];
  expect(Number(sent)).toBeGreaterThan(0);
  expect(Number(sent)).toBeLessThan(Number(total) / 4);
});

it('examples/train-tfjs-from-dataset.mjs trains a TF.js model with fitDataset on shuffled batches and finds the rare positives', () => {
  const { status, stdout, stderr } = run('examples/train-tfjs-from-dataset.mjs');
  expect(status, stderr).toBe(0);
  const [, raw, tzip] = /(\d+) bytes as float32, (\d+) bytes as \.tzip/.exec(stdout) ?? [];
  expect(Number(tzip)).toBeLessThan(Number(raw) / 2);
  const losses = /loss ([\d.]+) → ([\d.]+) → ([\d.]+)/.exec(stdout)!.slice(1).map(Number);
  expect(losses[2]).toBeLessThan(losses[0]);
  const recall = Number(/recall ([\d.]+)/.exec(stdout)?.[1]);
  expect(recall).toBeGreaterThan(0.5); // a model that ignores the 5% of positives has recall 0
});

it('examples/plain-training-loop.mjs trains softmax regression on iris from shuffled batches in plain JavaScript', () => {
  const { status, stdout, stderr } = run('examples/plain-training-loop.mjs');
  expect(status, stderr).toBe(0);
  expect(stdout).toMatch(/iris: 150 samples, 3 classes/);
  expect(Number(/accuracy after \d+ epochs: ([\d.]+)/.exec(stdout)?.[1])).toBeGreaterThan(0.85);
});
