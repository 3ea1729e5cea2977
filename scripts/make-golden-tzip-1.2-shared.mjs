// Writes test/golden/v1.2/shared-ranges.tzip, a file of format version 1.2 whose chunks share ranges, and for each
// tensor the values it must decode to, as shared-ranges-<name>.npy. Run by hand after `npm run build`
// (`node scripts/make-golden-tzip-1.2-shared.mjs`), never in CI: the files are frozen, and every later reader must
// decode them to exactly these values. The script checks that the ranges it wants shared are.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.2/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1202;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = () => next() + next() + next() - 1.5;

const weights = Float32Array.from({ length: 4096 }, () => normal() * 0.05);
const tensors = {
  // Tied weights, lossless (shuffle + a compressor): every chunk of 'decoder.weight' is one of 'embed.weight'.
  'embed.weight': { dtype: 'float32', shape: [64, 64], data: weights },
  'decoder.weight': { dtype: 'float32', shape: [64, 64], data: weights.slice() },
  // int8 codes of the same weights twice: the code chunks are shared, the parameter blocks never.
  'then.weight': { dtype: 'float32', shape: [32, 128], data: weights.slice() },
  'else.weight': { dtype: 'float32', shape: [32, 128], data: weights.slice() },
  // One tensor whose 4 chunks are equal: one range listed 4 times.
  'tiles': { dtype: 'int16', shape: [8192], data: Int16Array.from({ length: 8192 }, (_, i) => (i % 2048) * 13 - 9000) },
};
const options = { chunkBytes: 4096, rules: [{ match: 'then.weight', quantize: 'int8' }, { match: 'else.weight', quantize: 'int8' }, { match: '*', quantize: 'lossless' }], metadata: { golden: 'v1.2 shared ranges' } };

const file = await pack(tensors, options);
const at = Number(new DataView(file.buffer).getBigUint64(8, true));
const index = JSON.parse(new TextDecoder().decode(file.subarray(at, at + Number(new DataView(file.buffer).getBigUint64(16, true)))));
const ranges = Object.fromEntries(index.tensors.map((t) => [t.name, t.chunks.map((c) => c.join())]));
const params = index.tensors.filter((t) => t.stored.params).map((t) => t.stored.params.join());
const check = (ok, what) => { if (!ok) throw new Error(`the golden file wants ${what}`); };
check(file[5] === 2, 'minor version 2');
check(ranges['embed.weight'].join() === ranges['decoder.weight'].join(), 'embed and decoder sharing every chunk');
check(ranges['then.weight'].join() === ranges['else.weight'].join(), 'then and else sharing every chunk');
check(params.length === 2 && params[0] !== params[1], 'two parameter blocks, apart');
check(ranges.tiles.length === 4 && new Set(ranges.tiles).size === 1, 'the 4 chunks of tiles in one range');
writeFileSync(new URL('shared-ranges.tzip', dir), file);
const archive = await open(file);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`shared-ranges-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(`${file.length} bytes; ${archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${t.pipeline.map((s) => s.codec).join('+')}`).join(', ')}`);
