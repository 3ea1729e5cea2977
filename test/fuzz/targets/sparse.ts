// sparse.unpack on any bytes: both builds agree; what it accepts matches sparse.describe, and packing the values
// again in the described format and dtype unpacks to the same values.
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';

// A bitmask's one bit per float32 zero: 32x, and the output array itself.
const EXPANSION = 64;

const weights = (n: number, keepEvery: number) => Float32Array.from({ length: n }, (_, i) => (i % keepEvery === 0 ? Math.cos(i) : 0));

export const sparse: FuzzTarget = {
  name: 'sparse',
  async seeds({ simd }) {
    const w = weights(512, 3);
    return [
      simd.sparse.pack(w, { shape: [16, 32], format: 'bitmask' }),
      simd.sparse.pack(w, { shape: [16, 32], format: 'csr' }),
      simd.sparse.pack(Float32Array.from(w, (v, i) => (i % 4 < 2 ? v : 0)), { shape: [512], format: '2:4' }),
      simd.sparse.pack(Int8Array.from({ length: 64 }, (_, i) => (i % 5 ? 0 : i)), { format: 'dense' }),
      simd.sparse.pack(Uint16Array.from({ length: 96 }, (_, i) => (i % 2 ? 0x3c00 : 0)), { dtype: 'float16', shape: [8, 12] }),
    ];
  },
  async run({ simd, scalar }, bytes) {
    const a = await attempt(() => simd.sparse.unpack(offsetView(bytes)), DAMAGED_DATA, 'sparse.unpack', bytes.length, EXPANSION);
    const b = await attempt(() => scalar.sparse.unpack(bytes), DAMAGED_DATA, 'sparse.unpack (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'sparse.unpack');
    if (!a.ok) return a.outcome;
    const info = await attempt(() => simd.sparse.describe(bytes), DAMAGED_DATA, 'sparse.describe', bytes.length, 1);
    if (!info.ok) throw new FuzzFailure(`sparse.describe refuses what unpack accepts: ${info.outcome}`);
    const { format, dtype, shape } = info.value;
    if (shape.reduce((n, d) => n * d, 1) !== a.value.length) throw new FuzzFailure('sparse.unpack: length differs from the described shape');
    const again = simd.sparse.pack(a.value, { shape, format, dtype });
    expectSame(simd.sparse.unpack(again), a.value, 'sparse: unpack(pack(unpack(x))) differs from unpack(x)');
    return 'OK';
  },
};
