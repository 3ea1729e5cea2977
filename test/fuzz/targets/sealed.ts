// open(bytes, { decrypt: { key } }) + getAll() on encrypted archives (format 1.4): every piece is authenticated, so a
// damaged file may only be refused (SIGNATURE, or a damaged-data code for the clear parts: prefix, seal header,
// footer), never decoded to other values. The oracle is the plaintext itself: the seeds' tensors are known, and
// whatever decodes must be exactly one of them, under its own name.
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type Engines, type FuzzTarget } from '../target';
import type { Engine, TensorInput } from '../../../src/index';

/** The seeds' key: a fixed 32 bytes, so that a corpus file written once opens in every later run. */
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
const ALLOWED = [...DAMAGED_DATA, 'SIGNATURE'] as const;
// Decrypted pieces are no larger than their sealed form; the decode's own expansion as for the container target.
const EXPANSION = 8 * 8192;

const floats = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * seed) * (i % 7 === 0 ? 0 : 1));

/** Every tensor any seed holds, by name: what a decoded tensor of that name must be. */
const KNOWN: Record<string, TensorInput> = {
  weights: { dtype: 'float32', shape: [32, 64], data: floats(2048, 1) },
  bias: { dtype: 'float32', shape: [10], data: floats(10, 2) },
  ids: { dtype: 'int32', shape: [6], data: Int32Array.of(0, 1, 2, 3, -4, 5) },
  skewed: { dtype: 'uint8', shape: [4096], data: Uint8Array.from(floats(4096, 3), (v, i) => (i % 10 ? 7 : 7 + Math.round(v * 5))) },
};
const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, KNOWN[n]!]));

async function getAll(engine: Engine, bytes: Uint8Array) {
  const archive = await engine.open(bytes, { decrypt: { key: KEY } });
  const all = await archive.getAll();
  if (Object.keys(all).length !== archive.tensors.length) throw new FuzzFailure('sealed open+getAll: fewer tensors than archive.tensors lists');
  return all;
}

export const sealed: FuzzTarget = {
  name: 'sealed',
  async seeds({ simd }: Engines) {
    const encrypt = { key: KEY };
    return Promise.all([
      simd.pack(pick('weights', 'bias', 'ids'), { quantize: 'lossless', encrypt }),
      simd.pack(pick('weights', 'bias'), { quantize: 'lossless', chunkBytes: 4096, encrypt: { ...encrypt, publicIndex: true } }),
      simd.pack(pick('skewed', 'ids'), { quantize: 'lossless', compact: false, encrypt }),
    ]);
  },
  async run({ simd, scalar }: Engines, bytes) {
    const a = await attempt(() => getAll(simd, offsetView(bytes)), ALLOWED, 'sealed open+getAll', bytes.length, EXPANSION);
    const b = await attempt(() => getAll(scalar, bytes), ALLOWED, 'sealed open+getAll (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'sealed open+getAll');
    if (!a.ok) return a.outcome;
    for (const [name, tensor] of Object.entries(a.value)) {
      const known = Object.hasOwn(KNOWN, name) ? KNOWN[name]! : null;
      if (known === null) throw new FuzzFailure('sealed: a tensor no seed holds decoded', name);
      expectSame({ dtype: tensor.dtype, shape: tensor.shape, data: tensor.data }, { dtype: known.dtype, shape: [...known.shape], data: known.data }, 'sealed: a tensor decoded to other values');
    }
    return 'OK';
  },
};
