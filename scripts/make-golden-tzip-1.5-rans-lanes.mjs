// Writes test/golden/v1.5/rans-lanes.tzip, a file of format version 1.5 whose tensors use the rans_lanes stage (mode 5
// blocks with one table and with two, chosen by the byte 64 positions before), and for each tensor the values it must
// decode to, as rans-lanes-<name>.npy. Run by hand after `npm run build` (`node scripts/make-golden-tzip-1.5-rans-lanes.mjs`),
// never in CI: the files are frozen, and every later reader must decode them to exactly these values. The script
// checks that each tensor's pipeline ends with rans_lanes (test/golden-v1.5-rans-lanes.test.ts checks that mode 5
// blocks of both kinds occur).
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.5/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1515;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
/** Codes on `mode` with probability `p`, else near it right after it in the lane (64 before: `near`), spread elsewhere. */
function codes(size, p, mode, near, far) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const spread = i >= 64 && out[i - 64] === mode ? near : far;
    out[i] = next() < p ? mode : (mode + Math.round((next() + next() + next() - 1.5) * spread)) & 255;
  }
  return out;
}
/** Codes on 90 60% of the time, else spread over 200 values, with no dependence on the bytes before: one table, about
 *  4 bits a byte, where rANS beats Huffman codes (0.74 bits for the 90s, not 1). */
const spread = (size) => Uint8Array.from({ length: size }, () => (next() < 0.6 ? 90 : Math.floor(next() * 200)));

const tensors = {
  // Two tables: the byte 64 before tells.
  'context': { dtype: 'uint8', shape: [256, 256], data: codes(256 * 256, 0.8, 128, 1, 8) },
  // One table, in two chunks of 128 KiB, each a mode 5 block.
  'order0': { dtype: 'uint8', shape: [2, 131072], data: spread(2 * 131072) },
};
const options = { quantize: 'lossless', chunkBytes: 131072, metadata: { golden: 'v1.5 rans_lanes' } };

const file = await pack(tensors, options);
if (file[5] !== 5) throw new Error(`expected minor version 5, found ${file[5]}`);
const archive = await open(file);
for (const t of archive.tensors) {
  const last = t.pipeline.at(-1);
  if (last?.codec !== 'rans_lanes') throw new Error(`the golden file wants ${t.name} through rans_lanes, found ${t.pipeline.map((s) => s.codec).join('+')}`);
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`rans-lanes-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
writeFileSync(new URL('rans-lanes.tzip', dir), file);
console.log(`${file.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.pipeline.map((s) => s.codec + (s.planes ?? '')).join('+')}`).join(', ')}`);
