// Writes test/golden/v1.2/entries.tzip, a file of format version 1.2 holding entries (a model's non-tensor files)
// and a tfjs-graph model, and beside it the bytes and values it must decode to: each entry's bytes under
// entries/<name>, each tensor as entries-<name>.npy. Run by hand after `npm run build`
// (`node scripts/make-golden-tzip-1.2-entries.mjs`), never in CI: the files are frozen. The entries are shaped so
// that pack() stores one with LZ4, one with a Huffman code and one as it is; the script checks it did.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.2/', import.meta.url);

let seed = 1202;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const text = (s) => new TextEncoder().encode(s);

const modelJson = {
  format: 'graph-model', generatedBy: 'golden', convertedBy: 'make-golden-tzip-1.2-entries.mjs',
  modelTopology: { node: Array.from({ length: 40 }, (_, i) => ({ name: `dense_${i}/MatMul`, op: 'MatMul', input: [`x_${i}`, `dense_${i}/kernel`] })) },
};
const entries = {
  // Repeats: LZ4.
  'model.json': { data: text(JSON.stringify(modelJson)), mediaType: 'application/json' },
  // Letters with skewed frequencies and no repeats worth a match: a Huffman code.
  'assets/labels.txt': { data: text(Array.from({ length: 6000 }, () => 'etaoinshr'[Math.floor(9 * next() ** 3)]).join('')), mediaType: 'text/plain' },
  // Noise: stored as it is.
  'assets/noise.bin': { data: Uint8Array.from({ length: 3000 }, () => Math.floor(next() * 256)) },
};
const expected = { 'model.json': 'lz4', 'assets/labels.txt': 'huffman1', 'assets/noise.bin': '' };
const tensors = {
  'dense/kernel': { dtype: 'float32', shape: [40, 30], data: Float32Array.from({ length: 1200 }, () => next() - 0.5) },
  'dense/bias': { dtype: 'float32', shape: [30], data: Float32Array.from({ length: 30 }, (_, i) => i / 8) },
};

const file = await pack(tensors, { entries, model: { kind: 'tfjs-graph', entry: 'model.json' }, quantize: 'lossless', metadata: { golden: 'v1.2 entries' } });
const archive = await open(file);
const shown = (e) => e.pipeline.map((s) => s.codec + (s.planes ?? s.width ?? s.typesize ?? '')).join('+');
for (const e of archive.entries) {
  if (shown(e) !== expected[e.name]) throw new Error(`${e.name}: pack chose ${shown(e)}, the golden file wants ${expected[e.name]}`);
}
mkdirSync(new URL('entries/assets/', dir), { recursive: true });
writeFileSync(new URL('entries.tzip', dir), file);
for (const e of archive.entries) writeFileSync(new URL(`entries/${e.name}`, dir), await archive.getEntry(e.name));
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`entries-${t.name.replace('/', '.')}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(archive.entries.map((e) => `${e.name}: ${e.size} → ${e.encodedBytes} ${shown(e)}`).join('\n'));
