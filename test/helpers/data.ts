// Seeded test data: the same bytes in every runtime and every run.

/** mulberry32: a small, well-mixed 32-bit generator. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float32 weights around 0 with one in 20 four times wider, and a share `zeros` of exact zeros (sparse tensors). */
export function spikyWeights(n: number, seed: number, zeros = 0): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => (next() < zeros ? 0 : (next() - 0.5) * (next() < 0.05 ? 8 : 1)));
}

const WORDS = ('the of and to in is was for on that with as by at from this are be it an which or has have not ' +
  'tensor weight model layer float quantize shuffle block frame chunk decode encode stream browser runtime ' +
  'compress sparse kernel vector matrix gradient attention embedding').split(' ');

/** English-like text: words drawn with a skewed (roughly Zipf) distribution, with punctuation and line breaks. */
export function textLike(size: number, seed = 1): Uint8Array {
  const next = random(seed);
  let text = '';
  while (text.length < size) {
    const word = WORDS[Math.floor(WORDS.length * next() ** 2.5)];
    text += word + (next() < 0.08 ? '.\n' : next() < 0.1 ? ', ' : ' ');
  }
  return new TextEncoder().encode(text.slice(0, size));
}

/** Uniform random bytes: incompressible. */
export function incompressible(size: number, seed = 2): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (next() * 256) | 0;
  return out;
}

/** Float32 weights ~ N(0, 0.02) as bytes: what LZ4 meets in models (barely compressible). */
export function floatWeights(count: number, seed = 3): Uint8Array {
  const next = random(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = 0.02 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  }
  return new Uint8Array(values.buffer);
}

/** Binary records with structure: small integers, repeated headers, slowly changing counters. */
export function structuredBinary(size: number, seed = 4): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let counter = 0;
  for (let i = 0; i + 16 <= size; i += 16) {
    view.setUint32(i, 0xcafe0000 | (i & 0xff), true);
    view.setUint32(i + 4, counter, true);
    view.setFloat32(i + 8, Math.round(next() * 100) / 4, true);
    view.setUint32(i + 12, next() < 0.7 ? 0 : (next() * 1000) | 0, true);
    counter += next() < 0.9 ? 1 : 7;
  }
  return out;
}

/** Runs of one byte and short repeating patterns of period 1 to 19 (the overlapping-match cases). */
export function runs(size: number, seed = 5): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  let i = 0;
  while (i < size) {
    const period = 1 + Math.floor(next() * 19);
    const pattern = Array.from({ length: period }, () => (next() * 256) | 0);
    const length = Math.min(size - i, 1 + Math.floor(next() * 3000));
    for (let k = 0; k < length; k++) out[i + k] = pattern[k % period];
    i += length;
  }
  return out;
}

/** A mix of all the above in one buffer, so matches cross kinds of data. */
export function mixed(size: number, seed = 6): Uint8Array {
  const kinds = [textLike, incompressible, structuredBinary, runs];
  const next = random(seed);
  const out = new Uint8Array(size);
  let i = 0;
  while (i < size) {
    const length = Math.min(size - i, 1000 + Math.floor(next() * 40000));
    out.set(kinds[Math.floor(next() * kinds.length)](length, i + seed), i);
    i += length;
  }
  return out;
}

/** Sizes around LZ4's and SIMD's edges: tiny blocks, the 12/13-byte limits, 16-byte lanes, 64 KiB tables. */
export const EDGE_SIZES = [0, 1, 2, 4, 5, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 1000,
  65535, 65536, 65547, 65548, 65549, 131072 + 7];

/** The generated corpus: name → bytes. */
export function corpus(): Record<string, Uint8Array> {
  return {
    text: textLike(300_000),
    weights: floatWeights(100_000),
    incompressible: incompressible(200_000),
    structured: structuredBinary(250_000),
    runs: runs(300_000),
    mixed: mixed(1_200_000),
  };
}
