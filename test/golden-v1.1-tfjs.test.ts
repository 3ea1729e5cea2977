// The frozen format 1.1 file test/golden/v1.1/tfjs-codes.tzip (made once by scripts/make-golden-tfjs-codes.mjs):
// TF.js uint8 / uint16 codes and float16- / bfloat16-exact float32 tensors. Every reader from now on must decode it to
// exactly the values frozen beside it as .npy — which are also checked here against the plain formulas: the codes
// through tfjs-core's decodeWeight arithmetic, the halves through quant's float16 / bfloat16 decoders.
import { describe, expect, it } from 'vitest';
import { npy } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { readRepoFile } from './helpers/files';

const DIR = 'test/golden/v1.1/';
const EXPECTED = [
  ['conv/kernel', [3, 1000], 'tfjs_uint8', 'lz4'], ['dense/kernel', [30, 50], 'tfjs_uint16', 'shuffle+lz4'],
  ['embed.halves', [40, 30], 'float16', ''], ['embed.brains', [800], 'bfloat16', 'shuffle+lz4'], ['plain', [300], 'float32', ''],
];
const file = await readRepoFile(`${DIR}tfjs-codes.tzip`);
const values = Object.fromEntries(await Promise.all(EXPECTED.map(async ([name]) =>
  [name, npy.read(await readRepoFile(`${DIR}tfjs-codes.${(name as string).replace('/', '.')}.npy`))])));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(BUILDS)('golden .tzip v1.1 file tfjs-codes.tzip (%s build)', (_, { open, quant }) => {
  it('is version 1.1 and lists the same tensors, stored types and pipelines as when it was frozen', async () => {
    expect([file[4], file[5]]).toEqual([1, 1]);
    const archive = await open(file);
    expect(archive.metadata).toEqual({ golden: 'v1.1 tfjs-codes' });
    expect(archive.tensors.map((t) => [t.name, t.shape, t.storedDtype, t.pipeline.map((s) => s.codec).join('+')])).toEqual(EXPECTED);
    expect(archive.tensors.every((t) => t.dtype === 'float32' && t.stats === null)).toBe(true);
  });

  it('decodes every tensor to the frozen values, bit for bit', async () => {
    const archive = await open(file);
    for (const [name] of EXPECTED as [string][]) {
      const got = await archive.get(name);
      expect(got.shape, name).toEqual(values[name].shape);
      if (!equalBytes(bytesOf(got.data), bytesOf(values[name].data))) expect.fail(`"${name}" decodes differently from its .npy`);
    }
  });

  it('the frozen values are what the stored codes give through the plain formulas', async () => {
    const archive = await open(file);
    for (const name of ['conv/kernel', 'dense/kernel']) {
      const { quantized: q } = await archive.getCodes(name);
      if (q.dtype !== 'tfjs_uint8' && q.dtype !== 'tfjs_uint16') expect.fail(`${name} is not TF.js codes`);
      const formula = Float32Array.from(q.data, (code) => code * q.scale + q.min); // tfjs-core's decodeWeight
      expect(equalBytes(bytesOf(formula), bytesOf(values[name].data)), name).toBe(true);
    }
    const halves = (await archive.getCodes('embed.halves')).quantized.data as Uint16Array;
    expect(equalBytes(bytesOf(quant.decodeFloat16(halves)), bytesOf(values['embed.halves'].data))).toBe(true);
    const brains = (await archive.getCodes('embed.brains')).quantized.data as Uint16Array;
    expect(equalBytes(bytesOf(quant.decodeBfloat16(brains)), bytesOf(values['embed.brains'].data))).toBe(true);
    // The edge values the file was made with: -0, a subnormal, ±Inf, a quiet NaN payload; -0, a float32 subnormal, a NaN.
    expect(Array.from(new Uint32Array(values['embed.halves'].data.buffer, values['embed.halves'].data.byteOffset, 5))).toEqual([0x80000000, 0x33800000, 0x7f800000, 0xff800000, 0x7fc02000]);
    expect(Array.from(new Uint32Array(values['embed.brains'].data.buffer, values['embed.brains'].data.byteOffset, 3))).toEqual([0x80000000, 0x00010000, 0x7fc10000]);
  });
});
