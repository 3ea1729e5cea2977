// `tensorzip pack model.json` (dist/cli.mjs) puts each weight's scales on the channel axis the model's graph gives,
// where the data alone would choose another, and `--channel-axis` still overrides it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { open, tfjs, type TensorInput } from '../src/index';
import { random } from './helpers/data';

const CLI = resolve('dist/cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tensorzip-cli-axes-'));
const run = (...args: string[]) => spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8' });

/** Values whose scale varies along `axis` only: the axis the data picks. */
function scaledAlong(shape: number[], axis: number, seed: number): TensorInput {
  const next = random(seed);
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const count = shape.reduce((a, d) => a * d, 1);
  const data = Float32Array.from({ length: count }, (_, i) => (next() - 0.5) * 2 ** (Math.floor(i / inner) % shape[axis] % 8));
  return { dtype: 'float32', shape, data };
}

it('packs a graph model.json with the graph\'s axes: Conv2D kernel → 3, depthwise kernel → 2, MatMul with transpose_b → 0', async () => {
  // Scales that vary along another axis than the graph's, so the data alone would store them elsewhere.
  const weights = { 'conv/w': scaledAlong([3, 3, 32, 16], 2, 1), 'dw/w': scaledAlong([3, 3, 128, 1], 0, 2), 'fc/w': scaledAlong([64, 48], 1, 3) };
  const node = (name: string, op: string, input: string[] = [], attr = {}) => ({ name, op, input, attr });
  const modelTopology = {
    node: [node('x', 'Placeholder'), node('conv/w', 'Const'), node('dw/w', 'Const'), node('fc/w', 'Const'),
      node('conv', 'Conv2D', ['x', 'conv/w']), node('dw', 'DepthwiseConv2dNative', ['conv', 'dw/w']),
      node('fc', 'MatMul', ['dw', 'fc/w'], { transpose_b: { b: true } })],
  };
  const { modelJson, shards } = tfjs.write(weights, { modelJson: { format: 'graph-model', modelTopology } });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  for (const [path, bytes] of Object.entries(shards)) writeFileSync(join(dir, path), bytes);
  const axesOf = async (file: string) => Object.fromEntries((await open(new Uint8Array(readFileSync(join(dir, file))))).tensors.map((t) => [t.name, t.storedAxis]));

  const packed = run('pack', 'model.json', '-o', 'graph.tzip', '--quantize', 'int8');
  expect(packed.status, packed.stderr).toBe(0);
  expect(await axesOf('graph.tzip')).toEqual({ 'conv/w': 3, 'dw/w': 2, 'fc/w': 0 });
  // Without the graph, the data's axes.
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(modelJson.weightsManifest));
  expect(run('pack', 'manifest.json', '-o', 'data.tzip', '--quantize', 'int8').status).toBe(0);
  expect(await axesOf('data.tzip')).toEqual({ 'conv/w': 2, 'dw/w': 0, 'fc/w': 1 });
  expect(run('pack', 'model.json', '-o', 'last.tzip', '--channel-axis', '-1', '--quantize', 'int8').status).toBe(0);
  expect(await axesOf('last.tzip')).toEqual({ 'conv/w': 3, 'dw/w': 3, 'fc/w': 1 });
});
