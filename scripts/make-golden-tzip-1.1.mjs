// Writes test/golden/v1.1/stages.tzip, a file of format version 1.1 using its huffman and palette stages, and for
// each tensor the values it must decode to, as stages-<name>.npy. Run by hand after `npm run build`
// (`node scripts/make-golden-tzip-1.1.mjs`), never in CI: the files are frozen, and every later reader must decode
// them to exactly these values. The data is shaped so that pack() picks each stage; the script checks it did.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.1/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 2026;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = () => next() + next() + next() - 1.5;

const tensors = {
  // int8 codes of peaked weights: huffman planes 1.
  'codes.weight': { dtype: 'float32', shape: [32, 128], data: Float32Array.from({ length: 4096 }, () => normal() ** 3 * 0.05) },
  // float32 in [0.5, 2): the top byte is always 0x3f (a run block), the lowest is noise (a raw block): shuffle 4 +
  // huffman planes 4.
  'gain': { dtype: 'float32', shape: [2048], data: Float32Array.from({ length: 2048 }, () => 1.25 + normal() * 0.4) },
  // 40 levels: palette 4 with 1-byte indices + huffman planes 1.
  'levels.weight': { dtype: 'float32', shape: [32, 64], data: Float32Array.from({ length: 2048 }, () => Math.round(normal() * 20) * 0.01) },
  // 300 values spread over uint16: palette 2 with u16 indices + shuffle 2 + huffman planes 2.
  'ids': { dtype: 'uint16', shape: [4000], data: ((values) => Uint16Array.from({ length: 4000 }, () => values[Math.floor(300 * next() ** 2)]))(Uint16Array.from({ length: 300 }, () => Math.floor(next() * 65536))) },
};
const expected = {
  'codes.weight': 'huffman1', 'gain': 'shuffle4+huffman4', 'levels.weight': 'palette4+huffman1', 'ids': 'palette2+shuffle2+huffman2',
};
const options = { chunkBytes: 16384, rules: [{ match: 'levels.*', quantize: 'lossless' }, { match: '*.weight', quantize: 'int8' }], metadata: { golden: 'v1.1 stages' } };

const file = await pack(tensors, options);
const archive = await open(file);
const shown = (t) => t.pipeline.map((s) => s.codec + (s.planes ?? s.width ?? s.typesize ?? '')).join('+');
for (const t of archive.tensors) {
  if (shown(t) !== expected[t.name]) throw new Error(`${t.name}: pack chose ${shown(t)}, the golden file wants ${expected[t.name]}`);
}
writeFileSync(new URL('stages.tzip', dir), file);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`stages-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${shown(t)}`).join('\n'));
