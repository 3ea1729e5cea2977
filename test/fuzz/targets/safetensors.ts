// safetensors.read on any bytes: what it accepts has consistent tensors, and writing them back (with the metadata)
// reads to the same values.
import { safetensors as reader, type TensorInput } from '../../../src/index';
import { attempt, DAMAGED_DATA, expectConsistent, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';

const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5);

export const safetensors: FuzzTarget = {
  name: 'safetensors',
  async seeds() {
    return [
      reader.write({
        w: { dtype: 'float32', shape: [2, 3], data: floats(6) },
        h: { dtype: 'float16', shape: [4], data: Uint16Array.of(0x3c00, 0, 0x8000, 0x7c00) },
        ids: { dtype: 'int64', shape: [2], data: BigInt64Array.of(-1n, 5n) },
        flag: { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
      }, { format: 'pt' }),
      reader.write({ scalar: { dtype: 'float64', shape: [], data: Float64Array.of(Math.PI) }, empty: { dtype: 'int8', shape: [0, 4], data: new Int8Array(0) } }),
    ];
  },
  async run(_, bytes) {
    const a = await attempt(() => reader.read(offsetView(bytes)), DAMAGED_DATA, 'safetensors.read', bytes.length, 4);
    sameOutcome(a, await attempt(() => reader.read(bytes), DAMAGED_DATA, 'safetensors.read at offset 0', bytes.length, 4), 'safetensors.read', ['at offset 7', 'at offset 0']);
    if (!a.ok) return a.outcome;
    const tensors: Record<string, TensorInput> = a.value.tensors;
    for (const [name, t] of Object.entries(tensors)) expectConsistent(name, t, 'safetensors.read');
    const listed = Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))))).filter((k) => k !== '__metadata__');
    if (listed.length !== Object.keys(tensors).length) throw new FuzzFailure('safetensors.read: fewer tensors than the header lists', listed.join(', '));
    const again = await attempt(() => reader.read(reader.write(tensors, a.value.metadata)), DAMAGED_DATA, 'safetensors write+read', bytes.length, 8);
    if (!again.ok) throw new FuzzFailure(`safetensors: what read gives, write+read refuses: ${again.outcome}`);
    expectSame(again.value.tensors, tensors, 'safetensors: write+read differs from read');
    return 'OK';
  },
  json(bytes) {
    if (bytes.length < 8) return undefined;
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    if (8 + length > bytes.length) return undefined;
    return {
      text: new TextDecoder().decode(bytes.subarray(8, 8 + length)),
      rebuild(text) {
        const header = new TextEncoder().encode(text);
        const out = new Uint8Array(8 + header.length + bytes.length - 8 - length);
        new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
        out.set(header, 8);
        out.set(bytes.subarray(8 + length), 8 + header.length);
        return out;
      },
    };
  },
};
