import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Blosc from 'numcodecs/blosc';
import { BUILDS, equalBytes, hexBytes, scalarEngine, simdEngine } from './helpers/engines';
import { floatWeights, incompressible, random } from './helpers/data';
import { expectError } from './helpers/errors';
import { referenceBitshuffle, referenceShuffle } from './reference/shuffle';

const TYPESIZES = Array.from({ length: 16 }, (_, i) => i + 1);
// Around SIMD steps (16 elements), bit-plane bytes (8 elements) and the 256 KiB slices the facade moves.
const LENGTHS = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 100, 127, 128, 129, 1000, 4099, 262_144, 262_160, 300_007];

describe.each(BUILDS)('shuffle filters (%s build)', (_, { shuffle, lz4 }) => {
  it('gives the byte layouts of the research notes (A6.1, A6.2)', () => {
    expect(shuffle.shuffle(new Float32Array([1, 2, -0.5]), 4)).toEqual(hexBytes('00 00 00 00 00 00 80 00 00 3F 40 BF'));
    expect(shuffle.shuffle(new Uint16Array([0x3c00, 0x4000, 0xb800, 0x7bff]), 2)).toEqual(hexBytes('00 00 00 FF 3C 40 B8 7B'));
    const bits = shuffle.bitshuffle(Uint16Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2);
    expect(bits).toEqual(Uint8Array.from([0xaa, 0xcc, 0xf0, ...new Array(13).fill(0)]));
  });

  it.each(TYPESIZES)('byte shuffle, typesize %i: the reference layout at every length, and back', (typesize) => {
    for (const length of LENGTHS) {
      const data = incompressible(length, typesize * 1000 + length);
      const planes = shuffle.shuffle(data, typesize);
      if (!equalBytes(planes, referenceShuffle(data, typesize))) expect.fail(`typesize ${typesize}, ${length} bytes`);
      if (!equalBytes(shuffle.unshuffle(planes, typesize), data)) expect.fail(`unshuffle: typesize ${typesize}, ${length} bytes`);
    }
  });

  it.each(TYPESIZES)('bitshuffle, typesize %i: the reference layout at every length, and back', (typesize) => {
    for (const length of LENGTHS) {
      const data = incompressible(length, typesize * 7000 + length);
      const planes = shuffle.bitshuffle(data, typesize);
      if (!equalBytes(planes, referenceBitshuffle(data, typesize))) expect.fail(`typesize ${typesize}, ${length} bytes`);
      if (!equalBytes(shuffle.bitunshuffle(planes, typesize), data)) expect.fail(`bitunshuffle: typesize ${typesize}, ${length} bytes`);
    }
  });

  it('round-trips any bytes, typesize and length (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 16 }), (data, typesize) => {
      expect(shuffle.unshuffle(shuffle.shuffle(data, typesize), typesize)).toEqual(data);
      expect(shuffle.bitunshuffle(shuffle.bitshuffle(data, typesize), typesize)).toEqual(data);
    }), { numRuns: 300 });
  });

  it('reads any ArrayBufferView or ArrayBuffer as bytes', () => {
    const floats = new Float32Array([1, 2, -0.5]);
    const expected = shuffle.shuffle(new Uint8Array(floats.buffer), 4);
    expect(shuffle.shuffle(floats.buffer, 4)).toEqual(expected);
    expect(shuffle.shuffle(new DataView(floats.buffer), 4)).toEqual(expected);
  });

  it('makes float32 weights compressible for LZ4', () => {
    const weights = floatWeights(65536);
    const plain = lz4.compressBlock(weights).length;
    const shuffled = lz4.compressBlock(shuffle.shuffle(weights, 4)).length;
    expect(shuffled).toBeLessThan(plain * 0.97);
  });

  it('refuses a typesize outside 1–16 and data that is not bytes', () => {
    for (const typesize of [0, 17, 1.5, -1, NaN]) {
      expectError(() => shuffle.shuffle(new Uint8Array(8), typesize), 'ARGUMENT');
      expectError(() => shuffle.bitunshuffle(new Uint8Array(8), typesize), 'ARGUMENT');
    }
    expectError(() => shuffle.shuffle('bytes' as never, 4), 'ARGUMENT');
  });
});

it('the SIMD and scalar builds produce identical bytes', () => {
  const next = random(11);
  for (let round = 0; round < 40; round++) {
    const data = incompressible(Math.floor(next() * 5000), round);
    const typesize = 1 + Math.floor(next() * 16);
    expect(simdEngine.shuffle.shuffle(data, typesize)).toEqual(scalarEngine.shuffle.shuffle(data, typesize));
    expect(simdEngine.shuffle.bitshuffle(data, typesize)).toEqual(scalarEngine.shuffle.bitshuffle(data, typesize));
  }
});

describe('against numcodecs.js Blosc (c-blosc 1, lz4, typesize 4)', () => {
  /** Decodes a Blosc1 chunk with our LZ4 and unshuffle: 16-byte header, block starts, per block `splits` streams. */
  function decodeBlosc(chunk: Uint8Array, unshuffle: (block: Uint8Array) => Uint8Array): Uint8Array {
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const [flags, typesize] = [chunk[2], chunk[3]];
    const nbytes = view.getUint32(4, true);
    const blocksize = view.getUint32(8, true);
    expect(flags >> 5, 'codec: lz4').toBe(1);
    expect(flags & 2, 'not memcpyed').toBe(0);
    const out = new Uint8Array(nbytes);
    const blocks = Math.ceil(nbytes / blocksize);
    for (let b = 0; b < blocks; b++) {
      const size = Math.min(blocksize, nbytes - b * blocksize);
      const leftover = size < blocksize;
      const splits = (flags & 0x10) === 0 && typesize <= 16 && size / typesize >= 128 && !leftover ? typesize : 1;
      let at = view.getInt32(16 + 4 * b, true);
      const parts: Uint8Array[] = [];
      for (let s = 0; s < splits; s++) {
        const csize = view.getInt32(at, true);
        const stream = chunk.subarray(at + 4, at + 4 + csize);
        parts.push(csize === size / splits ? stream : simdEngine.lz4.decompressBlock(stream, { outputSize: size / splits }));
        at += 4 + csize;
      }
      const block = new Uint8Array(size);
      parts.reduce((o, p) => (block.set(p, o), o + p.length), 0);
      out.set(unshuffle(block), b * blocksize);
    }
    return out;
  }

  it('our unshuffle undoes Blosc byte shuffle', async () => {
    const data = floatWeights(150_000);
    const chunk = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 }).encode(data);
    expect(chunk[2] & 1, 'byte shuffle flag').toBe(1);
    expect(decodeBlosc(chunk, (block) => simdEngine.shuffle.unshuffle(block, 4))).toEqual(data);
  });

  it('our bitunshuffle undoes Blosc bitshuffle (whole blocks of 8·k elements)', async () => {
    const data = floatWeights(150_000);
    const chunk = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 2, blocksize: 0 }).encode(data);
    expect(chunk[2] & 4, 'bitshuffle flag').toBe(4);
    expect(decodeBlosc(chunk, (block) => simdEngine.shuffle.bitunshuffle(block, 4))).toEqual(data);
  });
});
