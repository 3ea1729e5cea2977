// onnx.read / write / channelAxes on models built field by field: tensor names, the types that stay in the model,
// the channel-axis rules from the ONNX operator specs, and hostile bytes → typed errors.
import { describe, expect, it } from 'vitest';
import { onnx } from '../src/index';
import { expectError } from './helpers/errors';
import {
  bytesField, graphAttribute, graphProto, intAttribute, intField, modelProto, nodeProto, stringField, tensorAttribute, tensorProto, valueInfo, type TensorSpec,
} from './helpers/onnx-builder';

const f32 = (name: string, dims: number[], fill = 1) => tensorProto({ name, dataType: 1, dims, floats: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => fill + i) });
const modelOf = (nodes: Uint8Array[], initializers: Uint8Array[]) => modelProto(graphProto({ nodes, initializers, outputs: [valueInfo('y', 1, [1])] }));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('onnx.read: names and types', () => {
  it('subgraph tensors are prefixed by node and attribute, nested; an unnamed node by its output; a repeated name takes ~2', () => {
    const inner = graphProto({ nodes: [nodeProto('Constant', [], ['c'], [tensorAttribute('value', f32('', [1], 5))])], initializers: [f32('w', [1])], outputs: [] });
    const outer = graphProto({ nodes: [nodeProto('Loop', [], ['loop_out'], [graphAttribute('body', inner)])], initializers: [f32('w', [1])], outputs: [] });
    const model = modelOf(
      [nodeProto('If', ['cond'], ['if_out'], [graphAttribute('then_branch', outer), graphAttribute('else_branch', inner)], 'if1')],
      [f32('w', [2]), f32('w', [3])],
    );
    const { tensors } = onnx.read(model);
    expect(Object.keys(tensors)).toEqual([
      'if1/then_branch/loop_out/body/c', 'if1/then_branch/loop_out/body/w', 'if1/then_branch/w',
      'if1/else_branch/c', 'if1/else_branch/w', 'w', 'w~2',
    ]);
    expect(Array.from(tensors['if1/else_branch/c'].data as Float32Array)).toEqual([5]);
    expect(tensors['w~2'].shape).toEqual([3]);
    // Written back, each tensor goes to its own TensorProto: read again, the same names hold the same values.
    const again = onnx.read(onnx.write(onnx.read(model)).model).tensors;
    for (const [name, t] of Object.entries(tensors)) expect(again[name], name).toEqual(t);
  });

  it('BFLOAT16 and FLOAT8 read as their codes; strings and complex numbers stay in the model', () => {
    const model = modelOf([], [
      tensorProto({ name: 'bf', dataType: 16, dims: [2], raw: Uint8Array.of(0x80, 0x3f, 0x00, 0xc0) }),
      tensorProto({ name: 'e4', dataType: 17, dims: [2], int32s: [0x38, 0xff] }),
      tensorProto({ name: 'e5', dataType: 19, dims: [1], raw: Uint8Array.of(0x3c) }),
      Uint8Array.from([...intField(1, 2), ...intField(2, 8), ...stringField(8, 'words'), ...stringField(6, 'ab'), ...stringField(6, 'c')]),
      tensorProto({ name: 'cx', dataType: 14, dims: [1], raw: new Uint8Array(8) }),
    ]);
    const { tensors, model: stripped } = onnx.read(model);
    expect(Object.keys(tensors)).toEqual(['bf', 'e4', 'e5']);
    expect(tensors.bf).toEqual({ dtype: 'bfloat16', shape: [2], data: Uint16Array.of(0x3f80, 0xc000) });
    expect(tensors.e4).toEqual({ dtype: 'float8e4m3fn', shape: [2], data: Uint8Array.of(0x38, 0xff) });
    expect(tensors.e5.dtype).toBe('float8e5m2');
    // The string tensor keeps its data in the model; writing back restores the others byte for byte.
    expect(new TextDecoder().decode(stripped)).toContain('words');
    expect(onnx.write({ model: stripped, tensors }).model).toEqual(onnx.write(onnx.read(model)).model);
  });

  it('the stripped model keeps each TensorProto\'s name, dims and type, and no value', () => {
    const values = Float32Array.of(0.25, -8, 1e-3, 42);
    const model = modelOf([], [tensorProto({ name: 'w', dataType: 1, dims: [2, 2], raw: bytesOf(values) })]);
    const { model: stripped } = onnx.read(model);
    expect(stripped.length).toBe(model.length - (2 + 16));
    expect(onnx.write({ model: stripped, tensors: onnx.read(model).tensors }).model).toEqual(model);
  });
});

describe('onnx.write: tensors that do not fit the model are ARGUMENT', () => {
  const model = modelOf([], [tensorProto({ name: 'w', dataType: 1, dims: [2, 2], raw: bytesOf(Float32Array.of(1, 2, 3, 4)) }), tensorProto({ name: 'q', dataType: 22, dims: [3], raw: Uint8Array.of(0x21, 0x03) })]);
  const { model: stripped, tensors } = onnx.read(model);
  it.each([
    ['a missing tensor', { q: tensors.q }],
    ['a tensor the model lacks', { ...tensors, extra: tensors.w }],
    ['another dtype', { ...tensors, w: { dtype: 'float64', shape: [2, 2], data: new Float64Array(4) } }],
    ['another shape', { ...tensors, w: { dtype: 'float32', shape: [4], data: new Float32Array(4) } }],
    ['an INT4 value past 7', { ...tensors, q: { dtype: 'int8', shape: [3], data: Int8Array.of(1, 8, 0) } }],
    ['null', { ...tensors, w: null }],
  ])('%s', (_, given) => {
    expectError(() => onnx.write({ model: stripped, tensors: given as typeof tensors }), 'ARGUMENT');
  });
  it('and the tensors read back into the model that gave them', () => {
    expect(Array.from(tensors.q.data as Int8Array)).toEqual([1, 2, 3]);
    expect(onnx.write({ model: stripped, tensors }).model).toEqual(model);
  });
});

describe('onnx.channelAxes: the output channels of each operator\'s weights (ONNX operator specs)', () => {
  it('Conv, ConvTranspose, MatMul, Gemm with transA/transB, Gather, LSTM and GRU; in subgraphs by scope; disagreeing uses left out', () => {
    const body = graphProto({ nodes: [nodeProto('MatMul', ['x', 'inner_b'], ['m']), nodeProto('MatMul', ['x', 'conv_w'], ['m2'])], initializers: [f32('inner_b', [4, 6])], outputs: [] });
    const model = modelOf([
      nodeProto('Conv', ['x', 'conv_w', 'conv_b'], ['c']),
      nodeProto('ConvTranspose', ['x', 'deconv_w'], ['d']),
      nodeProto('MatMul', ['mm_a', 'x'], ['m']),
      nodeProto('MatMul', ['x', 'mm_b'], ['m']),
      nodeProto('Gemm', ['x', 'gemm_b'], ['g'], [intAttribute('transB', 1)]),
      nodeProto('Gemm', ['gemm_a', 'x'], ['g2'], [intAttribute('transA', 1)]),
      nodeProto('Gemm', ['x', 'gemm_b_plain'], ['g3']),
      nodeProto('Gather', ['table', 'ids'], ['e']),
      nodeProto('Gather', ['table1', 'ids'], ['e1'], [intAttribute('axis', -1)]),
      nodeProto('LSTM', ['x', 'lstm_w', 'lstm_r', 'lstm_b'], ['h']),
      nodeProto('GRU', ['x', 'gru_w', 'gru_r'], ['h2']),
      nodeProto('Relu', ['relu_in'], ['r']),
      nodeProto('Loop', [], ['l'], [graphAttribute('body', body)], 'loop'),
    ], [
      f32('conv_w', [8, 3, 3, 3]), f32('conv_b', [8]), f32('deconv_w', [3, 8, 2, 2]), f32('mm_a', [5, 4]), f32('mm_b', [2, 4, 6]),
      f32('gemm_b', [6, 4]), f32('gemm_a', [4, 5]), f32('gemm_b_plain', [4, 6]), f32('table', [10, 4]), f32('table1', [10, 4]),
      f32('lstm_w', [1, 16, 4]), f32('lstm_r', [1, 16, 4]), f32('lstm_b', [1, 32]), f32('gru_w', [2, 12, 4]), f32('gru_r', [2, 12, 4]),
      f32('relu_in', [4, 4]),
    ]);
    expect({ ...onnx.channelAxes(model) }).toEqual({
      // conv_w: Conv says 0, the MatMul in the loop body (B → last axis) says 3: left out.
      deconv_w: 1, mm_a: 0, mm_b: 2, gemm_b: 0, gemm_a: 1, gemm_b_plain: 1, table: 0, table1: 1,
      lstm_w: 1, lstm_r: 1, gru_w: 1, gru_r: 1, 'loop/body/inner_b': 1,
    });
  });

  it('reads the stripped model as the whole one', () => {
    const model = modelOf([nodeProto('Conv', ['x', 'w'], ['y'])], [f32('w', [4, 2, 1, 1])]);
    expect({ ...onnx.channelAxes(onnx.read(model).model) }).toEqual({ w: 0 });
  });
});

describe('onnx.read: hostile bytes are typed errors', () => {
  const good = modelOf([nodeProto('Relu', ['w'], ['y'])], [f32('w', [2, 2])]);
  const withTensor = (spec: Partial<TensorSpec> & { extra?: number[] }) => {
    const { extra = [], ...rest } = spec;
    return modelOf([], [Uint8Array.from([...tensorProto({ name: 'w', dataType: 1, dims: [2], ...rest }), ...extra])]);
  };
  const deepModel = (depth: number): Uint8Array => {
    let g = graphProto({ nodes: [], outputs: [] });
    for (let i = 0; i < depth; i++) g = graphProto({ nodes: [nodeProto('If', ['c'], [`o${i}`], [graphAttribute('then_branch', g)])], outputs: [] });
    return modelProto(g);
  };
  it.each(([
    ['no bytes', new Uint8Array(0), 'CORRUPT'],
    ['a model cut short', good.subarray(0, good.length - 3), 'TRUNCATED'],
    ['a length past the end', Uint8Array.from([...bytesField(7, []).slice(0, 1), 0xff, 0xff, 0x03]), 'TRUNCATED'],
    ['a varint of 11 bytes', Uint8Array.of(0x08, ...new Array(10).fill(0xff), 0x01), 'CORRUPT'],
    ['wire type 3 (groups)', Uint8Array.of(0x0b), 'CORRUPT'],
    ['field number 0', Uint8Array.of(0x00, 0x00), 'CORRUPT'],
    ['two graphs', Uint8Array.from([...good, ...bytesField(7, [])]), 'CORRUPT'],
    ['a graph field of wire type varint', Uint8Array.from(intField(7, 1)), 'CORRUPT'],
    ['raw_data of the wrong size', withTensor({ raw: new Uint8Array(12) }), 'CORRUPT'],
    ['too few float_data values', withTensor({ floats: [1] }), 'CORRUPT'],
    ['no data at all', withTensor({}), 'CORRUPT'],
    ['a billion elements in 4 bytes', withTensor({ dims: [1 << 30], floats: [1] }), 'CORRUPT'],
    ['past 2^31 − 1 elements', withTensor({ dims: [1 << 16, 1 << 16], floats: [1] }), 'LIMIT'],
    ['a negative dimension', withTensor({ dims: [], extra: intField(1, -2) }), 'CORRUPT'],
    ['an INT8 value of 300', withTensor({ dataType: 3, int32s: [300, 1] }), 'CORRUPT'],
    ['an INT32 value past 32 bits', withTensor({ dataType: 6, int32s: [2 ** 40, 1] }), 'CORRUPT'],
    ['a packed varint cut short', withTensor({ dataType: 6, extra: bytesField(5, [0x01, 0x81]) }), 'TRUNCATED'],
    ['segments', withTensor({ raw: new Uint8Array(8), extra: bytesField(3, intField(1, 0)) }), 'UNSUPPORTED'],
    ['a name that is not UTF-8', modelOf([], [Uint8Array.from([...intField(2, 1), ...bytesField(8, [0xff, 0xfe]), ...bytesField(9, new Uint8Array(4))])]), 'CORRUPT'],
    ['a Constant without an output', modelOf([nodeProto('Constant', [], [], [tensorAttribute('value', f32('', [1]))], 'c')], []), 'CORRUPT'],
    ['an unnamed initializer', modelOf([], [Uint8Array.from([...intField(2, 1), ...bytesField(9, new Uint8Array(4))])]), 'CORRUPT'],
    ['external data without a location', withTensor({ extra: [...intField(14, 1)] }), 'CORRUPT'],
    ['an external offset that is not a number', withTensor({ external: { location: 'w.bin', offset: 0 }, extra: bytesField(13, [...stringField(1, 'offset'), ...stringField(2, '1e3')]) }), 'CORRUPT'],
    ['subgraphs nested 40 deep', deepModel(40), 'LIMIT'],
  ] as [string, Uint8Array, string][]).map(([label, bytes, code]) => [label, code, bytes] as const))('%s → %s', (_, code, bytes) => {
    expectError(() => onnx.read(bytes, { externalData: { 'w.bin': new Uint8Array(64) } }), code as 'CORRUPT');
  });

  it('tensors that read more bytes from an external file than it holds are CORRUPT (a small model cannot copy a file many times over)', () => {
    const twice = (offset: number) => modelOf([], ['a', 'b'].map((name) => tensorProto({ name, dataType: 1, dims: [4], external: { location: 'w.bin', offset, length: 16 } })));
    expectError(() => onnx.read(twice(0), { externalData: { 'w.bin': new Uint8Array(16) } }), 'CORRUPT');
    expect(Object.keys(onnx.read(twice(0), { externalData: { 'w.bin': new Uint8Array(32) } }).tensors)).toEqual(['a', 'b']);
  });

  it('nesting within the limit reads', () => {
    expect(Object.keys(onnx.read(deepModel(30)).tensors)).toEqual([]);
  });
});
