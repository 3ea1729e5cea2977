// Writes test/golden/v1/: .tzip files of format version 1.0 in both layouts, and for each tensor the values it must
// decode to, as .npy. Run by hand after `npm run build` (`node scripts/make-golden-tzip.mjs`), never in CI: the files
// are frozen, and every later reader must decode them to exactly these values.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createWriter, npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 2024;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = (n, scale, zeros = 0) => Float32Array.from({ length: n }, () => (next() < zeros ? 0 : (next() + next() + next() - 1.5) * scale));

const tensors = {
  'conv.weight': { dtype: 'float32', shape: [16, 3, 3, 3], data: normal(432, 0.2) },      // 'auto' → lossless (< 1024)
  'fc.weight': { dtype: 'float32', shape: [64, 48], data: normal(3072, 0.05) },            // int8 per output channel
  'pruned.weight': { dtype: 'float32', shape: [64, 64], data: normal(4096, 0.05, 0.75) },  // int8 + bitmask
  'emb.weight': { dtype: 'float32', shape: [32, 64], data: normal(2048, 1) },              // rule: fp16
  'proj.weight': { dtype: 'float32', shape: [32, 64], data: normal(2048, 0.1) },           // rule: int4 blocks of 32
  'fc.bias': { dtype: 'float32', shape: [64], data: normal(64, 0.01) },
  'position_ids': { dtype: 'int64', shape: [2, 8], data: BigInt64Array.from({ length: 16 }, (_, i) => BigInt(i % 8)) },
  'mask': { dtype: 'bool', shape: [10], data: Uint8Array.from({ length: 10 }, (_, i) => i % 3 === 0) },
};
const options = { chunkBytes: 4096, rules: [{ match: 'emb.*', quantize: 'fp16' }, { match: 'proj.*', quantize: 'int4' }], metadata: { golden: 'v1' } };

const indexFirst = await pack(tensors, options);
writeFileSync(new URL('index-first.tzip', dir), indexFirst);

const parts = [];
const writer = createWriter({ write: (bytes) => parts.push(bytes.slice()) }, options);
for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
await writer.finish();
writeFileSync(new URL('index-last.tzip', dir), Buffer.concat(parts));

const archive = await open(indexFirst);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${t.pipeline.map((s) => s.codec).join('+')}`).join('\n'));
