// Writes test/golden/v1.6/predict.tzip, a file of format version 1.6 whose tensors use the predict stage — every
// weight, lags under 16 (the scalar loop) and over (the SIMD loop) — and for each tensor the values it must decode
// to, as predict-<name>.npy. Run by hand after `npm run build` (`node scripts/make-golden-tzip-1.6-predict.mjs`), never
// in CI: the files are frozen, and every later reader must decode them to exactly these values. The script checks
// that each tensor's pipeline starts with the predict stage at the weight and lag its name says.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.6/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1616;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
/** int8 codes where each is ⌊weight · (the code `lag` before) / 4⌋ plus noise of ±`noise` — the stage's own model, one
 *  process running on across the rows, as a chunk sees them. */
function codes(rows, rowLength, lag, weight, noise) {
  const out = new Int8Array(rows * rowLength);
  for (let i = 0; i < out.length; i++) {
    const guess = i >= lag ? (weight * out[i - lag]) >> 2 : 0;
    out[i] = Math.max(-127, Math.min(127, guess + Math.round((next() + next() - 1) * noise)));
  }
  return out;
}

const tensors = {
  'w1-lag5': { dtype: 'int8', shape: [128, 160], data: codes(128, 160, 5, 1, 90) },
  'w2-lag40': { dtype: 'int8', shape: [128, 160], data: codes(128, 160, 40, 2, 60) },
  'w3-lag7': { dtype: 'int8', shape: [128, 140], data: codes(128, 140, 7, 3, 30) },
  'w4-lag96': { dtype: 'int8', shape: [64, 1536], data: codes(64, 1536, 96, 4, 6) },
};
const options = { quantize: 'lossless', chunkBytes: 16384, metadata: { golden: 'v1.6 predict' } };

const file = await pack(tensors, options);
if (file[5] !== 6) throw new Error(`expected minor version 6, found ${file[5]}`);
const archive = await open(file);
for (const t of archive.tensors) {
  const [, weight, lag] = /^w(\d)-lag(\d+)$/.exec(t.name).map(Number);
  const first = t.pipeline[0];
  if (first?.codec !== 'predict' || first.weight !== weight || first.lag !== lag) throw new Error(`the golden file wants ${t.name} through predict ${lag}/${weight}, found ${JSON.stringify(t.pipeline)}`);
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`predict-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
writeFileSync(new URL('predict.tzip', dir), file);
console.log(`${file.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.pipeline.map((s) => s.codec + (s.planes ?? '') + (s.lag ? `${s.lag}/${s.weight}` : '')).join('+')}`).join(', ')}`);
