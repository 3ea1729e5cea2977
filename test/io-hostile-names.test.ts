// Names, dtypes and metadata keys that are also names of Object.prototype's properties, in every foreign format:
// they come back as keys of the result like any other name (never lost to a prototype setter), a dtype such as
// "constructor" is refused with a typed error, and a name given twice is CORRUPT.
import { describe, expect, it } from 'vitest';
import { gguf, npy, safetensors, tfjs, type TensorInput } from '../src/index';
import { expectError } from './helpers/errors';
import { npyFile, safetensorsFile } from './helpers/foreign-files';
import { GgufBuilder } from './helpers/gguf-builder';

const HOSTILE = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** An object with these own keys (Object.fromEntries defines "__proto__" as an own key, as JSON.parse does). */
const withKeys = <T>(entries: [string, T][]): Record<string, T> => Object.fromEntries(entries);

describe('names that are Object.prototype properties', () => {
  it('safetensors: every tensor and metadata key comes back; a dtype "constructor" is UNSUPPORTED; a name, field or metadata key twice is CORRUPT', () => {
    const tensors = withKeys(HOSTILE.map((name, i): [string, TensorInput] => [name, { dtype: 'int32', shape: [2], data: Int32Array.of(i, 10 + i) }]));
    expect(Object.keys(tensors)).toEqual(HOSTILE);
    const file = safetensors.write(tensors, withKeys(HOSTILE.map((k) => [k, `meta ${k}`])));
    const headerText = new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer).getBigUint64(0, true))));
    expect(Object.keys(JSON.parse(headerText)).sort()).toEqual(['__metadata__', ...HOSTILE].sort());
    const back = safetensors.read(file);
    expect(Object.keys(back.tensors).sort()).toEqual([...HOSTILE].sort());
    for (const [i, name] of HOSTILE.entries()) {
      expect(Object.hasOwn(back.tensors, name), name).toBe(true);
      expect(Array.from(back.tensors[name].data as Int32Array), name).toEqual([i, 10 + i]);
      expect(Object.hasOwn(back.metadata, name) && back.metadata[name], name).toBe(`meta ${name}`);
    }
    for (const dtype of HOSTILE) {
      expectError(() => safetensors.read(safetensorsFile(`{"w":{"dtype":"${dtype}","shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4))), 'UNSUPPORTED');
      expectError(() => safetensors.write({ w: { dtype: dtype as never, shape: [1], data: new Float32Array(1) } }), 'ARGUMENT');
    }
    const twice = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    expectError(() => safetensors.read(safetensorsFile(twice, Uint8Array.of(7))), 'CORRUPT');
    const escaped = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\\u0077":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    expectError(() => safetensors.read(safetensorsFile(escaped, Uint8Array.of(7))), 'CORRUPT');
    const metaTwice = '{"__metadata__":{"k":"a","k":"b"},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    expectError(() => safetensors.read(safetensorsFile(metaTwice, Uint8Array.of(7))), 'CORRUPT');
    const fieldTwice = '{"w":{"dtype":"U8","shape":[1],"dtype":"U8","data_offsets":[0,1]}}';
    expectError(() => safetensors.read(safetensorsFile(fieldTwice, Uint8Array.of(7))), 'CORRUPT');
    const extra = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{"a":[{"b":1}],"c":"d:e"}}}';
    expect(Array.from(safetensors.read(safetensorsFile(extra, Uint8Array.of(7))).tensors.w.data as Uint8Array)).toEqual([7]);
    const colons = '{"a:b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"c\\":":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}';
    expect(Object.keys(safetensors.read(safetensorsFile(colons, Uint8Array.of(7, 8))).tensors)).toEqual(['a:b', 'c":']);
  });

  it('.npy: a descr that is a prototype property is UNSUPPORTED', () => {
    for (const descr of HOSTILE) {
      expectError(() => npy.read(npyFile(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8))), 'UNSUPPORTED');
      expectError(() => npy.write({ dtype: descr as never, shape: [1], data: new Float32Array(1) }), 'UNSUPPORTED');
    }
    expectError(() => npy.read(npyFile("{'descr': '<f4', 'descr': '<f4', 'shape': (1,), }", new Uint8Array(4))), 'CORRUPT');
  });

  it('GGUF: every tensor name and metadata key comes back; a name or a key twice is CORRUPT', () => {
    const kv = HOSTILE.map((key): [string, number, (b: GgufBuilder) => void] => [key, 8, (b) => b.writeString(`value of ${key}`)]);
    const file = new GgufBuilder().build(kv, HOSTILE.map((name, i) => ({ name, dims: [2], type: 26, data: bytesOf(Int32Array.of(i, 100 + i)) })));
    const { metadata, tensors } = gguf.read(file);
    expect(Object.keys(metadata).sort()).toEqual([...HOSTILE].sort());
    expect(Object.keys(tensors).sort()).toEqual([...HOSTILE].sort());
    for (const [i, name] of HOSTILE.entries()) {
      expect(Object.hasOwn(metadata, name) && metadata[name], name).toBe(`value of ${name}`);
      expect(Object.hasOwn(tensors, name) && Array.from(tensors[name].data as Int32Array), name).toEqual([i, 100 + i]);
    }
    const tensor = (name: string) => ({ name, dims: [1], type: 26, data: bytesOf(Int32Array.of(1)) });
    expectError(() => gguf.read(new GgufBuilder().build([], [tensor('w'), tensor('w')])), 'CORRUPT');
    expectError(() => gguf.read(new GgufBuilder().build([kv[0], kv[0]], [tensor('w')])), 'CORRUPT');
  });

  it('TF.js: every weight name comes back; hostile dtypes, quantizations and paths are typed errors; a name twice is CORRUPT', () => {
    const tensors = withKeys(HOSTILE.map((name, i): [string, TensorInput] => [name, { dtype: 'float32', shape: [3], data: Float32Array.of(i, 0.5, -i) }]));
    for (const quantize of [undefined, 'uint8'] as const) {
      const model = tfjs.write(tensors, { quantize });
      expect(model.modelJson.weightsManifest[0].weights.map((w) => w.name)).toEqual(HOSTILE);
      const back = tfjs.read(model);
      expect(Object.keys(back).sort()).toEqual([...HOSTILE].sort());
      for (const name of HOSTILE) expect(Object.hasOwn(back, name) && back[name].shape, name).toEqual([3]);
    }
    const model = tfjs.write({ w: { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) } }, { quantize: 'uint8' });
    const [path] = model.modelJson.weightsManifest[0].paths;
    const withSpec = (change: Record<string, unknown>, paths = [path]) => ({
      modelJson: { weightsManifest: [{ paths, weights: [{ ...model.modelJson.weightsManifest[0].weights[0], ...change }] }] },
      shards: model.shards,
    });
    for (const word of HOSTILE) {
      expectError(() => tfjs.read(withSpec({ dtype: word })), 'UNSUPPORTED');
      expectError(() => tfjs.read(withSpec({ quantization: { dtype: word, scale: 1, min: 0 } })), 'UNSUPPORTED');
      expectError(() => tfjs.read(withSpec({}, [word])), 'TRUNCATED');
    }
    const twice = { ...withSpec({}), modelJson: { weightsManifest: [{ paths: [path], weights: [...withSpec({}).modelJson.weightsManifest[0].weights, { name: 'w', shape: [0], dtype: 'float32' }] }] } };
    expectError(() => tfjs.read(twice), 'CORRUPT');
  });
});
