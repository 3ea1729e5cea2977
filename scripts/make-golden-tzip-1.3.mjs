// Writes test/golden/v1.3/: the same tensors as a file of format version 1.3 in both layouts — index-first.tzip
// (pack) and index-last.tzip (ContainerWriter) — each with a compressed index (flag bit 0) and packed chunks (flag
// bit 1), and for each tensor the values it must decode to, as <name>.npy. Run by hand after `npm run build`
// (`node scripts/make-golden-tzip-1.3.mjs`), never in CI: the files are frozen, and every later reader must decode
// them to exactly these values. The script checks the flags and the layouts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createWriter, npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.3/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1303;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = () => next() + next() + next() - 1.5;

const tensors = {
  // Lossless float32 weights over several chunks (shuffle and a compressor).
  'conv.weight': { dtype: 'float32', shape: [32, 96], data: Float32Array.from({ length: 32 * 96 }, () => normal() * 0.05) },
  // Small tensors, as a model has hundreds of: their chunks are packed one after another.
  ...Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`block${k}.bias`, { dtype: 'float32', shape: [5 + k], data: Float32Array.from({ length: 5 + k }, () => normal()) }])),
  'labels': { dtype: 'uint8', shape: [300], data: Uint8Array.from({ length: 300 }, () => Math.floor(next() * 4)) },
  'ids': { dtype: 'int32', shape: [3, 7], data: Int32Array.from({ length: 21 }, (_, i) => i * i - 50) },
  // int8 codes with a parameter block.
  'fc.weight': { dtype: 'float32', shape: [16, 64], data: Float32Array.from({ length: 1024 }, () => normal() * 0.1) },
};
const options = { chunkBytes: 4096, rules: [{ match: 'fc.weight', quantize: 'int8' }, { match: '*', quantize: 'lossless' }], metadata: { golden: 'v1.3 compressed index, packed chunks' } };

const first = await pack(tensors, options);
const parts = [];
const writer = createWriter({ write: (p) => void parts.push(p.slice()) }, options);
for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
await writer.finish();
const last = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => (last.set(p, at), at + p.length), 0);

const check = (ok, what) => { if (!ok) throw new Error(`the golden files want ${what}`); };
for (const [name, file] of [['index-first', first], ['index-last', last]]) {
  const view = new DataView(file.buffer);
  check(file[5] === 3 && view.getUint16(6, true) === 3, `${name}: minor version 3, flags 3`);
  writeFileSync(new URL(`${name}.tzip`, dir), file);
}
check(new DataView(last.buffer).getBigUint64(8, true) === 0n, 'index-last: the index given by the footer only');
const archive = await open(first);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(`${first.length} and ${last.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${t.pipeline.map((s) => s.codec).join('+')}`).join(', ')}`);
