// Issue 18 items 2 and 3 for the codecs: a dtype, format or codec named like an Object.prototype member is an unknown
// name (a typed ARGUMENT), never a table lookup that finds a function and fails later with a TypeError; and a bad
// value nested a million deep is described in the error without recursing into it (no stack overflow).
import { describe, expect, it } from 'vitest';
import { BUILDS } from './helpers/engines';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function codeOf(call: () => unknown): string {
  try {
    call();
    return 'OK';
  } catch (err) {
    return (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err)}`;
  }
}

describe.each(BUILDS)('codecs given Object.prototype names (%s build)', (_, engine) => {
  it.each(NAMES)('"%s" as a pipeline dtype, stage codec or sparse format', (name) => {
    const bytes = new Uint8Array(64);
    expect(codeOf(() => engine.pipeline.decodeChunk(bytes, [], { dtype: name as never, count: 16 }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.pipeline.decodeChunk(bytes, [{ codec: name } as never], { dtype: 'float32', count: 16 }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.pipeline.encodeChunk(bytes, [{ codec: 'sparse', format: name, width: 4 } as never]))).toBe('ARGUMENT');
  });

  it.each(NAMES)('"%s" as a quant or sparse dtype', (name) => {
    const q = { dtype: name, shape: [4], data: new Uint8Array(4), scale: null, zeroPoint: null, axis: null, blockSize: null };
    expect(codeOf(() => engine.quant.dequantize(q as never))).toBe('ARGUMENT');
    expect(codeOf(() => engine.quant.quantize(new Float32Array(4), { dtype: name as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.sparse.pack(new Uint16Array(4), { dtype: name as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.sparse.pack(new Float32Array(4), { format: name as never }))).toBe('ARGUMENT');
  });

  it('a parameter nested 1,000,000 deep is ARGUMENT, not a stack overflow', async () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    const q = { dtype: 'int8', shape: deep, data: new Int8Array(1), scale: Float32Array.of(1), zeroPoint: null, axis: null, blockSize: null };
    expect(codeOf(() => engine.quant.dequantize(q as never))).toBe('ARGUMENT');
    expect(codeOf(() => engine.quant.quantize(new Float32Array(1), { dtype: 'int8', shape: deep as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.sparse.pack(new Float32Array(1), { shape: deep as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.shuffle.shuffle(new Uint8Array(8), deep as never))).toBe('ARGUMENT');
    expect(codeOf(() => engine.lz4.compress(new Uint8Array(8), { blockSize: deep as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.sparse.prune(new Float32Array(4), { sparsity: deep as never }))).toBe('ARGUMENT');
    expect(codeOf(() => engine.pipeline.decodeChunk(new Uint8Array(8), [{ codec: 'delta', width: deep } as never], { dtype: 'float32', count: 2 }))).toBe('ARGUMENT');
    await expect(engine.pack({ t: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }, { rules: [{ match: deep as never, quantize: 'lossless' }] })).rejects.toMatchObject({ code: 'ARGUMENT' });
    await expect(engine.pack({ t: { dtype: deep as never, shape: [1], data: new Float32Array(1) } })).rejects.toMatchObject({ code: 'ARGUMENT' });
  });
});
