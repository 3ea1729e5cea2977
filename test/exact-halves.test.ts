// Float32 tensors whose values are all exactly float16 (else bfloat16) values are stored as those 16-bit codes,
// losslessly (docs/FORMAT.md, Stored types): every bit comes back, -0, subnormals, ±Inf and NaN payloads included.
// "Exactly" is judged against the codec's own round trip (quant.encodeFloat16 then decodeFloat16, bit for bit).
import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { floatWeights } from './helpers/data';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const fromBits = (...bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);

/** Edge values as float32 bits: which are float16 values, which bfloat16, which neither. */
const EDGES = {
  '+0': 0x00000000, '-0': 0x80000000, 'smallest float16 subnormal 2^-24': 0x33800000, '-(2^-24)': 0xb3800000,
  'largest float16 subnormal': 0x387fc000, 'smallest float16 normal 2^-14': 0x38800000, '65504': 0x477fe000,
  '-65504': 0xc77fe000, '+Inf': 0x7f800000, '-Inf': 0xff800000, 'quiet NaN': 0x7fc00000, '-quiet NaN, payload in float16': 0xffc02000,
  'quiet NaN, payload below float16': 0x7fc00001, 'signalling NaN': 0x7f802000, '1.5 × 2^-24': 0x33c00000,
  '65520': 0x477ff000, '1 + 2^-20': 0x3f800008, 'smallest float32 subnormal': 0x00000001,
  'float32 subnormal, bfloat16 exact': 0x00010000, '2^100': 0x71800000, '3 × 2^-129, a float32 subnormal': 0x00180000,
  'quiet NaN, payload in bfloat16 only': 0x7fc10000, '1 + 2^-7': 0x3f810000,
};

describe.each(BUILDS)('float16- and bfloat16-exact float32 tensors (%s build)', (_, engine) => {
  const { pack, open, quant } = engine;
  /** The plain codec round trips, bit for bit. */
  const isFloat16 = (x: Float32Array) => equalBytes(bytesOf(quant.decodeFloat16(quant.encodeFloat16(x))), bytesOf(x));
  const isBfloat16 = (x: Float32Array) => equalBytes(bytesOf(quant.decodeBfloat16(quant.encodeBfloat16(x))), bytesOf(x));

  async function storedAs(data: Float32Array, quantize: 'lossless' | 'auto' = 'lossless') {
    const archive = await open(await pack({ w: { dtype: 'float32', shape: [data.length], data } }, { quantize }));
    const got = await archive.get('w');
    if (!equalBytes(bytesOf(got.data), bytesOf(data))) expect.fail('decoded bits differ from the input');
    return { stored: archive.tensors[0].storedDtype, stats: archive.tensors[0].stats, encodedBytes: archive.tensors[0].encodedBytes };
  }

  it('each edge value, among exact float16 weights: stored as float16, bfloat16 or float32 as the codec round trip says; bits kept', async () => {
    const weights = quant.decodeFloat16(quant.encodeFloat16(new Float32Array(floatWeights(4096).buffer)));
    const seen = new Set<string>();
    for (const [label, bits] of Object.entries(EDGES)) {
      const data = weights.slice();
      data[1234] = fromBits(bits)[0];
      // Float32Array assignment goes through a number: NaN payloads may not survive it, so set the bits directly.
      new Uint32Array(data.buffer)[1234] = bits;
      const expected = isFloat16(data) ? 'float16' : isBfloat16(data) ? 'bfloat16' : 'float32';
      const { stored, stats } = await storedAs(data);
      expect(stored, label).toBe(expected);
      expect(stats, label).toBe(null);
      seen.add(stored);
    }
    expect([...seen].sort()).toEqual(['float16', 'float32']); // float16 weights are never all bfloat16
  });

  it('bfloat16-exact weights (past float16\'s range) with each edge value: bfloat16 or float32 as the round trip says', async () => {
    const weights = quant.decodeBfloat16(quant.encodeBfloat16(Float32Array.from(new Float32Array(floatWeights(4096).buffer), (x) => x * 1e6)));
    const seen = new Set<string>();
    for (const [label, bits] of Object.entries(EDGES)) {
      const data = weights.slice();
      new Uint32Array(data.buffer)[99] = bits;
      const expected = isFloat16(data) ? 'float16' : isBfloat16(data) ? 'bfloat16' : 'float32';
      expect(expected, label).not.toBe('float16');
      expect((await storedAs(data)).stored, label).toBe(expected);
      seen.add(expected);
    }
    expect([...seen].sort()).toEqual(['bfloat16', 'float32']);
  });

  it('whole tensors of edge values: -0, subnormals, ±Inf and NaN payloads come back bit for bit', async () => {
    const f16 = fromBits(0x80000000, 0, 0x33800000, 0xb3800000, 0x387fc000, 0x38800000, 0x477fe000, 0xff800000, 0x7fc00000, 0xffc02000, 0x7fffe000);
    expect(await storedAs(f16)).toMatchObject({ stored: 'float16', stats: null });
    const bf16 = fromBits(0x80000000, 0x00010000, 0x80010000, 0x007f0000, 0x7f7f0000, 0x7fc10000, 0xffff0000, 0x7f800000);
    expect(await storedAs(bf16)).toMatchObject({ stored: 'bfloat16', stats: null });
  });

  it('one value that is not exact keeps the whole tensor float32', async () => {
    const data = quant.decodeFloat16(quant.encodeFloat16(new Float32Array(floatWeights(100_000).buffer)));
    expect((await storedAs(data)).stored).toBe('float16');
    data[99_999] = 1 + 2 ** -20;
    expect((await storedAs(data)).stored).toBe('float32');
    expect((await storedAs(new Float32Array(floatWeights(100_000).buffer))).stored).toBe('float32');
  });

  it('half the bytes of float32, under the default mode too (small tensors it keeps lossless)', async () => {
    const data = quant.decodeFloat16(quant.encodeFloat16(new Float32Array(floatWeights(1000).buffer)));
    const asFloat16 = await storedAs(data, 'auto');
    expect(asFloat16.stored).toBe('float16');
    expect(asFloat16.encodedBytes).toBeLessThanOrEqual(data.byteLength / 2);
  });
});
