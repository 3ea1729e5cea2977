// Writes test/golden/v1.3/context.tzip, a file of format version 1.3 whose tensors use the huffman_ctx stage (context
// blocks: two Huffman codes chosen by the byte before in each stream), and for each tensor the values it must decode
// to, as context-<name>.npy. Run by hand after `npm run build` (`node scripts/make-golden-tzip-1.3-context.mjs`), never
// in CI: the files are frozen, and every later reader must decode them to exactly these values. The script checks
// that each tensor's pipeline ends with huffman_ctx.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.3/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1313;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
/** Codes on `mode` 40% of the time, else near it right after it in the stream, spread elsewhere. */
function codes(size, mode, near, far) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const spread = i >= 4 && out[i - 4] === mode ? near : far;
    out[i] = next() < 0.4 ? mode : (mode + Math.round((next() + next() + next() - 1.5) * spread)) & 255;
  }
  return out;
}

const tensors = {
  // One plane: uint8 codes as they are.
  'codes': { dtype: 'uint8', shape: [96, 128], data: codes(96 * 128, 128, 2, 40) },
  // Two chunks, each its own blocks.
  'two.chunks': { dtype: 'uint8', shape: [10000], data: codes(10000, 7, 3, 60) },
  // int16 values: shuffled into 2 planes, one context block each.
  'wide': { dtype: 'int16', shape: [4096], data: Int16Array.from(codes(4096, 0, 2, 30), (c, i) => (c << 8) - 32768 + (i % 3)) },
};
const options = { quantize: 'lossless', chunkBytes: 8192, metadata: { golden: 'v1.3 huffman_ctx' } };

const file = await pack(tensors, options);
const archive = await open(file);
for (const t of archive.tensors) {
  const last = t.pipeline.at(-1);
  if (last?.codec !== 'huffman_ctx') throw new Error(`the golden file wants ${t.name} through huffman_ctx, found ${t.pipeline.map((s) => s.codec).join('+')}`);
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`context-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
writeFileSync(new URL('context.tzip', dir), file);
console.log(`${file.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.pipeline.map((s) => s.codec + (s.planes ?? '')).join('+')}`).join(', ')}`);
