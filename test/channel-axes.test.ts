// Per-tensor channel axes: read from a TF.js model's graph (tfjs.channelAxes, graph and layers models), chosen from
// the data when nothing describes a weight (the axis of least int8 error), and overridden by the caller.
import { describe, expect, it } from 'vitest';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A weight whose channels along `axis` have very different scales (as batch norms folded into a kernel leave). */
function kernel(shape: number[], axis: number, seed: number): TensorInput {
  const next = random(seed);
  const count = shape.reduce((a, d) => a * d, 1);
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const scales = Array.from({ length: shape[axis] }, () => 0.001 * 200 ** next());
  const data = Float32Array.from({ length: count }, (_, i) => (next() - 0.5) * scales[Math.floor(i / inner) % shape[axis]]);
  return { dtype: 'float32', shape, data };
}

const spec = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' });
const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });

/** A TF.js graph model.json as the converter writes it: weights are Const nodes named as in the manifest. */
const GRAPH_MODEL = {
  format: 'graph-model',
  modelTopology: {
    node: [
      node('x', 'Placeholder'),
      node('conv/w', 'Const'), node('conv', 'Conv2D', ['x', 'conv/w']),
      node('dw/w', 'Const'), node('dw', 'DepthwiseConv2dNative', ['conv', 'dw/w']),
      node('fdw/w', 'Const'), node('fdw/b', 'Const'), node('fdw', 'FusedDepthwiseConv2dNative', ['dw', 'fdw/w', 'fdw/b']),
      node('fconv/w', 'Const'), node('fconv/b', 'Const'), node('fconv', '_FusedConv2D', ['fdw', 'fconv/w:0', 'fconv/b', '^x']),
      node('up/w', 'Const'), node('up/size', 'Const'), node('up', 'Conv2DBackpropInput', ['up/size', 'up/w', 'fconv']),
      // A weight behind two Identity nodes.
      node('fc/w', 'Const'), node('fc/w/read', 'Identity', ['fc/w']), node('fc/w/read2', 'Identity', ['fc/w/read:0']),
      node('fc', 'MatMul', ['up', 'fc/w/read2'], { transpose_a: { b: false }, transpose_b: { b: false } }),
      node('fct/w', 'Const'), node('fct', '_FusedMatMul', ['fc', 'fct/w'], { transpose_b: { b: true } }),
      // Used twice with different layouts: the graph does not decide it.
      node('both/w', 'Const'), node('both1', 'MatMul', ['fct', 'both/w']), node('both2', 'MatMul', ['fct', 'both/w'], { transpose_b: { b: true } }),
      node('bmm/w', 'Const'), node('bmm', 'BatchMatMulV2', ['fct', 'bmm/w'], { adj_y: { b: true } }),
      node('loose/w', 'Const'), node('out', 'AddN', ['bmm', 'loose/w']),
    ],
    library: {},
    versions: { producer: 1 },
  },
  weightsManifest: [{
    paths: ['group1-shard1of1.bin'],
    weights: [spec('conv/w', [3, 3, 8, 16]), spec('dw/w', [3, 3, 128, 1]), spec('fdw/w', [3, 3, 16, 2]), spec('fdw/b', [32]),
      spec('fconv/w', [1, 1, 32, 64]), spec('fconv/b', [64]), spec('up/w', [2, 2, 24, 64]), spec('up/size', [4]),
      spec('fc/w', [96, 40]), spec('fct/w', [50, 40]), spec('both/w', [40, 40]), spec('bmm/w', [2, 30, 50]), spec('loose/w', [30, 30])],
  }],
};

describe.each(BUILDS)('per-tensor channel axes (%s build)', (_, engine) => {
  const { tfjs, pack, open, quant } = engine;

  it('tfjs.channelAxes reads a graph model: HWIO → 3, HWCM → 2, HWOI → 2, MatMul by transpose_b, through Identity', () => {
    const axes = tfjs.channelAxes(GRAPH_MODEL);
    expect({ ...axes }).toEqual({ 'conv/w': 3, 'dw/w': 2, 'fdw/w': 2, 'fconv/w': 3, 'up/w': 2, 'fc/w': 1, 'fct/w': 0, 'bmm/w': 1 });
    expect(Object.getPrototypeOf(axes)).toBe(null);
  });

  it('tfjs.channelAxes reads a layers model (TF.js and tf.keras layouts), weights named <layer>/<weight> under any prefix', () => {
    const layers = [
      { class_name: 'Conv2D', config: { name: 'conv2d_Conv2D1' } },
      { class_name: 'DepthwiseConv2D', config: { name: 'dw' } },
      { class_name: 'SeparableConv2D', config: { name: 'sep' } },
      { class_name: 'Conv2DTranspose', config: { name: 'up' } },
      { class_name: 'Functional', config: { name: 'inner', layers: [{ class_name: 'Dense', config: { name: 'dense_Dense1' } }] } },
      { class_name: 'Embedding', config: { name: 'emb' } },
    ];
    const weightsManifest = [{
      paths: [],
      weights: [spec('conv2d_Conv2D1/kernel', [3, 3, 3, 8]), spec('conv2d_Conv2D1/bias', [8]), spec('dw/depthwise_kernel', [3, 3, 8, 1]),
        spec('sep/depthwise_kernel', [3, 3, 8, 1]), spec('sep/pointwise_kernel', [1, 1, 8, 16]), spec('up/kernel', [2, 2, 4, 16]),
        spec('model/inner/dense_Dense1/kernel', [64, 10]), spec('emb/embeddings', [100, 8])],
    }];
    const want = { 'conv2d_Conv2D1/kernel': 3, 'dw/depthwise_kernel': 2, 'sep/depthwise_kernel': 2, 'sep/pointwise_kernel': 3, 'up/kernel': 2, 'model/inner/dense_Dense1/kernel': 1 };
    const tfjsLayers = { modelTopology: { class_name: 'Sequential', config: { name: 's', layers } }, weightsManifest };
    const tfKeras = { modelTopology: { keras_version: '2.15', model_config: { class_name: 'Functional', config: { layers } } }, weightsManifest };
    expect({ ...tfjs.channelAxes(tfjsLayers) }).toEqual(want);
    expect({ ...tfjs.channelAxes(tfKeras) }).toEqual(want);
  });

  it('tfjs.channelAxes: no topology gives no axes; a topology it does not understand is skipped; no manifest is CORRUPT', () => {
    const weightsManifest = GRAPH_MODEL.weightsManifest;
    expect({ ...tfjs.channelAxes({ weightsManifest }) }).toEqual({});
    for (const modelTopology of [null, 7, [], { node: [null, 1, { op: 'Conv2D' }, { name: 'c', op: 'Conv2D', input: [1, 'conv/w'] }] }, { config: 'x' }, { node: {} }]) {
      expect(() => tfjs.channelAxes({ modelTopology, weightsManifest } as never)).not.toThrow();
    }
    const cycle = { node: [node('a', 'Identity', ['b']), node('b', 'Identity', ['a']), node('c', 'Conv2D', ['x', 'a'])] };
    expect({ ...tfjs.channelAxes({ modelTopology: cycle, weightsManifest }) }).toEqual({});
    expectError(() => tfjs.channelAxes({} as never), 'CORRUPT');
  });

  it('pack() stores each weight on the axis channelAxes gives, as quant.quantize along it', async () => {
    const names = ['conv/w', 'dw/w', 'up/w', 'fc/w', 'fct/w'];
    const tensors = Object.fromEntries(GRAPH_MODEL.weightsManifest[0].weights.filter((w) => names.includes(w.name))
      .map((w, i) => [w.name, kernel(w.shape, 0, i + 1)]));
    const axes = tfjs.channelAxes(GRAPH_MODEL);
    const archive = await open(await pack(tensors, { channelAxes: axes, quantize: 'int8' }));
    for (const info of archive.tensors) {
      expect(info.storedAxis, info.name).toBe(axes[info.name]);
      const expected = quant.dequantize(quant.quantize(tensors[info.name].data as Float32Array, { dtype: 'int8', axis: axes[info.name], shape: info.shape }));
      if (!equalBytes(bytesOf((await archive.get(info.name)).data), bytesOf(expected))) expect.fail(`${info.name}: not int8 along axis ${axes[info.name]}`);
    }
  });

  it('without a graph, each weight takes the axis of least int8 error: depthwise HWC1 → 2, HWIO → 3, OIHW → 0, [in, out] → 1', async () => {
    const tensors = {
      depthwise: kernel([3, 3, 128, 1], 2, 11), hwio: kernel([3, 3, 16, 32], 3, 12), oihw: kernel([32, 16, 3, 3], 0, 13), dense: kernel([128, 64], 1, 14),
    };
    const archive = await open(await pack(tensors, { quantize: 'int8' }));
    const want: Record<string, number> = { depthwise: 2, hwio: 3, oihw: 0, dense: 1 };
    for (const info of archive.tensors) {
      expect(info.storedAxis, info.name).toBe(want[info.name]);
      const data = tensors[info.name as keyof typeof tensors].data as Float32Array;
      for (let axis = 0; axis < info.shape.length; axis++) {
        const other = quant.quantize(data, { dtype: 'int8', axis, shape: info.shape }).stats.rmse;
        expect(info.stats!.rmse, `${info.name}: axis ${info.storedAxis} against ${axis}`).toBeLessThanOrEqual(other);
      }
    }
    // 'auto' under a budget only int8 along that axis meets among int8 layouts: that axis, or one finer step for the
    // whole tensor (16-bit codes) when smaller — the budget met either way; the int4 mode's scales take the axis too.
    const tight = quant.quantize(tensors.depthwise.data as Float32Array, { dtype: 'int8', axis: 2, shape: tensors.depthwise.shape }).stats.maxAbsError;
    const budget = await open(await pack({ depthwise: tensors.depthwise }, { maxAbsError: tight, quality: 0 }));
    if (budget.tensors[0].storedDtype === 'int8') expect(budget.tensors[0].storedAxis).toBe(2);
    expect(budget.tensors[0].stats!.maxAbsError).toBeLessThanOrEqual(tight);
    const int4 = await open(await pack({ depthwise: tensors.depthwise }, { quantize: 'int4' }));
    expect([int4.tensors[0].storedDtype, int4.tensors[0].storedAxis]).toEqual(['int4', 2]);
  });

  it('channelAxis overrides channelAxes and the data; a rule\'s channelAxis overrides everything', async () => {
    const tensors = { dw: kernel([3, 3, 128, 1], 2, 21), conv: kernel([3, 3, 16, 32], 3, 22) };
    const axesOf = async (options: Parameters<typeof pack>[1]) => (await open(await pack(tensors, { quantize: 'int8', ...options }))).tensors.map((t) => t.storedAxis);
    expect(await axesOf({})).toEqual([2, 3]);
    expect(await axesOf({ channelAxis: -1 })).toEqual([3, 3]);
    expect(await axesOf({ channelAxis: 0, channelAxes: { dw: 2 } })).toEqual([0, 0]);
    expect(await axesOf({ channelAxes: { dw: 1, conv: -2 } })).toEqual([1, 2]);
    expect(await axesOf({ channelAxis: -1, rules: [{ match: 'd*', channelAxis: 2 }] })).toEqual([2, 3]);
    // A rule without quantize keeps the model-wide mode (and small tensors stay lossless).
    const ruled = await open(await pack({ ...tensors, small: kernel([4, 4], 0, 23) }, { quantize: 'int4', rules: [{ match: '*', channelAxis: 0 }] }));
    expect(ruled.tensors.map((t) => [t.storedDtype, t.storedAxis])).toEqual([['int4', 0], ['int4', 3], ['float32', null]]);
  });

  it('refuses a channel axis out of range for its tensor, or not an integer, as ARGUMENT; odd names are no keys', async () => {
    const tensors = { dw: kernel([3, 3, 128, 1], 2, 31) };
    for (const options of [{ channelAxes: { dw: 4 } }, { channelAxes: { dw: -5 } }, { channelAxes: { dw: 1.5 } }, { channelAxes: { dw: '2' } },
      { channelAxes: 7 }, { rules: [{ match: 'dw', channelAxis: 9 }] }, { channelAxis: 2 }]) {
      await expect(pack(tensors, options as never), JSON.stringify(options)).rejects.toMatchObject({ code: 'ARGUMENT' });
    }
    // Names that are properties of every object are not axes given.
    const odd: Record<string, TensorInput> = Object.defineProperty({ constructor: kernel([3, 3, 128, 1], 2, 32) }, '__proto__', { value: kernel([3, 3, 128, 1], 2, 33), enumerable: true });
    expect((await open(await pack(odd, { channelAxes: {}, quantize: 'int8' }))).tensors.map((t) => t.storedAxis)).toEqual([2, 2]);
  });
});
