import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SparseArray, SparseDtype, SparseFormat } from '../src/index';
import { BUILDS, equalBytes, scalarEngine, simdEngine } from './helpers/engines';
import { random } from './helpers/data';
import { expectError } from './helpers/errors';
import { referenceBitmask, referenceCsr, referenceTwoOfFour } from './reference/sparse';

const DTYPES: [SparseDtype, { new (n: number): SparseArray }][] = [
  ['float32', Float32Array], ['float16', Uint16Array], ['bfloat16', Uint16Array], ['int8', Int8Array],
  ['uint8', Uint8Array], ['int16', Int16Array], ['uint16', Uint16Array], ['int32', Int32Array], ['uint32', Uint32Array],
];
const LENGTHS = [0, 1, 4, 8, 15, 16, 17, 31, 33, 100, 1000, 4100];

const bytesOf = (a: SparseArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const header = (rank: number) => 12 + 4 * rank;

/** `length` elements of which about `density` are non-zero (non-zero bit patterns of every kind). */
function sparseData(type: { new (n: number): SparseArray }, length: number, density: number, seed: number): SparseArray {
  const next = random(seed);
  const out = new type(length);
  const bits = new Uint8Array(out.buffer);
  const width = out.BYTES_PER_ELEMENT;
  for (let i = 0; i < length; i++) {
    if (next() >= density) continue;
    do for (let b = 0; b < width; b++) bits[i * width + b] = next() * 256;
    while (bits.subarray(i * width, (i + 1) * width).every((b) => b === 0));
  }
  return out;
}

/** Element bit patterns as numbers, for the references. */
function patterns(data: SparseArray): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const w = data.BYTES_PER_ELEMENT;
  return Array.from({ length: data.length }, (_, i) => (w === 4 ? view.getUint32(4 * i, true) : w === 2 ? view.getUint16(2 * i, true) : view.getUint8(i)));
}

/** Keeps two elements of each group of 4 (which two varies from group to group). */
function twoOfFour(data: SparseArray): SparseArray {
  const out = data.slice();
  for (let g = 0; g + 4 <= out.length; g += 4) {
    const keep = [(g >> 2) % 4, ((g >> 2) + 1 + ((g >> 4) % 3)) % 4];
    for (let i = 0; i < 4; i++) if (!keep.includes(i)) out[g + i] = 0;
  }
  return out;
}

describe.each(BUILDS)('sparse packing (%s build)', (_, { sparse }) => {
  it.each(DTYPES)('%s: every format gives the reference payload and round-trips bit for bit', (dtype, type) => {
    for (const length of LENGTHS) {
      for (const density of [0, 0.05, 0.3, 1]) {
        const data = sparseData(type, length, density, length * 10 + density * 100);
        const bits = patterns(data);
        const rows = length >= 100 ? 10 : 1;
        const shape = rows === 10 ? [10, length / 10] : [length];
        const formats: [SparseFormat, Uint8Array][] = [
          ['dense', bytesOf(data)],
          ['bitmask', referenceBitmask(bits, data.BYTES_PER_ELEMENT)],
          ['csr', referenceCsr(bits, rows, length / rows, data.BYTES_PER_ELEMENT)],
        ];
        if (length % 4 === 0) {
          const pruned = twoOfFour(data);
          formats.push(['2:4', referenceTwoOfFour(patterns(pruned), data.BYTES_PER_ELEMENT)]);
        }
        for (const [format, expected] of formats) {
          const input = format === '2:4' ? twoOfFour(data) : data;
          const packed = sparse.pack(input, { shape, format, dtype });
          const what = `${dtype} ${format}, ${length} elements, density ${density}`;
          if (!equalBytes(packed.subarray(header(shape.length)), expected)) expect.fail(`payload: ${what}`);
          const info = sparse.describe(packed);
          expect(info, what).toEqual({ format, dtype, shape, nnz: patterns(input).filter((v) => v !== 0).length, packedBytes: packed.length });
          const back = sparse.unpack(packed);
          expect(back, what).toBeInstanceOf(type);
          if (!equalBytes(bytesOf(back), bytesOf(input))) expect.fail(`round trip: ${what}`);
        }
      }
    }
  });

  it("'auto' picks the smallest of dense, bitmask and CSR", () => {
    for (const density of [0, 0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 0.97, 1]) {
      const data = sparseData(Float32Array, 10_000, density, density * 1000);
      const shape = [100, 100];
      const sizes = (['dense', 'bitmask', 'csr'] as const).map((format) => [format, sparse.pack(data, { shape, format }).length] as const);
      const smallest = Math.min(...sizes.map(([, n]) => n));
      const auto = sparse.pack(data, { shape });
      expect(auto.length, `density ${density}`).toBe(smallest);
      expect(sizes.find(([, n]) => n === smallest)?.[0]).toBe(sparse.describe(auto).format);
    }
  });

  it('bitmask packing is within 2% of nnz × element bytes + ⌈n / 8⌉', () => {
    for (const [type, n] of [[Float32Array, 4096], [Uint16Array, 65_536], [Int8Array, 100_000], [Float32Array, 1_000_003]] as const) {
      for (const density of [0.3, 0.5]) {
        const data = sparseData(type, n, density, n);
        const nnz = patterns(data).filter((v) => v !== 0).length;
        const packed = sparse.pack(data, { format: 'bitmask' });
        const ideal = nnz * data.BYTES_PER_ELEMENT + Math.ceil(n / 8);
        expect(packed.length / ideal, `${type.name} × ${n}, density ${density}`).toBeLessThan(1.02);
      }
    }
  });

  it('keeps −0.0 and NaN (only all-zero bits are dropped)', () => {
    const data = new Float32Array([0, -0, NaN, 0, 1.5, 0, 0, 0, -0, 0]);
    const back = sparse.unpack(sparse.pack(data, { format: 'bitmask' })) as Float32Array;
    expect(bytesOf(back)).toEqual(bytesOf(data));
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it('round-trips any Float32Array in every format (property)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), fc.float()), { maxLength: 200 }), fc.constantFrom('auto', 'dense', 'bitmask', 'csr'), (values, format) => {
      const data = Float32Array.from(values);
      const back = sparse.unpack(sparse.pack(data, { format: format as SparseFormat }));
      expect(bytesOf(back)).toEqual(bytesOf(data));
    }), { numRuns: 300 });
  });

  it('writes into `out` and refuses an `out` of the wrong type or size', () => {
    const data = sparseData(Int8Array, 64, 0.3, 9);
    const packed = sparse.pack(data);
    const out = new Int8Array(64);
    expect(sparse.unpack(packed, out)).toBe(out);
    expect(out).toEqual(data);
    expectError(() => sparse.unpack(packed, new Int8Array(63)), 'ARGUMENT');
    expectError(() => sparse.unpack(packed, new Uint8Array(64)), 'ARGUMENT');
  });

  it('refuses bad arguments', () => {
    expectError(() => sparse.pack(new Float64Array(4) as never), 'ARGUMENT');
    expectError(() => sparse.pack(new Float32Array(4), { shape: [3] }), 'ARGUMENT');
    expectError(() => sparse.pack(new Float32Array(4), { format: 'coo' as never }), 'ARGUMENT');
    expectError(() => sparse.pack(new Float32Array(4), { dtype: 'float16' }), 'ARGUMENT');
    expectError(() => sparse.pack(new Float32Array(6), { format: '2:4' }), 'ARGUMENT');
    expectError(() => sparse.pack(new Float32Array([1, 2, 3, 0]), { format: '2:4' }), 'ARGUMENT');
  });
});

describe.each(BUILDS)('sparse.prune (%s build)', (_, { sparse }) => {
  it('zeroes round(sparsity · n) elements of smallest magnitude, lower index first on ties', () => {
    const data = new Float32Array([0.5, -0.1, 0.1, 3, -2, 0.1, 0, 7]);
    expect([...sparse.prune(data, { sparsity: 0.375 })]).toEqual([0.5, 0, 0, 3, -2, Math.fround(0.1), 0, 7]);
    expect([...sparse.prune(data, { sparsity: 0.5 })]).toEqual([0.5, 0, 0, 3, -2, 0, 0, 7]);
    expect([...sparse.prune(data, { sparsity: 0 })]).toEqual([...data]);
    expect([...sparse.prune(data, { sparsity: 1 })]).toEqual(new Array(8).fill(0));
    const big = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i * 1.7));
    const pruned = sparse.prune(big, { sparsity: 0.7 });
    expect(pruned.filter((v) => v === 0).length).toBe(7000);
    const smallestKept = Math.min(...[...pruned].filter((v) => v !== 0).map(Math.abs));
    const largestDropped = Math.max(...[...big].filter((_, i) => pruned[i] === 0).map(Math.abs));
    expect(largestDropped).toBeLessThanOrEqual(smallestKept);
    expect(data[1]).toBe(Math.fround(-0.1)); // a copy: the input is untouched
  });

  it('zeroes every |x| below a threshold (compared in float32)', () => {
    expect([...sparse.prune(new Float32Array([0.5, -0.01, 0.02, -3]), { threshold: 0.02 })]).toEqual([0.5, 0, Math.fround(0.02), -3]);
  });

  it("2:4 keeps the two largest magnitudes of each group of four, and packs as '2:4'", () => {
    const data = new Float32Array([1, -4, 3, 2, 0, 0, 0, 5, 1, 1, 1, 1]);
    const pruned = sparse.prune(data, { pattern: '2:4' });
    expect([...pruned]).toEqual([0, -4, 3, 0, 0, 0, 0, 5, 1, 1, 0, 0]);
    expect(sparse.unpack(sparse.pack(pruned, { format: '2:4' }))).toEqual(pruned);
    expectError(() => sparse.prune(new Float32Array(6), { pattern: '2:4' }), 'ARGUMENT');
  });

  it('refuses bad options', () => {
    for (const options of [{ sparsity: 1.5 }, { sparsity: -0.1 }, { threshold: -1 }, { threshold: NaN }, { pattern: '1:4' }, {}]) {
      expectError(() => sparse.prune(new Float32Array(8), options as never), 'ARGUMENT');
    }
    expectError(() => sparse.prune(new Int8Array(8) as never, { sparsity: 0.5 }), 'ARGUMENT');
  });
});

describe.each(BUILDS)('sparse.unpack on bad input (%s build)', (_, { sparse }) => {
  const data = sparseData(Float32Array, 200, 0.3, 77);
  const shape = [10, 20];
  const packed = Object.fromEntries((['dense', 'bitmask', 'csr'] as const).map((f) => [f, sparse.pack(data, { shape, format: f })]));
  const at = header(2);
  const edit = (bytes: Uint8Array, change: (b: Uint8Array, v: DataView) => void) => {
    const copy = bytes.slice();
    change(copy, new DataView(copy.buffer));
    return copy;
  };

  it('reports every truncation as TRUNCATED', () => {
    for (const bytes of Object.values(packed)) {
      for (let n = 0; n < bytes.length; n++) expectError(() => sparse.unpack(bytes.subarray(0, n)), 'TRUNCATED');
    }
  });

  it('refuses a bad header', () => {
    const bytes = packed.bitmask;
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[0] = 0x55))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[4] = 2))), 'UNSUPPORTED');
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[5] = 9))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[6] = 0))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[7] = 33))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (_, v) => v.setUint32(8, 201, true))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (_, v) => v.setUint32(8, 3, true))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (_, v) => v.setUint32(12, 0xffffffff, true))), 'LIMIT');
    expectError(() => sparse.unpack(packed.dense, undefined, { maxOutputSize: 799 }), 'LIMIT');
    expect(sparse.unpack(packed.dense, undefined, { maxOutputSize: 800 })).toEqual(data);
    expectError(() => sparse.unpack(Uint8Array.of(1, 2, 3)), 'TRUNCATED');
  });

  it('refuses a bitmask whose popcount disagrees with the values', () => {
    const bytes = packed.bitmask;
    const mask = bytes.subarray(at, at + 25);
    const flip = mask.findIndex((b) => b !== 0xff);
    // One more mask bit than values (set the lowest clear bit), then one fewer (clear the lowest set bit).
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[at + flip] |= (b[at + flip] + 1) & ~b[at + flip]))), 'TRUNCATED');
    const clear = mask.findIndex((b) => b !== 0);
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[at + clear] &= b[at + clear] - 1))), 'CORRUPT');
    expectError(() => sparse.unpack(Uint8Array.from([...bytes, 0, 0, 0, 0])), 'CORRUPT');
    // Bits past the last element (200 elements: the mask's last byte is whole, so use 199 elements).
    const odd = sparse.pack(new Float32Array(199), { format: 'bitmask' });
    expectError(() => sparse.unpack(edit(odd, (b) => (b[header(1) + 24] = 0x80))), 'CORRUPT');
  });

  it('refuses CSR rows and columns out of range or not ascending', () => {
    // A 2 × 4 matrix by hand: row counts, values, column steps.
    const hand = (counts: number[], steps: number[], values = counts.reduce((a, b) => a + b, 0)) => {
      const head = sparse.pack(new Uint8Array(8).fill(0), { shape: [2, 4], format: 'csr' }).subarray(0, header(2)).slice();
      new DataView(head.buffer).setUint32(8, values, true);
      return Uint8Array.from([...head, ...counts, ...new Array(values).fill(7), ...steps]);
    };
    expect([...sparse.unpack(hand([1, 2], [3, 1, 2]))]).toEqual([0, 0, 7, 0, 7, 0, 7, 0]);
    expectError(() => sparse.unpack(hand([1, 2], [5, 1, 2])), 'CORRUPT'); // column 4 of 4
    expectError(() => sparse.unpack(hand([1, 2], [1, 2, 0])), 'CORRUPT'); // step 0: not ascending
    expectError(() => sparse.unpack(hand([5, 0], [1, 1, 1, 1, 1])), 'CORRUPT'); // 5 in a row of 4
    expectError(() => sparse.unpack(hand([1, 2], [1, 3, 2])), 'CORRUPT'); // column 3 + 2 = 5
    expectError(() => sparse.unpack(hand([1, 2], [1, 1])), 'TRUNCATED');
    expectError(() => sparse.unpack(hand([1, 2], [1, 1, 1, 1])), 'CORRUPT'); // a byte left over
    expectError(() => sparse.unpack(hand([1, 2], [1, 0x80, 0x80, 0x80, 0x80, 0x10, 1], 3)), 'CORRUPT'); // over 32 bits
  });

  it('refuses 2:4 positions that are not two ascending indices', () => {
    const bytes = sparse.pack(new Int8Array([1, 0, 2, 0, 0, 3, 0, 4]), { format: '2:4' });
    const at1 = header(1);
    expect(bytes[at1]).toBe(0x8 | 0x0 | (0xd << 4));
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[at1] = 0x00))), 'CORRUPT');
    expectError(() => sparse.unpack(edit(bytes, (b) => (b[at1] = 0x0b))), 'CORRUPT'); // 3 then 2
  });

  it('only ever throws TensorzipError on random damage', () => {
    const next = random(4);
    for (const bytes of Object.values(packed)) {
      for (let round = 0; round < 400; round++) {
        const copy = bytes.slice();
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) copy[Math.floor(next() * copy.length)] ^= 1 << Math.floor(next() * 8);
        try {
          sparse.unpack(copy);
        } catch (err) {
          expect((err as Error).name, String(err)).toBe('TensorzipError');
        }
      }
    }
  });
});

it('the SIMD and scalar builds pack and unpack identically', () => {
  for (const [dtype, type] of DTYPES) {
    const data = sparseData(type, 5003, 0.3, 3);
    for (const format of ['dense', 'bitmask', 'csr'] as const) {
      const a = simdEngine.sparse.pack(data, { format, dtype, shape: [5003] });
      expect(a).toEqual(scalarEngine.sparse.pack(data, { format, dtype, shape: [5003] }));
      expect(bytesOf(simdEngine.sparse.unpack(a))).toEqual(bytesOf(scalarEngine.sparse.unpack(a)));
    }
  }
});
