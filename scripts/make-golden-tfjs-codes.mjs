// Writes test/golden/v1.1/tfjs-codes.tzip: format 1.1's stored types tfjs_uint8 and tfjs_uint16 (TF.js codes with
// their float64 scale and min) and the lossless float16 / bfloat16 storage of exactly representable float32 tensors,
// beside a plain float32 tensor; and for each tensor the values it must decode to, as tfjs-codes.<name>.npy. Run by
// hand after `npm run build` (`node scripts/make-golden-tfjs-codes.mjs`), never in CI: the files are frozen.
import { mkdirSync, writeFileSync } from 'node:fs';
import { npy, open, pack, quant } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.1/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1911;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = (n, scale) => Float32Array.from({ length: n }, () => (next() + next() + next() - 1.5) * scale);
const bits = (...words) => new Float32Array(Uint32Array.from(words).buffer);

// Codes as TF.js's converter writes them: a pattern that repeats every 100 values (LZ4 finds it), and roughly
// normal values with one outlier (the high bytes of their uint16 codes vary little: shuffle + LZ4 shrink them).
const periodic = Float32Array.from({ length: 3000 }, (_, i) => 0.3 * Math.sin((i % 100) * 0.37) + 0.1 * Math.cos(i % 7));
const u8 = quant.encodeTfjsWeight(periodic, 'uint8');
const narrow = normal(1500, 0.01);
narrow[700] = 1; // one outlier sets the range, as in real weights
const u16 = quant.encodeTfjsWeight(narrow, 'uint16');
// Exact float16 values, with -0, a subnormal, ±Inf and a quiet NaN carrying a payload.
const halves = quant.decodeFloat16(quant.encodeFloat16(normal(1200, 2)));
halves.set(bits(0x80000000, 0x33800000, 0x7f800000, 0xff800000, 0x7fc02000), 0);
// Exact bfloat16 values past float16's range, with -0, a float32 subnormal and a quiet NaN.
const brains = quant.decodeBfloat16(quant.encodeBfloat16(normal(800, 1e6)));
brains.set(bits(0x80000000, 0x00010000, 0x7fc10000), 0);

const tensors = {
  'conv/kernel': { quantized: { dtype: 'tfjs_uint8', shape: [3, 1000], data: u8.data, scale: u8.quantization.scale, min: u8.quantization.min } },
  'dense/kernel': { quantized: { dtype: 'tfjs_uint16', shape: [30, 50], data: u16.data, scale: u16.quantization.scale, min: u16.quantization.min } },
  'embed.halves': { dtype: 'float32', shape: [40, 30], data: halves },
  'embed.brains': { dtype: 'float32', shape: [800], data: brains },
  'plain': { dtype: 'float32', shape: [300], data: normal(300, 1) },
};
const file = await pack(tensors, { quantize: 'lossless', chunkBytes: 4096, metadata: { golden: 'v1.1 tfjs-codes' } });
writeFileSync(new URL('tfjs-codes.tzip', dir), file);

const archive = await open(file);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`tfjs-codes.${t.name.replace('/', '.')}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${t.pipeline.map((s) => s.codec).join('+')} ${t.encodedBytes}`).join('\n'));
console.log(`${file.length} bytes, version ${file[4]}.${file[5]}`);
