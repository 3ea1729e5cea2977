// Writes test/golden/v1.4/rans.tzip, a file of format version 1.4 whose tensors use the rans stage (rANS blocks with
// one table and with two, chosen by the byte before in each stream), and for each tensor the values it must decode
// to, as rans-<name>.npy. Run by hand after `npm run build` (`node scripts/make-golden-tzip-1.4-rans.mjs`), never in
// CI: the files are frozen, and every later reader must decode them to exactly these values. The script checks that
// each tensor's pipeline ends with rans (test/golden-v1.4-rans.test.ts checks that both kinds of mode 4 block occur).
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.4/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1414;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
/** Codes on `mode` with probability `p`, else near it right after it in the stream (`near`), spread elsewhere. */
function codes(size, p, mode, near, far) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const spread = i >= 4 && out[i - 4] === mode ? near : far;
    out[i] = next() < p ? mode : (mode + Math.round((next() + next() + next() - 1.5) * spread)) & 255;
  }
  return out;
}
/** Skewed codes with no dependence on the byte before: one table. */
const skewed = (size) => Uint8Array.from({ length: size }, () => (next() < 0.85 ? 100 : 100 + Math.round((next() - 0.5) * 12)));

const tensors = {
  // One plane: uint8 codes, two tables.
  'codes': { dtype: 'uint8', shape: [96, 128], data: codes(96 * 128, 0.8, 128, 1, 6) },
  // One table.
  'skewed': { dtype: 'uint8', shape: [8192], data: skewed(8192) },
  // Two chunks, each its own blocks.
  'two.chunks': { dtype: 'uint8', shape: [10000], data: codes(10000, 0.85, 7, 1, 5) },
  // int16 values: shuffled into 2 planes, one block each.
  'wide': { dtype: 'int16', shape: [4096], data: Int16Array.from(codes(4096, 0.8, 0, 1, 5), (c, i) => (c << 8) - 32768 + (i % 3 === 0 ? 1 : 0)) },
};
const options = { quantize: 'lossless', chunkBytes: 8192, metadata: { golden: 'v1.4 rans' } };

const file = await pack(tensors, options);
if (file[5] !== 4) throw new Error(`expected minor version 4, found ${file[5]}`);
const archive = await open(file);
for (const t of archive.tensors) {
  const last = t.pipeline.at(-1);
  if (last?.codec !== 'rans') throw new Error(`the golden file wants ${t.name} through rans, found ${t.pipeline.map((s) => s.codec).join('+')}`);
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`rans-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
writeFileSync(new URL('rans.tzip', dir), file);
console.log(`${file.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.pipeline.map((s) => s.codec + (s.planes ?? '')).join('+')}`).join(', ')}`);
