// Damaged and hostile files for every importer: each truncation and four corruptions of every byte of a small
// safetensors, .npy and GGUF file must either read as a consistent set of tensors or throw a TensorzipError — never a
// RangeError, TypeError or SyntaxError from inside, and never tensors larger than the file could describe.
import { describe, expect, it } from 'vitest';
import { gguf, npy, safetensors, type TensorInput } from '../src/index';
import { GgufBuilder } from './helpers/gguf-builder';

type Reader = (bytes: Uint8Array) => Record<string, TensorInput>;

/** Everything a reader may do with `bytes`: return consistent tensors, or throw a TensorzipError. */
function outcome(read: Reader, bytes: Uint8Array, what: string): string {
  let tensors: Record<string, TensorInput>;
  try {
    tensors = read(bytes);
  } catch (err) {
    if ((err as Error)?.name !== 'TensorzipError') expect.fail(`${what}: ${String(err)}`);
    return (err as { code: string }).code;
  }
  let decoded = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((n, d) => n * d, 1);
    if (t.data.length !== count) expect.fail(`${what}: "${name}" has ${t.data.length} elements for shape [${t.shape.join(', ')}]`);
    decoded += t.data.byteLength;
  }
  // GGUF's 4-bit blocks expand 7.1x to float32; nothing may expand more than that from the bytes given.
  if (decoded > 8 * bytes.length) expect.fail(`${what}: ${decoded} bytes of tensors from a ${bytes.length}-byte file`);
  return 'OK';
}

function damage(read: Reader, file: Uint8Array, name: string): Set<string> {
  const seen = new Set<string>();
  for (let length = 0; length < file.length; length++) seen.add(outcome(read, file.subarray(0, length), `${name} cut to ${length} bytes`));
  for (let at = 0; at < file.length; at++) {
    for (const value of [0x00, 0xff, file[at] ^ 0x01, file[at] ^ 0x80]) {
      const copy = file.slice();
      copy[at] = value;
      seen.add(outcome(read, copy, `${name} byte ${at} = 0x${value.toString(16)}`));
    }
  }
  return seen;
}

const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5);

describe('hostile files for the importers', () => {
  it('safetensors', () => {
    const file = safetensors.write({
      w: { dtype: 'float32', shape: [2, 3], data: floats(6) },
      h: { dtype: 'float16', shape: [4], data: Uint16Array.of(0x3c00, 0, 0x8000, 0x7c00) },
      ids: { dtype: 'int64', shape: [2], data: BigInt64Array.of(-1n, 5n) },
    }, { format: 'pt' });
    const seen = damage((b) => safetensors.read(b).tensors, file, 'safetensors');
    expect(seen.has('OK') && seen.has('TRUNCATED') && seen.has('CORRUPT'), [...seen].join(', ')).toBe(true);
  });

  it('.npy (v1 and a long shape)', () => {
    const small = npy.write({ dtype: 'float32', shape: [2, 3], data: floats(6) });
    const wide = npy.write({ dtype: 'uint16', shape: [2, 1, 3, 1, 2], data: Uint16Array.from({ length: 12 }, (_, i) => i) });
    for (const [name, file] of [['f32', small], ['u16', wide]] as const) {
      const seen = damage((b) => ({ x: npy.read(b) }), file, `.npy ${name}`);
      expect(seen.has('OK') && seen.has('TRUNCATED') && seen.has('CORRUPT'), [...seen].join(', ')).toBe(true);
    }
  });

  it('GGUF (metadata, an F32 tensor and a Q8_0 block)', () => {
    const q8 = new Uint8Array(34);
    q8.set([0x00, 0x3c]); // scale 1.0 as float16
    for (let i = 0; i < 32; i++) q8[2 + i] = (i * 7) & 0xff;
    const kv: [string, number, (b: GgufBuilder) => void][] = [
      ['general.architecture', 8, (b) => b.writeString('tiny')],
      ['tiny.block_count', 4, (b) => b.writeU32(2)],
    ];
    const file = new GgufBuilder().build(kv, [
      { name: 'w', dims: [3, 2], type: 0, data: new Uint8Array(floats(6).buffer) },
      { name: 'q', dims: [32], type: 8, data: q8 },
    ]);
    const seen = damage((b) => gguf.read(b).tensors, file, 'GGUF');
    expect(seen.has('OK') && seen.has('TRUNCATED') && seen.has('CORRUPT'), [...seen].join(', ')).toBe(true);
  });
});
