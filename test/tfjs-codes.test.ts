// Format 1.1's stored types tfjs_uint8 and tfjs_uint16 (docs/FORMAT.md, Stored types): TF.js-quantized weights
// packed as their codes with the manifest's float64 scale and min, decoded to q · scale + min in float64 rounded
// once to float32 — checked against the plain formula — and hostile parameter blocks refused as CORRUPT.
import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** tfjs-core's decodeWeight, written out: JavaScript numbers (float64) stored to a Float32Array. */
const tfjsFormula = (codes: ArrayLike<number>, scale: number, min: number) => Float32Array.from(codes, (q) => q * scale + min);

/** A file with one tfjs_* tensor whose parameter block and codes are given as they are. */
function tfjsFile(dtype: 'tfjs_uint8' | 'tfjs_uint16', params: Uint8Array, codes: Uint8Array, count: number): Uint8Array {
  const data = new Uint8Array(64 + codes.length);
  data.set(params);
  data.set(codes, 64);
  return tzipFile((at: number) => ({
    tensors: [tensorEntry('w', 'float32', [count], [[at + 64, codes.length, referenceXxh32(codes)]], {
      stored: { dtype, axis: null, blockSize: null, params: [at, params.length, referenceXxh32(params)] },
    })],
  }), data);
}

/** Expects `run` to reject with a TensorzipError of `code`. */
async function expectError(run: () => Promise<unknown>, code: string): Promise<void> {
  await expect(run()).rejects.toMatchObject({ name: 'TensorzipError', code });
}

const float64Block = (...values: number[]) => bytesOf(new Float64Array(values));

describe.each(BUILDS)('TF.js codes in a .tzip (%s build)', (_, engine) => {
  const { pack, open } = engine;
  const scale = 0.0057930146946626555; // face_expression_model's first weight
  const min = -0.7125408074435067;

  it('uint8 and uint16 codes round-trip: stored as tfjs_*, codes given back, values as the formula gives them', async () => {
    const u8 = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 9)) & 255);
    const u16 = Uint16Array.from({ length: 50_000 }, (_, i) => (i * 977 + (i >> 3)) & 0xffff);
    const file = await pack({
      a: { quantized: { dtype: 'tfjs_uint8', shape: [70, 1000], data: u8, scale, min } },
      b: { quantized: { dtype: 'tfjs_uint16', shape: [50_000], data: u16, scale: 1.7e-5, min: -0.31 } },
    }, { chunkBytes: 64 * 1024 });
    const archive = await open(file);
    expect(archive.tensors.map((t) => [t.name, t.dtype, t.storedDtype, t.storedAxis, t.stats])).toEqual([
      ['a', 'float32', 'tfjs_uint8', null, null], ['b', 'float32', 'tfjs_uint16', null, null],
    ]);
    const a = await archive.get('a');
    expect(a.shape).toEqual([70, 1000]);
    expect(equalBytes(bytesOf(a.data), bytesOf(tfjsFormula(u8, scale, min)))).toBe(true);
    expect(equalBytes(bytesOf((await archive.get('b')).data), bytesOf(tfjsFormula(u16, 1.7e-5, -0.31)))).toBe(true);
    const codes = await archive.getCodes('b');
    expect(codes.quantized).toMatchObject({ dtype: 'tfjs_uint16', shape: [50_000], scale: 1.7e-5, min: -0.31 });
    expect(codes.quantized.data).toBeInstanceOf(Uint16Array);
    expect(equalBytes(bytesOf(codes.quantized.data), bytesOf(u16))).toBe(true);
    // The codes pack again to the same file, and a streaming writer stores them the same way.
    expect(equalBytes(await pack({ a: (await archive.getCodes('a')), b: codes }, { chunkBytes: 64 * 1024 }), file)).toBe(true);
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (p: Uint8Array) => void parts.push(p.slice()) }, { chunkBytes: 64 * 1024 });
    await writer.add('b', codes);
    await writer.finish();
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (whole.set(p, at), at + p.length), 0);
    const streamed = await open(whole);
    expect(streamed.tensors[0].storedDtype).toBe('tfjs_uint16');
    expect(equalBytes(bytesOf((await streamed.get('b')).data), bytesOf(tfjsFormula(u16, 1.7e-5, -0.31)))).toBe(true);
  });

  it('the parameter block holds scale and min as float64 exactly', async () => {
    const file = await pack({ w: { quantized: { dtype: 'tfjs_uint8', shape: [4], data: new Uint8Array([0, 1, 2, 255]), scale, min } } });
    const text = new TextDecoder().decode(file.subarray(32, new DataView(file.buffer).getUint32(16, true) + 32));
    const [offset, length] = JSON.parse(text).tensors[0].stored.params;
    expect(length).toBe(16);
    expect(Array.from(new Float64Array(file.slice(offset, offset + 16).buffer))).toEqual([scale, min]);
  });

  it('pack refuses codes of the wrong array type or length, and a scale or min that is not finite (ARGUMENT)', async () => {
    const codes = new Uint8Array(6);
    await expect(pack({ w: { quantized: { dtype: 'tfjs_uint8', shape: [6], data: codes, scale, min } } })).resolves.toBeInstanceOf(Uint8Array);
    for (const q of [
      { dtype: 'tfjs_uint8', shape: [6], data: new Uint16Array(6), scale, min },
      { dtype: 'tfjs_uint16', shape: [6], data: codes, scale, min },
      { dtype: 'tfjs_uint8', shape: [7], data: codes, scale, min },
      { dtype: 'tfjs_uint8', shape: [6], data: codes, scale: NaN, min },
      { dtype: 'tfjs_uint8', shape: [6], data: codes, scale, min: Infinity },
      { dtype: 'tfjs_uint8', shape: [6], data: codes, scale: '0.1', min },
    ]) {
      await expectError(() => pack({ w: { quantized: q as never } }), 'ARGUMENT');
    }
  });

  it('a hand-built file decodes; a parameter block of the wrong length, or a NaN / Inf scale or min, is CORRUPT', async () => {
    const codes = new Uint8Array([0, 1, 2, 3, 128, 254, 255, 7]);
    const good = tfjsFile('tfjs_uint8', float64Block(scale, min), codes, 8);
    expect(equalBytes(bytesOf((await (await open(good)).get('w')).data), bytesOf(tfjsFormula(codes, scale, min)))).toBe(true);
    const wide = new Uint8Array([1, 0, 255, 255, 0, 128, 7, 0]);
    expect(Array.from((await (await open(tfjsFile('tfjs_uint16', float64Block(0.5, -2), wide, 4))).get('w')).data as Float32Array))
      .toEqual([-1.5, 65535 * 0.5 - 2, 32768 * 0.5 - 2, 1.5]);
    for (const params of [float64Block(scale), float64Block(scale, min, 0), new Uint8Array(15), float64Block(NaN, min),
      float64Block(scale, NaN), float64Block(Infinity, min), float64Block(scale, -Infinity)]) {
      await expectError(async () => (await open(tfjsFile('tfjs_uint8', params, codes, 8))).get('w'), 'CORRUPT');
    }
    // No parameter block, or an axis: CORRUPT at open, as a block of the wrong length is.
    await expectError(() => open(tzipFile((at: number) => ({ tensors: [tensorEntry('w', 'float32', [8], [[at, 8, referenceXxh32(codes)]], { stored: { dtype: 'tfjs_uint8', axis: null, blockSize: null, params: null } })] }), codes)), 'CORRUPT');
    const withAxis = tzipFile((at: number) => ({
      tensors: [tensorEntry('w', 'float32', [8], [[at + 64, 8, referenceXxh32(codes)]], { stored: { dtype: 'tfjs_uint8', axis: 0, blockSize: null, params: [at, 16, referenceXxh32(float64Block(scale, min))] } })],
    }), (() => { const d = new Uint8Array(72); d.set(float64Block(scale, min)); d.set(codes, 64); return d; })());
    await expectError(() => open(withAxis), 'CORRUPT');
    // An odd number of bytes for uint16 codes.
    await expectError(async () => (await open(tfjsFile('tfjs_uint16', float64Block(scale, min), codes.subarray(0, 7), 4))).get('w'), 'CORRUPT');
  });

  it('getCodes decodes into the out array given (its bytes, viewed by data); an out of the wrong size or an odd offset for 16-bit codes is ARGUMENT', async () => {
    const u8 = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + (i >> 4)) & 255);
    const u16 = Uint16Array.from({ length: 2000 }, (_, i) => (i * 977) & 0xffff);
    const archive = await open(await pack({
      a: { quantized: { dtype: 'tfjs_uint8', shape: [3000], data: u8, scale, min } },
      b: { quantized: { dtype: 'tfjs_uint16', shape: [2000], data: u16, scale: 1.7e-5, min: -0.31 } },
    }));
    const buffer = new Uint8Array(1 + 3000 + 1 + 4000);
    const a = await archive.getCodes('a', { out: buffer.subarray(1, 3001) });
    const b = await archive.getCodes('b', { out: buffer.subarray(3002) });
    expect(equalBytes(buffer.subarray(1, 3001), u8)).toBe(true);
    expect(equalBytes(buffer.subarray(3002), bytesOf(u16))).toBe(true);
    expect(a.quantized.data.buffer).toBe(buffer.buffer);
    expect(b.quantized.data.buffer).toBe(buffer.buffer);
    expect(b.quantized).toMatchObject({ dtype: 'tfjs_uint16', scale: 1.7e-5, min: -0.31 });
    await expectError(() => archive.getCodes('a', { out: new Uint8Array(2999) }), 'ARGUMENT');
    await expectError(() => archive.getCodes('b', { out: buffer.subarray(3001, 7001) }), 'ARGUMENT');
  });

  it('getCodes refuses tensors that are not stored as codes pack() takes (ARGUMENT)', async () => {
    const archive = await open(await pack({ plain: { dtype: 'float32', shape: [2048, 2], data: Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i)) } }, { quantize: 'int8' }));
    expect(archive.tensors[0].storedDtype).toBe('int8');
    await expectError(() => archive.getCodes('plain'), 'ARGUMENT');
    await expectError(() => archive.getCodes('missing'), 'ARGUMENT');
  });
});
