// onnx.read on any bytes: what it accepts has consistent tensors and a model that writes back and reads to the same
// tensors; onnx.channelAxes on the same bytes gives axes or a typed error.
import { onnx as reader } from '../../../src/index';
import { graphAttribute, graphProto, intAttribute, modelProto, nodeProto, tensorAttribute, tensorProto, valueInfo } from '../../helpers/onnx-builder';
import { attempt, DAMAGED_DATA, expectConsistent, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';

// int64 values from 1-byte varints: 8 bytes each; the stripped model and the written copy: 2 more.
const EXPANSION = 16;

export const onnx: FuzzTarget = {
  name: 'onnx',
  async seeds() {
    const floats = (n: number) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i)));
    const branch = graphProto({
      nodes: [nodeProto('Constant', [], ['k'], [tensorAttribute('value', tensorProto({ name: '', dataType: 1, dims: [2], floats: [1, 2] }))])],
      initializers: [tensorProto({ name: 'inner', dataType: 7, dims: [2], int64s: [-1n, 3n] })],
      outputs: [valueInfo('k', 1, [2])],
    });
    return [
      modelProto(graphProto({
        nodes: [nodeProto('Conv', ['x', 'w'], ['c']), nodeProto('Gemm', ['c', 'fc'], ['y'], [intAttribute('transB', 1)]), nodeProto('If', ['cond'], ['z'], [graphAttribute('then_branch', branch), graphAttribute('else_branch', branch)], 'if')],
        initializers: [
          tensorProto({ name: 'w', dataType: 1, dims: [2, 1, 2, 2], floats: floats(8) }),
          tensorProto({ name: 'fc', dataType: 1, dims: [3, 2], raw: new Uint8Array(Float32Array.from(floats(6)).buffer) }),
          tensorProto({ name: 'h', dataType: 10, dims: [3], int32s: [0x3c00, 0xc000, 1] }),
          tensorProto({ name: 'q', dataType: 22, dims: [3], int32s: [0x7f, 0x08] }),
          tensorProto({ name: 'd', dataType: 11, dims: [1], doubles: [Math.E] }),
          tensorProto({ name: 'u', dataType: 13, dims: [2], uint64s: [1n, 2n ** 63n] }),
        ],
        outputs: [valueInfo('y', 1, [1, 3])],
      })),
    ];
  },
  async run(_, bytes) {
    const a = await attempt(() => reader.read(offsetView(bytes)), DAMAGED_DATA, 'onnx.read', bytes.length, EXPANSION);
    sameOutcome(a, await attempt(() => reader.read(bytes), DAMAGED_DATA, 'onnx.read at offset 0', bytes.length, EXPANSION), 'onnx.read', ['at offset 7', 'at offset 0']);
    const axes = await attempt(() => reader.channelAxes(bytes), DAMAGED_DATA, 'onnx.channelAxes', bytes.length, EXPANSION);
    if (a.ok && !axes.ok) throw new FuzzFailure(`onnx.channelAxes refuses what onnx.read reads: ${axes.outcome}`);
    if (!a.ok) return a.outcome;
    for (const [name, t] of Object.entries(a.value.tensors)) expectConsistent(name, t, 'onnx.read');
    const written = await attempt(() => reader.read(reader.write(a.value).model), DAMAGED_DATA, 'onnx write+read', bytes.length, EXPANSION);
    if (!written.ok) throw new FuzzFailure(`onnx: what read gives, write+read refuses: ${written.outcome}`);
    expectSame(written.value.tensors, a.value.tensors, 'onnx: write+read differs from read');
    return 'OK';
  },
};
