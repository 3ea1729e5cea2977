// gguf.read on any bytes: both builds agree, and every tensor's data matches its shape.
import { GgufBuilder } from '../../helpers/gguf-builder';
import { attempt, DAMAGED_DATA, expectConsistent, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';

// Q4 blocks expand 7.1x to float32.
const EXPANSION = 16;

const floats = (n: number) => new Uint8Array(Float32Array.from({ length: n }, (_, i) => Math.sin(i)).buffer);

function q8Block(): Uint8Array {
  const block = new Uint8Array(34);
  block.set([0x00, 0x3c]); // scale 1.0 as float16
  for (let i = 0; i < 32; i++) block[2 + i] = (i * 7) & 0xff;
  return block;
}

export const gguf: FuzzTarget = {
  name: 'gguf',
  async seeds() {
    type Kv = [string, number, (b: GgufBuilder) => void][];
    const kv: Kv = [
      ['general.architecture', 8, (b) => b.writeString('tiny')],
      ['tiny.block_count', 4, (b) => b.writeU32(2)],
      ['general.alignment', 4, (b) => b.writeU32(32)],
    ];
    const q4 = Uint8Array.from({ length: 18 }, (_, i) => (i === 1 ? 0x3c : i * 37));
    return [
      new GgufBuilder().build(kv, [
        { name: 'w', dims: [3, 2], type: 0, data: floats(6) },
        { name: 'q', dims: [32], type: 8, data: q8Block() },
        { name: 'q4', dims: [32], type: 2, data: q4 },
        { name: 'h', dims: [2, 2], type: 1, data: Uint8Array.of(0, 0x3c, 0, 0xc0, 0, 0, 0, 0x7c) },
        { name: 'i', dims: [2], type: 27, data: new Uint8Array(16).fill(7) },
      ]),
      new GgufBuilder().build([['general.name', 8, (b) => b.writeString('v2')]], [{ name: 'b', dims: [4], type: 30, data: Uint8Array.of(0x80, 0x3f, 0, 0, 0, 0xc0, 0x80, 0x7f) }], 2),
    ];
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => simd.gguf.read(offsetView(bytes)), DAMAGED_DATA, 'gguf.read', bytes.length, EXPANSION);
    const b = await attempt(() => scalar.gguf.read(bytes), DAMAGED_DATA, 'gguf.read (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'gguf.read');
    if (!a.ok) return a.outcome;
    for (const [name, t] of Object.entries(a.value.tensors)) expectConsistent(name, t, 'gguf.read');
    // Every tensor and key the header counts must come out: duplicates may not collapse silently.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const counts = [view.getBigUint64(8, true), view.getBigUint64(16, true)];
    const found = [Object.keys(a.value.tensors).length, Object.keys(a.value.metadata).length];
    if (BigInt(found[0]) !== counts[0] || BigInt(found[1]) !== counts[1]) {
      throw new FuzzFailure('gguf.read: fewer tensors or keys than the header counts', `${found} of ${counts}`);
    }
    return 'OK';
  },
};
