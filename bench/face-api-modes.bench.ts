// face-api's 7 TF.js models as pack() writes them in each mode, per model, against brotli-11 of the shipped shards
// (each shard alone, as a CDN serves them): lossless and `auto` of the shipped uint8 codes (tfjs.read with codes:
// `auto` keeps them exact), and `int8` of the float32 weights (per-channel codes, lossy). Per file: its bytes, the
// tensors' encoded bytes without the index (what auto-rd.bench.ts compares), and how many tensors chose the rans stage
// (format 1.4) and the bytes they hold. Run: node scripts/bench.mjs face-api-modes
import { brotliCompressSync, constants } from 'node:zlib';
import { init, open, pack, tfjs } from 'tensorzip';
import { FACE_API_MODELS, loadFaceApiModel } from '../test/helpers/face-api';

await init();

const brotli11 = (bytes: Uint8Array) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;

interface Written { file: number; tensors: number; rans: number; ransBytes: number }

async function written(file: Uint8Array): Promise<Written> {
  const archive = await open(file);
  const rans = archive.tensors.filter((t) => t.pipeline.some((s) => s.codec === 'rans'));
  return { file: file.length, tensors: archive.tensors.reduce((n, t) => n + t.encodedBytes, 0), rans: rans.length, ransBytes: rans.reduce((n, t) => n + t.encodedBytes, 0) };
}

const rows: Record<string, Record<string, number | Written>> = {};
for (const name of FACE_API_MODELS) {
  const model = await loadFaceApiModel(name);
  const shards = Object.values(model.shards);
  const codes = tfjs.read(model, { codes: true });
  const started = performance.now();
  const lossless = await pack(codes, { quantize: 'lossless' });
  const packMs = performance.now() - started;
  rows[name] = {
    shipped: shards.reduce((n, s) => n + s.length, 0),
    brotli11: shards.reduce((n, s) => n + brotli11(s), 0),
    lossless: await written(lossless),
    losslessPackMs: packMs,
    auto: await written(await pack(codes, { quantize: 'auto' })),
    int8: await written(await pack(tfjs.read(model), { quantize: 'int8' })),
  };
  console.error(`${name} done`);
}

const pct = (a: number, b: number) => `${a < b ? '' : '+'}${((100 * (a - b)) / b).toFixed(1)}%`;
const total = (key: 'lossless' | 'auto' | 'int8', field: keyof Written) => Object.values(rows).reduce((n, r) => n + (r[key] as Written)[field], 0);
console.log('| model | shipped | brotli-11 | lossless file | vs brotli | auto file | vs brotli | auto tensors | vs brotli | int8 file | vs brotli | rans tensors (lossless) | lossless pack s |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, r] of Object.entries(rows)) {
  const [l, a, i] = [r.lossless as Written, r.auto as Written, r.int8 as Written];
  const b = r.brotli11 as number;
  console.log(`| ${name} | ${r.shipped} | ${b} | ${l.file} | ${pct(l.file, b)} | ${a.file} | ${pct(a.file, b)} | ${a.tensors} | ${pct(a.tensors, b)} | ${i.file} | ${pct(i.file, b)} | ${l.rans} (${l.ransBytes} B) | ${((r.losslessPackMs as number) / 1e3).toFixed(1)} |`);
}
const b = Object.values(rows).reduce((n, r) => n + (r.brotli11 as number), 0);
const shipped = Object.values(rows).reduce((n, r) => n + (r.shipped as number), 0);
console.log(`| total | ${shipped} | ${b} | ${total('lossless', 'file')} | ${pct(total('lossless', 'file'), b)} | ${total('auto', 'file')} | ${pct(total('auto', 'file'), b)} | ${total('auto', 'tensors')} | ${pct(total('auto', 'tensors'), b)} | ${total('int8', 'file')} | ${pct(total('int8', 'file'), b)} | ${total('lossless', 'rans')} (${total('lossless', 'ransBytes')} B) | |`);
