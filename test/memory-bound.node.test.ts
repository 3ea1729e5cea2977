// Issue 18 item 4: every decoder checks the sizes a header declares against the bytes it was given before it
// allocates anything. Each input here is under 1 KB and declares up to gigabytes; each must be refused with a typed
// error while process memory stays within 16 MiB of where it was and WebAssembly memory does not grow.
import { beforeEach, describe, expect, it } from 'vitest';
import { createEngine, createArena, type Arena, type Engine, type QuantizedInput } from '../src/index';
import { expectBoundedAllocation } from './helpers/memory-bound';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';

let engine: Engine;
let arena: Arena;

// A fresh engine per case, so one case's growth of WebAssembly memory does not hide the next one's.
beforeEach(async () => {
  engine = await createEngine();
  arena = await createArena({ bytes: 1 << 20 });
  // A real decode first: the WebAssembly memory an ordinary small call needs is there before the measurement.
  const data = Float32Array.from({ length: 65536 }, (_, i) => Math.sin(i));
  const archive = await engine.open(await engine.pack({ w: { dtype: 'float32', shape: [256, 256], data } }, { quantize: 'lossless' }));
  await archive.get('w');
});

/** Runs `call` under expectBoundedAllocation and returns the error code it threw ('none' when it returned). */
async function boundedCode(call: () => unknown): Promise<string> {
  let code = 'none';
  await expectBoundedAllocation(async () => {
    try {
      await call();
    } catch (err) {
      code = (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
    }
  });
  return code;
}

/** A .tzip file with one tensor whose single chunk is `chunk` (checksum right), the entry edited by `edit`. */
function oneChunkFile(chunk: Uint8Array, edit: Record<string, unknown>, dtype = 'float32', shape = [2 ** 29]): Uint8Array {
  return tzipFile((at: number) => ({ tensors: [tensorEntry('t', dtype, shape, [[at, chunk.length, referenceXxh32(chunk)]], edit)] }), chunk);
}

const openAndGet = async (file: Uint8Array) => (await engine.open(file)).get('t');

describe('hostile headers allocate nothing out of proportion (inputs under 1 KB)', () => {
  describe('container open + get', () => {
    const cases: [string, Uint8Array, string][] = [
      ['a [2^29] float32 tensor stored as 64 plain bytes', oneChunkFile(new Uint8Array(64), {}), 'CORRUPT'],
      ['a [2^29] float32 tensor in a 64-byte LZ4 chunk', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'lz4' }] }), 'CORRUPT'],
      ['a [2^29] float32 tensor behind LZ4 twice (255² per byte)', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'lz4' }, { codec: 'lz4' }] }), 'CORRUPT'],
      ['a [2^29] float32 tensor behind shuffle + LZ4', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }] }), 'CORRUPT'],
      ['a [2^28] float32 tensor as a 64-byte bitmask chunk', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'sparse', format: 'bitmask', width: 4 }] }, 'float32', [2 ** 28]), 'CORRUPT'],
      ['a [2^28] float32 tensor as a 64-byte CSR chunk', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'sparse', format: 'csr', width: 4 }] }, 'float32', [2 ** 28]), 'CORRUPT'],
      ['a [2^29] tensor stored as float16 in 64 bytes', oneChunkFile(new Uint8Array(64), { stored: { dtype: 'float16', axis: null, blockSize: null, params: null } }), 'CORRUPT'],
      ['a [2^26] tensor stored as q4_0 blocks in 64 bytes', oneChunkFile(new Uint8Array(64), { stored: { dtype: 'q4_0', axis: null, blockSize: null, params: null } }, 'float32', [2 ** 26]), 'CORRUPT'],
      ['a [2^29] float32 tensor in a 64-byte huffman chunk (255 per byte, as LZ4)', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'huffman', planes: 1 }] }), 'CORRUPT'],
      ['a [2^29] float32 tensor behind palette + huffman (4 × 255 per byte)', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'palette', width: 4 }, { codec: 'huffman', planes: 1 }] }), 'CORRUPT'],
      ['a [2^31 − 1] uint8 tensor as a 6-byte huffman run', oneChunkFile(Uint8Array.of(1, 0xff, 0xff, 0xff, 0x7f, 0), { pipeline: [{ codec: 'huffman', planes: 1 }] }, 'uint8', [2 ** 31 - 1]), 'CORRUPT'],
      ['a [2^28] uint8 tensor, 2^28 chunk elements in a 64-byte LZ4 chunk', oneChunkFile(new Uint8Array(64), { pipeline: [{ codec: 'lz4' }] }, 'uint8', [2 ** 28]), 'CORRUPT'],
    ];
    it.each(cases)('%s', async (_, file, code) => {
      expect(file.length).toBeLessThan(1024);
      expect(await boundedCode(() => openAndGet(file))).toBe(code);
    });
  });

  describe('sparse.unpack', () => {
    /** A sparse.pack header (docs in src/codecs/sparse/header.ts) for `shape` float32 with `nnz`, then `payload`. */
    const packed = (format: number, shape: number[], nnz: number, payload: number[]) => {
      const bytes = new Uint8Array(12 + 4 * shape.length + payload.length);
      const view = new DataView(bytes.buffer);
      bytes.set([0x54, 0x5a, 0x53, 0x50, 1, format, 1, shape.length]);
      view.setUint32(8, nnz, true);
      shape.forEach((d, i) => view.setUint32(12 + 4 * i, d, true));
      bytes.set(payload, 12 + 4 * shape.length);
      return bytes;
    };
    const cases: [string, Uint8Array, string][] = [
      ['dense [2^26] with 4 bytes', packed(0, [2 ** 26], 0, [1, 2, 3, 4]), 'TRUNCATED'],
      ['bitmask [2^26] with a 4-byte mask', packed(1, [2 ** 26], 0, [0, 0, 0, 0]), 'TRUNCATED'],
      ['bitmask [2^26] declaring 2^20 non-zeros', packed(1, [2 ** 26], 2 ** 20, [0, 0, 0, 0]), 'TRUNCATED'],
      ['CSR 1 × 2^26 with a column step of 0', packed(2, [1, 2 ** 26], 1, [1, 1, 2, 3, 4, 0]), 'CORRUPT'],
      ['CSR 2^16 × 2^10 with 3 row counts', packed(2, [2 ** 16, 2 ** 10], 0, [0, 0, 0]), 'TRUNCATED'],
      ['CSR 1 × 2^26 declaring 2^20 non-zeros in 6 bytes', packed(2, [1, 2 ** 26], 2 ** 20, [0x80, 0x80, 0x40, 1, 2, 3]), 'TRUNCATED'],
      ['2:4 [2^26] with 4 bytes', packed(3, [2 ** 26], 0, [0, 0, 0, 0]), 'TRUNCATED'],
      ['[65536, 65536]: 2^32 elements', packed(1, [65536, 65536], 0, [0]), 'LIMIT'],
    ];
    it.each(cases)('%s', async (_, bytes, code) => {
      expect(await boundedCode(() => engine.sparse.unpack(bytes, undefined, { maxOutputSize: 2 ** 31 - 1 }))).toBe(code);
    });
    // A valid CSR matrix: 16 rows of 2^20 float32 columns, a 1.0 at column 4 of each (row counts, values, column steps from -1).
    const one = [0, 0, 0x80, 0x3f];
    const sparseRows = packed(2, [16, 2 ** 20], 16, [...Array(16).fill(1), ...Array(16).fill(one).flat(), ...Array(16).fill(5)]);
    it('a valid CSR matrix of 64 MiB in 116 bytes: LIMIT by default, decoded when the caller allows it', async () => {
      expect(await boundedCode(() => engine.sparse.unpack(sparseRows))).toBe('LIMIT');
      const dense = engine.sparse.unpack(sparseRows, undefined, { maxOutputSize: 64 << 20 });
      let nonZeros = 0;
      for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nonZeros++;
      expect([dense.length, dense[4], dense[15 * 2 ** 20 + 4], nonZeros]).toEqual([2 ** 24, 1, 1, 16]);
    });
  });

  describe('quant.dequantize (and an arena\'s) with hostile QuantizedTensor objects', () => {
    const q = (dtype: string, shape: number[], data: ArrayBufferView, scale: Float32Array | null = null): QuantizedInput =>
      ({ dtype, shape, data, scale, zeroPoint: null, axis: null, blockSize: null }) as QuantizedInput;
    const cases: [string, QuantizedInput, string][] = [
      ['int8 [2^30] with 2 codes', q('int8', [2 ** 30], new Int8Array(2), Float32Array.of(1)), 'TRUNCATED'],
      ['int8 [2^31] with 2 codes', q('int8', [2 ** 31], new Int8Array(2), Float32Array.of(1)), 'TRUNCATED'],
      ['uint4 [2^33] with 2 codes', q('uint4', [2 ** 33], new Uint8Array(2), Float32Array.of(1)), 'TRUNCATED'],
      ['int8 [2^30] per axis 0 with 2^30 scales declared and 1 given', { ...q('int8', [2 ** 30], new Int8Array(2), Float32Array.of(1)), axis: 0 }, 'TRUNCATED'],
      ['float16 [2^30] with 2 codes', q('float16', [2 ** 30], new Uint16Array(2)), 'TRUNCATED'],
      ['float8e4m3fn [2^31] with 2 codes', q('float8e4m3fn', [2 ** 31], new Uint8Array(2)), 'TRUNCATED'],
      ['float32 [2^30] with 2 values', q('float32', [2 ** 30], new Float32Array(2)), 'TRUNCATED'],
      ['q8_0 [2^30] with one block', q('q8_0', [2 ** 30], new Uint8Array(34)), 'TRUNCATED'],
      ['q4_k [2^31] with one block', q('q4_k', [2 ** 31], new Uint8Array(144)), 'TRUNCATED'],
    ];
    it.each(cases)('%s', async (_, input, code) => {
      expect(await boundedCode(() => engine.quant.dequantize(input))).toBe(code);
      expect(await boundedCode(() => arena.quant.dequantize(input))).toBe(code);
      expect(arena.used).toBe(0);
    });
  });

  describe('entropy.decode', () => {
    /** A run block (assembly/huffman_format.ts): mode 1, the decoded length n (u32), the byte. */
    const run = (n: number) => Uint8Array.of(1, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24, 7);
    it.each([['2^31 - 1', 2 ** 31 - 1], ['200 MiB', 200 << 20], ['64 MiB', 64 << 20]])('a 6-byte run of %s is LIMIT without maxOutputSize', async (_, n) => {
      expect(await boundedCode(() => engine.entropy.decode(run(n)))).toBe('LIMIT');
    });
    it('a run the caller allows decodes', () => {
      const bytes = engine.entropy.decode(run(64 << 20), { maxOutputSize: 64 << 20 });
      expect([bytes.length, bytes[0], bytes[(64 << 20) - 1]]).toEqual([64 << 20, 7, 7]);
    });
  });

  describe('LZ4', () => {
    // Frame: magic, FLG (version 01, independent blocks, content size), BD (4 MiB blocks), content size, HC, then
    // a block header claiming 4 MiB of compressed data that is not there.
    const frame = (flg: number, contentSize: bigint | null, rest: number[]) => {
      const descriptor = [flg, 0x70, ...(contentSize === null ? [] : [...new Uint8Array(new BigUint64Array([contentSize]).buffer)])];
      const hc = (referenceXxh32(Uint8Array.from(descriptor)) >>> 8) & 0xff;
      return Uint8Array.from([0x04, 0x22, 0x4d, 0x18, ...descriptor, hc, ...rest]);
    };
    const cases: [string, () => unknown, string][] = [
      ['a frame declaring 2^31 − 1 bytes of content', () => engine.lz4.decompress(frame(0x68, 2n ** 31n - 1n, [0, 0, 0x40, 0]), { maxOutputSize: 2 ** 31 - 1 }), 'TRUNCATED'],
      ['a frame of 4 MiB blocks whose first block is cut short', () => engine.lz4.decompress(frame(0x60, null, [0, 0, 0x40, 0, 1, 2, 3])), 'TRUNCATED'],
      ['a legacy frame whose first 1 MiB block is cut short', () => engine.lz4.decompress(Uint8Array.from([0x02, 0x21, 0x4c, 0x18, 0, 0, 0x10, 0, 1, 2, 3])), 'TRUNCATED'],
      ['a 10-byte block said to hold 2^31 − 1 bytes', () => engine.lz4.decompressBlock(new Uint8Array(10), { outputSize: 2 ** 31 - 1, maxOutputSize: 2 ** 31 - 1 }), 'CORRUPT'],
    ];
    it.each(cases)('%s', async (_, call, code) => {
      expect(await boundedCode(call)).toBe(code);
    });
  });

  describe('pipeline.decodeChunk', () => {
    const cases: [string, () => unknown, string][] = [
      ['10 bytes of LZ4 said to hold 2^28 float32', () => engine.pipeline.decodeChunk(new Uint8Array(10), [{ codec: 'lz4' }], { dtype: 'float32', count: 2 ** 28 }), 'CORRUPT'],
      ['a 16-byte bitmask said to hold 2^28 int8 codes', () => engine.pipeline.decodeChunk(new Uint8Array(16), [{ codec: 'sparse', format: 'bitmask', width: 1 }], { dtype: 'int8', count: 2 ** 28, scale: Float32Array.of(1) }), 'CORRUPT'],
      ['16 bytes said to hold 2^31 float16', () => engine.pipeline.decodeChunk(new Uint8Array(16), [], { dtype: 'float16', count: 2 ** 31 }), 'CORRUPT'],
    ];
    it.each(cases)('%s', async (_, call, code) => {
      expect(await boundedCode(call)).toBe(code);
    });
  });

  it('shuffle and delta produce exactly as many bytes as they are given', async () => {
    const bytes = new Uint8Array(1000).map((_, i) => i * 7);
    expect(await boundedCode(() => engine.shuffle.unshuffle(bytes, 16))).toBe('none');
    expect(await boundedCode(() => engine.shuffle.bitunshuffle(bytes, 8))).toBe('none');
    expect(await boundedCode(() => engine.delta.decode(new Int32Array(bytes.buffer, 0, 250)))).toBe('none');
  });
});
