// pack() given codes quantized elsewhere ({ quantized }: GGUF blocks, float16 halves) stores them as they are, and
// gguf.read(bytes, { codes: true }) hands GGUF tensors over in that form. Values are checked against the reference
// decoders written from the GGML and IEEE specs.
import { describe, expect, it } from 'vitest';
import { BUILDS } from './helpers/engines';
import { random } from './helpers/data';
import { GgufBuilder } from './helpers/gguf-builder';
import { referenceDecodeQ4_0, referenceDecodeQ4_1, referenceDecodeQ4_K, referenceDecodeQ8_0, referenceEncodeQ4_0, referenceEncodeQ4_1, referenceEncodeQ8_0 } from './reference/ggml';
import { floatOf, referenceDecodeFloat16 } from './reference/float16';
import { isTensorzipError, type QuantDtype } from '../src/index';

const next = random(5);
const x = Float32Array.from({ length: 512 }, () => (next() - 0.5) * 2);
const halves = Uint16Array.from({ length: 512 }, () => Math.floor(next() * 0x7bff)); // finite, positive
const bfloats = Uint16Array.from(x, (v) => new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16);
const q4k = Uint8Array.from({ length: 144 * 2 }, () => Math.floor(next() * 256));
for (const b of [0, 144]) q4k.set([0x00, 0x2c, 0x66, 0x2e], b); // finite d, dmin

const CASES: { dtype: QuantDtype; data: Uint8Array | Uint16Array; expected: Float32Array }[] = [
  { dtype: 'float16', data: halves, expected: Float32Array.from(halves, (h) => floatOf(referenceDecodeFloat16(h))) },
  { dtype: 'bfloat16', data: bfloats, expected: new Float32Array(Uint32Array.from(bfloats, (h) => h << 16).buffer) },
  { dtype: 'q8_0', data: referenceEncodeQ8_0(x), expected: referenceDecodeQ8_0(referenceEncodeQ8_0(x)) },
  { dtype: 'q4_0', data: referenceEncodeQ4_0(x), expected: referenceDecodeQ4_0(referenceEncodeQ4_0(x)) },
  { dtype: 'q4_1', data: referenceEncodeQ4_1(x), expected: referenceDecodeQ4_1(referenceEncodeQ4_1(x)) },
  { dtype: 'q4_k', data: q4k, expected: referenceDecodeQ4_K(q4k) },
];
const quantized = (dtype: QuantDtype, data: Uint8Array | Uint16Array, shape = [2, 256]) => ({ quantized: { dtype, shape, data, scale: null, zeroPoint: null, axis: null, blockSize: null } });

describe.each(BUILDS)('pre-quantized tensors (%s build)', (_, { pack, open, gguf }) => {
  it('pack stores float16, bfloat16 and GGML codes as they are; get decodes them as the reference does', async () => {
    const tensors = Object.fromEntries(CASES.map((c) => [c.dtype, quantized(c.dtype, c.data)]));
    const archive = await open(await pack(tensors, { chunkBytes: 4096 }));
    for (const c of CASES) {
      const info = archive.tensors.find((t) => t.name === c.dtype)!;
      expect(info.storedDtype, c.dtype).toBe(c.dtype);
      expect(info.stats, c.dtype).toBeNull();
      const t = await archive.get(c.dtype);
      expect(t.dtype).toBe('float32');
      expect(t.shape).toEqual([2, 256]);
      expect(t.data, c.dtype).toEqual(c.expected);
    }
  });

  it('refuses codes it cannot store as they are: ARGUMENT naming the tensor', async () => {
    const refused: [ReturnType<typeof quantized>, RegExp][] = [
      [quantized('int8', new Uint8Array(512)), /"int8".*accepted: float16/], // affine: needs scales laid out by quant.quantize
      [quantized('q4_0', new Uint8Array(18 * 16 - 1)), /q4_0 codes .* 288 bytes/], // one byte short
      [quantized('float16', new Uint8Array(1024)), /Uint16Array of 1024 bytes/], // halves must be a Uint16Array
      [quantized('q8_0', new Uint8Array(34), [1, 16]), /blocks of 32 values do not tile the last dimension \(16\)/],
    ];
    for (const [i, [t, message]] of refused.entries()) {
      const err = await pack({ [`t${i}`]: t }).catch((e: unknown) => e);
      expect(isTensorzipError(err, 'ARGUMENT'), String(err)).toBe(true);
      expect((err as Error).message).toContain(`"t${i}"`);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('gguf.read refuses arrays nested past its depth limit with CORRUPT, however deep (no stack overflow)', () => {
    const depth = 50_000;
    const nested = new Uint8Array(depth * 12 + 12);
    const view = new DataView(nested.buffer);
    for (let i = 0; i < depth; i++) { view.setUint32(i * 12, 9, true); view.setBigUint64(i * 12 + 4, 1n, true); }
    view.setUint32(depth * 12, 4, true); // innermost: an empty uint32 array
    const file = new GgufBuilder().build([['deep', 9, (b) => b.writeBytes(nested)]], []);
    let err: unknown;
    try { gguf.read(file); } catch (e) { err = e; }
    expect(isTensorzipError(err, 'CORRUPT'), String(err)).toBe(true);
  });

  it('gguf.read(bytes, { codes: true }) gives codes that pack keeps, and the type of each metadata value', async () => {
    const bytesOf = (a: Uint8Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const types = { float16: 1, bfloat16: 30, q8_0: 8, q4_0: 2, q4_1: 3, q4_k: 12 } as Record<string, number>;
    const file = new GgufBuilder().build(
      [['general.architecture', 8, (b) => b.writeString('llama')], ['general.quantization_version', 4, (b) => b.writeU32(2)]],
      [...CASES.map((c) => ({ name: c.dtype, dims: [256, 2], type: types[c.dtype], data: bytesOf(c.data) })),
        { name: 'f32', dims: [2], type: 0, data: bytesOf(new Uint8Array(Float32Array.of(1.5, -2).buffer)) }],
    );
    const read = gguf.read(file, { codes: true });
    expect(read.metadataTypes).toEqual({ 'general.architecture': 'string', 'general.quantization_version': 'uint32' });
    expect(read.tensors.f32).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2) });
    const archive = await open(await pack(read.tensors));
    for (const c of CASES) {
      expect(read.tensors[c.dtype], c.dtype).toMatchObject({ quantized: { dtype: c.dtype, shape: [2, 256] } });
      expect(archive.tensors.find((t) => t.name === c.dtype)!.storedDtype).toBe(c.dtype);
      expect((await archive.get(c.dtype)).data, c.dtype).toEqual(c.expected);
    }
  });
});
