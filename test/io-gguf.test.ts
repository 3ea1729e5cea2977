import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { GgufBuilder } from './helpers/gguf-builder';
import { referenceDecodeQ4_0, referenceDecodeQ4_1, referenceDecodeQ4_K, referenceDecodeQ8_0, referenceEncodeQ4_0, referenceEncodeQ4_1, referenceEncodeQ8_0 } from './reference/ggml';
import { floatOf, referenceDecodeFloat16 } from './reference/float16';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function sample(n: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 0.2);
}

describe.each(BUILDS)('GGUF read (%s build)', (_, { gguf }) => {
  const x = sample(64 * 3, 1);
  const halves = Uint16Array.from({ length: 6 }, (_, i) => 0x3c00 + i * 0x100);
  const q4k = new Uint8Array(144 * 2);
  {
    const next = random(7);
    q4k.forEach((_, i) => (q4k[i] = next() * 256));
    for (const b of [0, 144]) { q4k[b] = 0x00; q4k[b + 1] = 0x2c; q4k[b + 2] = 0x66; q4k[b + 3] = 0x2e; } // finite d, dmin
  }
  const file = new GgufBuilder().build(
    [['general.architecture', 8, (b) => b.writeString('llama')], ['general.quantization_version', 4, (b) => b.writeU32(2)]],
    [
      { name: 'f32', dims: [4, 2], type: 0, data: bytesOf(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8)) },
      { name: 'f16', dims: [3, 2], type: 1, data: bytesOf(halves) },
      { name: 'q8', dims: [64, 3], type: 8, data: referenceEncodeQ8_0(x) },
      { name: 'q4', dims: [64, 3], type: 2, data: referenceEncodeQ4_0(x) },
      { name: 'q41', dims: [64, 3], type: 3, data: referenceEncodeQ4_1(x) },
      { name: 'q4k', dims: [256, 2], type: 12, data: q4k },
      { name: 'ids', dims: [3], type: 26, data: bytesOf(Int32Array.of(-1, 0, 7)) },
    ],
  );

  it('reads metadata and every supported tensor type, shapes in NumPy order', () => {
    const { version, metadata, tensors } = gguf.read(file);
    expect(version).toBe(3);
    expect(metadata).toEqual({ 'general.architecture': 'llama', 'general.quantization_version': 2 });
    expect(tensors.f32).toEqual({ dtype: 'float32', shape: [2, 4], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
    expect([...tensors.f16.data]).toEqual([...halves].map((h) => floatOf(referenceDecodeFloat16(h))));
    const checks: [string, Float32Array][] = [
      ['q8', referenceDecodeQ8_0(referenceEncodeQ8_0(x))], ['q4', referenceDecodeQ4_0(referenceEncodeQ4_0(x))],
      ['q41', referenceDecodeQ4_1(referenceEncodeQ4_1(x))], ['q4k', referenceDecodeQ4_K(q4k)],
    ];
    for (const [name, expected] of checks) {
      expect(tensors[name].shape, name).toEqual(name === 'q4k' ? [2, 256] : [3, 64]);
      if (!equalBytes(bytesOf(tensors[name].data), bytesOf(Float32Array.from(expected)))) expect.fail(`${name}: values differ from the reference decoder`);
    }
    expect(tensors.ids).toEqual({ dtype: 'int32', shape: [3], data: Int32Array.of(-1, 0, 7) });
  });

  it('refuses damaged and unsupported files', () => {
    expectError(() => gguf.read(file.subarray(0, 10)), 'TRUNCATED');
    expectError(() => gguf.read(file.subarray(0, file.length - 1)), 'TRUNCATED');
    const magic = file.slice();
    magic[0] = 0;
    expectError(() => gguf.read(magic), 'CORRUPT');
    const v4 = file.slice();
    v4[4] = 4;
    expectError(() => gguf.read(v4), 'UNSUPPORTED');
    const hugeCount = file.slice();
    hugeCount[15] = 0x7f; // tensor count ~ 2^63
    expectError(() => gguf.read(hugeCount), 'CORRUPT');
    const q5 = new GgufBuilder().build([], [{ name: 'q5', dims: [32], type: 6, data: new Uint8Array(22) }]);
    expectError(() => gguf.read(q5), 'UNSUPPORTED');
    const ragged = new GgufBuilder().build([], [{ name: 'r', dims: [40], type: 2, data: new Uint8Array(36) }]);
    expectError(() => gguf.read(ragged), 'CORRUPT');
    const next = random(3);
    for (let round = 0; round < 300; round++) {
      const copy = file.slice();
      copy[Math.floor(next() * 400)] ^= 1 << Math.floor(next() * 8);
      try {
        gguf.read(copy);
      } catch (err) {
        expect((err as Error).name, String(err)).toBe('TensorzipError');
      }
    }
  });
});
