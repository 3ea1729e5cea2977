import { describe, expect, it } from 'vitest';
import { createArena, type Arena, type Engine, type QuantizedInput } from '../src/index';
import { BUILDS } from './helpers/engines';
import { floatWeights, random } from './helpers/data';
import { expectError } from './helpers/errors';
import { referenceDecodeFloat16 } from './reference/float16';
import { referenceDecodeQ4_0 } from './reference/ggml';

const MiB = 1024 * 1024;

/** float32 bit patterns, so that NaN payloads and −0 compare exactly. */
const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectSameFloats(found: Float32Array, expected: Float32Array): void {
  expect(found.length).toBe(expected.length);
  const f = bitsOf(found);
  const e = bitsOf(expected);
  for (let i = 0; i < e.length; i++) if (f[i] !== e[i]) expect(`[${i}] ${f[i].toString(16)}`).toBe(`[${i}] ${e[i].toString(16)}`);
}

const ceil16 = (n: number) => Math.ceil(n / 16) * 16;

/** Every arena decoder on inputs that span several working chunks, with the engine's own decoder beside it. */
function decoderCases(engine: Engine): [string, (a: Arena['quant'] | Engine['quant']) => Float32Array][] {
  const count = 160_001; // several passes of every chunked loop, and a ragged end
  const weights = new Float32Array(floatWeights(count, 11).buffer);
  const next = random(5);
  const halves = Uint16Array.from({ length: count }, () => (next() * 65536) | 0);
  const bytes = Uint8Array.from({ length: count }, () => (next() * 256) | 0);
  const quantized = (dtype: string, options: object = {}): QuantizedInput =>
    engine.quant.quantize(weights.subarray(0, 160_000), { dtype: dtype as never, shape: [250, 640], ...options });
  const int8PerRow = quantized('int8', { axis: 0 });
  const uint8Tensor = quantized('uint8');
  const int4Blocks = quantized('int4', { axis: 1, blockSize: 64 });
  const fineBlocks = quantized('int8', { axis: 1, blockSize: 2 }); // more parameters than are staged at once
  const q4 = quantized('q4_0');
  const q8 = quantized('q8_0');
  const fp8 = quantized('float8e4m3fn');
  return [
    ['dequantize int8 per row', (q) => q.dequantize(int8PerRow)],
    ['dequantize uint8 per tensor', (q) => q.dequantize(uint8Tensor)],
    ['dequantize int4 in blocks', (q) => q.dequantize(int4Blocks)],
    ['dequantize int8 in blocks of 2', (q) => q.dequantize(fineBlocks)],
    ['dequantize q4_0', (q) => q.dequantize(q4)],
    ['dequantize q8_0', (q) => q.dequantize(q8)],
    ['dequantize float8e4m3fn', (q) => q.dequantize(fp8)],
    ['decodeFloat16', (q) => q.decodeFloat16(halves)],
    ['decodeBfloat16', (q) => q.decodeBfloat16(halves)],
    ['decodeFp8E4M3', (q) => q.decodeFp8E4M3(bytes)],
    ['decodeFp8E5M2', (q) => q.decodeFp8E5M2(bytes)],
    ['decodeTfjsWeight uint8', (q) => q.decodeTfjsWeight(bytes, { dtype: 'uint8', scale: 0.004, min: -0.5 })],
    ['decodeTfjsWeight uint16', (q) => q.decodeTfjsWeight(halves, { dtype: 'uint16', scale: 1e-5, min: -0.3 })],
    ['decodeTfjsWeight float16', (q) => q.decodeTfjsWeight(halves, { dtype: 'float16' })],
  ];
}

describe.each(BUILDS)('arena (%s build)', (name, engine) => {
  const simd = name === 'simd';

  it('every decoder gives the engine\'s exact values, in the arena\'s memory, and counts the bytes it takes', async () => {
    const arena = await createArena({ bytes: 32 * MiB, simd });
    expect(arena.simd).toBe(simd);
    let used = 0;
    let memory: ArrayBufferLike | undefined;
    for (const [what, decode] of decoderCases(engine)) {
      const result = decode(arena.quant);
      expectSameFloats(result, decode(engine.quant));
      memory ??= result.buffer;
      expect(result.buffer, what).toBe(memory);
      used += ceil16(result.byteLength);
      expect(arena.used, what).toBe(used);
    }
    expect(memory!.byteLength).toBeGreaterThanOrEqual(32 * MiB);
  });

  it('decodes every float16 code as the reference does, and dequantizes GGML blocks as the reference does', async () => {
    const arena = await createArena({ bytes: 2 * MiB, simd });
    const codes = Uint16Array.from({ length: 65536 }, (_, i) => (i * 40503) & 0xffff); // every code, shuffled
    const decoded = arena.quant.decodeFloat16(codes);
    const expected = new Float32Array(Uint32Array.from(codes, (c) => referenceDecodeFloat16(c) >>> 0).buffer);
    expectSameFloats(decoded, expected);
    const q = engine.quant.quantize(new Float32Array(floatWeights(4096, 2).buffer), { dtype: 'q4_0' });
    expectSameFloats(arena.quant.dequantize(q), referenceDecodeQ4_0(q.data as Uint8Array));
  });

  it('reset() frees the space and detaches every result handed out, so none reads as later data', async () => {
    const arena = await createArena({ bytes: 1024, simd });
    const first = arena.quant.decodeFloat16(new Uint16Array(100).fill(0x3c00));
    const second = arena.quant.decodeBfloat16(new Uint16Array(50).fill(0x4000));
    expect([first[99], second[49], arena.used]).toEqual([1, 2, 400 + 208]);
    arena.reset();
    expect([first.length, second.length, first[0], arena.used]).toEqual([0, 0, undefined, 0]);
    const third = arena.quant.decodeFloat16(new Uint16Array(250).fill(0xc000));
    expect([third.length, third[0], third[249], arena.used]).toEqual([250, -2, -2, 1008]);
  });

  it('a result that does not fit throws LIMIT and takes nothing; a failed call gives back what it took', async () => {
    const arena = await createArena({ bytes: 1008, simd });
    arena.quant.decodeFloat16(new Uint16Array(100));
    const error = expectError(() => arena.quant.decodeFloat16(new Uint16Array(200)), 'LIMIT');
    expect(error.message).toMatch(/800-byte result .* 608 of 1008 bytes are left/);
    expect(arena.used).toBe(400);
    // A Q8_0 block whose float16 scale is Inf: the kernel reports it after the result was taken.
    const block = new Uint8Array(34);
    block[1] = 0x7c;
    expectError(() => arena.quant.dequantize({ dtype: 'q8_0', shape: [32], data: block, scale: null, zeroPoint: null,
      axis: null, blockSize: null }), 'CORRUPT');
    expectError(() => arena.quant.dequantize({ dtype: 'int8', shape: [10], data: new Int8Array(10), scale: Float32Array.of(0),
      zeroPoint: null, axis: null, blockSize: null }), 'ARGUMENT');
    expect(arena.used).toBe(400);
    expect(arena.quant.decodeFloat16(new Uint16Array(150)).length).toBe(150); // 600 bytes, 608 aligned
    expect(arena.used).toBe(1008);
  });

  it('writes into an `out` array instead when one is given, in the arena (in place) or outside it', async () => {
    const arena = await createArena({ bytes: 4 * MiB, simd });
    const q = engine.quant.quantize(new Float32Array(floatWeights(100_000, 4).buffer), { dtype: 'int8', shape: [100, 1000], axis: 0 });
    const expected = engine.quant.dequantize(q);
    const outside = new Float32Array(100_000);
    expect(arena.quant.dequantize(q, outside)).toBe(outside);
    expectSameFloats(outside, expected);
    expect(arena.used).toBe(0);
    const inside = arena.quant.decodeFloat16(new Uint16Array(100_000)); // zeros
    expect(arena.quant.dequantize(q, inside)).toBe(inside);
    expectSameFloats(inside, expected);
    expect(arena.used).toBe(400_000);
  });

  it('a per-element scale layout with an output to copy to fits the working space', async () => {
    const arena = await createArena({ bytes: 16, simd });
    const values = new Float32Array(floatWeights(300_000, 6).buffer);
    const q = engine.quant.quantize(values, { dtype: 'int8', blockSize: 1 }); // 300,000 scales, staged per window
    const out = new Float32Array(300_000);
    arena.quant.dequantize(q, out);
    expectSameFloats(out, engine.quant.dequantize(q));
  });
});

it('createArena refuses a capacity that is not a whole number of bytes ≥ 1, and one past 4 GiB', async () => {
  expect((await createArena({ bytes: 1000 })).capacity).toBe(1008); // results are aligned to 16: a 1000-byte one fits
  for (const bytes of [0, -1, 1.5, Number.NaN, undefined, '1024']) {
    let thrown: unknown;
    await createArena({ bytes } as never).catch((err) => (thrown = err));
    expect((thrown as { code?: string })?.code, String(bytes)).toBe('ARGUMENT');
  }
  let thrown: unknown;
  await createArena({ bytes: 2 ** 33 }).catch((err) => (thrown = err));
  expect((thrown as { code?: string })?.code).toBe('LIMIT');
});
