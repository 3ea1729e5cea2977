import { describe, expect, it } from 'vitest';
import * as tensorzip from '../src/index';
import { TensorzipError, createEngine, init, isTensorzipError, lz4 } from '../src/index';

describe('public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(tensorzip).sort()).toEqual(['DEFAULT_MAX_OUTPUT_SIZE', 'TensorzipError', 'cacheStore', 'calibrate', 'clearCache', 'compare', 'createArena', 'createDatasetWriter', 'createEngine', 'createShardedWriter', 'createWriter', 'delta', 'entropy', 'generateKeyPair', 'generateSecretKey', 'gguf', 'init',
      'isTensorzipError', 'lz4', 'npy', 'onnx', 'open', 'openDataset', 'pack', 'pipeline', 'qualityTarget', 'quant', 'safetensors', 'samplesFrom', 'shuffle', 'sign', 'sparse', 'tfjs', 'toTfDataset', 'transformers']);
    expect(Object.keys(tensorzip.onnx).sort()).toEqual(['channelAxes', 'createSession', 'pack', 'packInput', 'read', 'unpack', 'write']);
    expect(Object.keys(tensorzip.tfjs).sort()).toEqual(['channelAxes', 'ioHandler', 'pack', 'packInput', 'read', 'unpack', 'write']);
    expect(Object.keys(lz4).sort()).toEqual(['compress', 'compressBlock', 'decompress', 'decompressBlock']);
    expect(Object.keys(tensorzip.shuffle).sort()).toEqual(['bitshuffle', 'bitunshuffle', 'shuffle', 'unshuffle']);
    expect(Object.keys(tensorzip.sparse).sort()).toEqual(['describe', 'pack', 'prune', 'unpack']);
    expect(Object.keys(tensorzip.delta).sort()).toEqual(['decode', 'encode']);
    expect(Object.keys(tensorzip.entropy).sort()).toEqual(['decode', 'encode']);
    expect(Object.keys(tensorzip.pipeline).sort()).toEqual(['decodeChunk', 'encodeChunk']);
    expect(tensorzip.DEFAULT_MAX_OUTPUT_SIZE).toBe(256 * 1024 * 1024);
  });

  it('init() is idempotent, picks SIMD where the runtime has it, and can switch builds', async () => {
    const first = await init();
    expect(first.simd).toBe(WebAssembly.validate(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, ...new Array(16).fill(0), 11])));
    expect(await init()).toEqual(first);
    expect((await init({ simd: false })).simd).toBe(false);
    expect((await init()).simd).toBe(false); // no options: keeps the loaded build
    const roundTrip = lz4.decompress(lz4.compress(new TextEncoder().encode('scalar now')));
    expect(new TextDecoder().decode(roundTrip)).toBe('scalar now');
    expect((await init({ simd: true })).simd).toBe(true);
  });

  it('engines are independent instances', async () => {
    const a = await createEngine({ simd: false });
    const b = await createEngine();
    expect(a.simd).toBe(false);
    expect(b.simd).toBe(true);
    const data = new Uint8Array(100_000).map((_, i) => i % 7);
    expect(b.lz4.decompress(a.lz4.compress(data))).toEqual(data);
  });

  it('returns plain Uint8Arrays that own their whole buffer, in every runtime', () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const results = [
      lz4.compress(data),
      lz4.decompress(lz4.compress(data)),
      lz4.decompress(lz4.compress(data, { contentSize: false, blockSize: 65536 })), // grown, then trimmed
      lz4.compressBlock(data),
      lz4.decompressBlock(lz4.compressBlock(data)),
    ];
    for (const result of results) {
      expect(result.constructor).toBe(Uint8Array);
      expect(result.byteOffset).toBe(0);
      expect(result.buffer.byteLength).toBe(result.length);
    }
    expect(results[1]).toEqual(data);
    expect(results[2]).toEqual(data);
  });

  it('TensorzipError carries a stable code, a message, an offset and a cause', () => {
    const err = new TensorzipError('CORRUPT', 'bad', { offset: 3, cause: 'x' });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TensorzipError');
    expect([err.code, err.message, err.offset, err.cause]).toEqual(['CORRUPT', 'bad', 3, 'x']);
    expect(isTensorzipError(err)).toBe(true);
    expect(isTensorzipError(err, 'LIMIT', 'CORRUPT')).toBe(true);
    expect(isTensorzipError(err, 'LIMIT')).toBe(false);
    expect(isTensorzipError(new Error('no'))).toBe(false);
    try {
      lz4.decompress(Uint8Array.of(1, 2, 3, 4, 5));
    } catch (thrown) {
      expect(isTensorzipError(thrown, 'CORRUPT')).toBe(true);
      expect((thrown as TensorzipError).offset).toBe(0);
      expect((thrown as Error).message).toMatch(/expected an LZ4 frame magic number .* found 0x04030201/);
    }
  });
});
