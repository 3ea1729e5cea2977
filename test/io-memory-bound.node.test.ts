// Sizes are checked against the bytes given before anything is allocated: a safetensors, .npy, GGUF or TF.js input
// of under 1 KB that declares a huge tensor (or an element count past 2^31) is refused with a typed error, while the
// process grows by at most 16 MiB (resident and ArrayBuffer bytes) and WebAssembly memory does not grow at all.
import { describe, expect, it } from 'vitest';
import { npy, safetensors, TensorzipError, type TfjsModel } from '../src/index';
import { readGguf } from '../src/io/gguf';
import { readTfjs } from '../src/io/tfjs';
import { chooseSimd, loadKernels } from '../src/wasm/load';
import { npyFile, safetensorsFile } from './helpers/foreign-files';
import { GgufBuilder } from './helpers/gguf-builder';
import { expectBoundedAllocation } from './helpers/memory-bound';

const kernels = await loadKernels(chooseSimd(undefined));
const wasmBytes = () => kernels.exports.memory.buffer.byteLength;

/** `read` must throw a TensorzipError with one of `codes`, within the memory bound, without growing WebAssembly memory. */
async function expectRefusedCheaply(read: () => unknown, codes: string[], what: string, maxBytes?: number): Promise<void> {
  const before = wasmBytes();
  let code: string | undefined;
  try {
    await expectBoundedAllocation(read, maxBytes);
  } catch (err) {
    if (!(err instanceof TensorzipError)) throw err;
    code = err.code;
  }
  expect(codes, `${what}: refused with`).toContain(code);
  expect(wasmBytes(), `${what}: WebAssembly memory grew`).toBe(before);
}

const f32 = (n: number) => new Uint8Array(new Float32Array(n).fill(0.5).buffer);

describe('hostile headers are refused before allocating', () => {
  it('safetensors', async () => {
    const file = (dtype: string, shape: number[], end: number) => safetensorsFile(`{"w":{"dtype":"${dtype}","shape":[${shape}],"data_offsets":[0,${end}]}}`, new Uint8Array(4));
    const cases: [string, Uint8Array, string[]][] = [
      ['[2^29] F32', file('F32', [2 ** 29], 2 ** 31), ['TRUNCATED']],
      ['[2^31] U8', file('U8', [2 ** 31], 2 ** 31), ['LIMIT', 'TRUNCATED']],
      ['[2^40, 2^40] U8', file('U8', [2 ** 40, 2 ** 40], 2 ** 52), ['LIMIT', 'CORRUPT']],
      ['a 99 MB header in 20 bytes', Uint8Array.of(0x80, 0x96, 0xe7, 0x05, 0, 0, 0, 0, 0x7b, ...new Uint8Array(11)), ['TRUNCATED']],
    ];
    for (const [what, bytes, codes] of cases) await expectRefusedCheaply(() => safetensors.read(bytes), codes, what);
  });

  it('.npy', async () => {
    const file = (descr: string, shape: string) => npyFile(`{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), }`, new Uint8Array(8));
    const cases: [string, Uint8Array, string[]][] = [
      ['(2^29,) <f4', file('<f4', `${2 ** 29},`), ['TRUNCATED']],
      ['(2^31,) |u1', file('|u1', `${2 ** 31},`), ['LIMIT', 'TRUNCATED']],
      ['(2^40, 2^40) |u1', file('|u1', `${2 ** 40}, ${2 ** 40}`), ['LIMIT', 'CORRUPT']],
    ];
    for (const [what, bytes, codes] of cases) await expectRefusedCheaply(() => npy.read(bytes), codes, what);
  });

  it('GGUF (WebAssembly memory checked: its quantized tensors decode there)', async () => {
    const build = (kv: [string, number, (b: GgufBuilder) => void][], dims: number[], type = 0, data = f32(1)) =>
      new GgufBuilder().build(kv, [{ name: 'w', dims, type, data }]);
    readGguf(kernels, build([], [32], 8, new Uint8Array(34))); // a first decode sizes the working space
    const u64 = (b: GgufBuilder, v: number) => (b.writeU32(v % 2 ** 32), b.writeU32(Math.floor(v / 2 ** 32)));
    const cases: [string, Uint8Array, string[]][] = [
      ['F32 [2^29]', build([], [2 ** 29]), ['TRUNCATED']],
      ['Q4_0 [2^35]', build([], [2 ** 35], 2, new Uint8Array(18)), ['LIMIT', 'TRUNCATED']],
      ['F32 [2^20, 2^20, 2^20]', build([], [2 ** 20, 2 ** 20, 2 ** 20]), ['LIMIT', 'TRUNCATED']],
      ['Q8_0 [2^31]', build([], [2 ** 31], 8, new Uint8Array(34)), ['LIMIT', 'TRUNCATED']],
      ['an array of 2^40 u64', build([['a', 9, (b) => (b.writeU32(10), u64(b, 2 ** 40))]], [1]), ['CORRUPT', 'TRUNCATED']],
      ['an array of 60 strings', build([['a', 9, (b) => (b.writeU32(8), u64(b, 60))]], [1]), ['CORRUPT', 'TRUNCATED']],
      ['an array of 40 arrays', build([['a', 9, (b) => (b.writeU32(9), u64(b, 40))]], [1]), ['CORRUPT', 'TRUNCATED']],
    ];
    const tensorCount = build([], [1]);
    tensorCount.set([0, 0, 0, 0, 0, 1, 0, 0], 8); // 2^40 tensors
    cases.push(['2^40 tensors', tensorCount, ['CORRUPT']]);
    for (const [what, bytes, codes] of cases) {
      expect(bytes.length, what).toBeLessThan(1024);
      await expectRefusedCheaply(() => readGguf(kernels, bytes), codes, what);
    }
  });

  it('TF.js manifests (WebAssembly memory checked: quantized weights decode there)', async () => {
    const model = (weights: object[], shard = new Uint8Array(4), paths = ['s.bin']): TfjsModel =>
      ({ modelJson: { weightsManifest: [{ paths, weights: weights as never }] }, shards: { 's.bin': shard } });
    readTfjs(kernels, model([{ name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }]));
    const cases: [string, TfjsModel, string[]][] = [
      ['float32 [2^29]', model([{ name: 'w', shape: [2 ** 29], dtype: 'float32' }]), ['TRUNCATED']],
      ['uint8-quantized [2^30]', model([{ name: 'w', shape: [2 ** 30], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }]), ['TRUNCATED']],
      ['float32 [2^31]', model([{ name: 'w', shape: [2 ** 31], dtype: 'float32' }]), ['LIMIT', 'TRUNCATED']],
      ['[2^40, 2^40]', model([{ name: 'w', shape: [2 ** 40, 2 ** 40], dtype: 'int32' }]), ['LIMIT', 'TRUNCATED']],
    ];
    for (const [what, m, codes] of cases) await expectRefusedCheaply(() => readTfjs(kernels, m), codes, what);
    // One 64 KiB shard listed 1000 times would be copied 1000 times (64 MB) before the size check.
    const repeated = model([{ name: 'w', shape: [16384 * 1000], dtype: 'float32' }], f32(16384), Array(1000).fill('s.bin'));
    await expectRefusedCheaply(() => readTfjs(kernels, repeated), ['CORRUPT'], 'a shard listed 1000 times');
  });
});
