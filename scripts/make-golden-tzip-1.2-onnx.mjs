// Writes test/golden/v1.2/onnx.tzip, a file of format version 1.2 of model kind `onnx`, and beside it onnx.onnx, the
// model it was packed from (built field by field by test/helpers/onnx-builder.ts, all values in raw_data, so that
// unpacking gives these bytes back exactly). Run by hand after `npm run build`
// (`node scripts/make-golden-tzip-1.2-onnx.mjs`), never in CI: the files are frozen.
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const source = `
import { graphAttribute, graphProto, modelProto, nodeProto, tensorAttribute, tensorProto, valueInfo } from './test/helpers/onnx-builder';
const raw = (a) => new Uint8Array(a.buffer);
const f32 = (name, dims, seed) => tensorProto({ name, dataType: 1, dims, raw: raw(Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.fround(Math.sin(i * 0.37 + seed) / 4))) });
const constant = (output, values) => nodeProto('Constant', [], [output], [tensorAttribute('value', tensorProto({ name: '', dataType: 1, dims: [values.length], raw: raw(Float32Array.from(values)) }))]);
const branch = (values) => graphProto({ nodes: [constant('k', values)], outputs: [valueInfo('k', 1, [2])] });
export const model = modelProto(graphProto({
  nodes: [
    nodeProto('Conv', ['x', 'conv.weight', 'conv.bias'], ['c'], [], 'conv'),
    nodeProto('If', ['cond'], ['picked'], [graphAttribute('then_branch', branch([1, 2])), graphAttribute('else_branch', branch([3, 4]))], 'choose'),
    constant('scale', [0.5]),
    nodeProto('Reshape', ['c', 'shape'], ['r']),
  ],
  initializers: [
    f32('conv.weight', [8, 3, 3, 3], 1), f32('conv.bias', [8], 2),
    tensorProto({ name: 'half', dataType: 10, dims: [4], raw: raw(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001)) }),
    tensorProto({ name: 'nibbles', dataType: 22, dims: [5], raw: Uint8Array.of(0x78, 0x0f, 0x03) }),
    tensorProto({ name: 'shape', dataType: 7, dims: [2], raw: raw(BigInt64Array.of(1n, -1n)) }),
  ],
  inputs: [valueInfo('x', 1, [1, 3, 5, 5]), valueInfo('cond', 9, [])],
  outputs: [valueInfo('r', 1, [1, 72])],
}));
`;
const bundled = await build({ stdin: { contents: source, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' }, bundle: true, format: 'esm', write: false });
const { model } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);
const { onnx, open } = await import('../dist/index.mjs');

const dir = new URL('../test/golden/v1.2/', import.meta.url);
const file = await onnx.pack(model, { quantize: 'lossless', metadata: { golden: 'v1.2 onnx' } });
const back = (await onnx.unpack(await open(file))).model;
if (Buffer.compare(Buffer.from(back), Buffer.from(model)) !== 0) throw new Error('the model unpacked from the .tzip differs from the model packed');
writeFileSync(new URL('onnx.onnx', dir), model);
writeFileSync(new URL('onnx.tzip', dir), file);
console.log((await open(file)).tensors.map((t) => `${t.name} ${t.dtype} [${t.shape}]`).join('\n'));
