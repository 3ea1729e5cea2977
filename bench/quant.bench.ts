// Dequantization throughput in GB/s of float32 output: tensorzip (SIMD and scalar builds) beside a plain JS loop of
// the same formula, @petamoriken/float16 and tfjs-core's table decoder where they apply, and memcpy of the output
// size (Float32Array.set into the same preallocated array). Every task writes into a preallocated Float32Array,
// except "tensorzip simd, arena": it decodes into an arena the size of one result (createArena), and resets the
// arena before every call, so its time includes a reset per result (the most often a user would reset).
// Weights ~ N(0, 0.02); two sizes: 1 Mi values (4 MiB out, cache-resident here) and 16 Mi values (64 MiB, DRAM).
// Best median of interleaved rounds (see best-median.ts).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { getFloat16 } from '@petamoriken/float16';
import { createArena, createEngine, type QuantizedInput } from 'tensorzip';
import { floatWeights } from '../test/helpers/data';
import { BENCH_SETTINGS, bestMedians } from './best-median';
import { tfjsTableDecode } from './tfjs-float16-tables';

const simd = await createEngine({ simd: true });
const scalar = await createEngine({ simd: false });

const SIZES = (process.env.BENCH_SIZES ?? '1048576,16777216').split(',').map(Number);

const rows: { group: string; values: number; task: string; gbPerS: number; shareOfMemcpy: number }[] = [];

for (const N of SIZES) {
  const weights = new Float32Array(floatWeights(N).buffer);
  const out = new Float32Array(N);
  const outBits = new Uint32Array(out.buffer);
  const source = weights.slice();
  const int8 = simd.quant.quantize(weights, { dtype: 'int8' });
  const int8PerRow = simd.quant.quantize(weights, { dtype: 'int8', shape: [N / 1024, 1024], axis: 0 });
  const tfjs = simd.quant.encodeTfjsWeight(weights, 'uint8');
  const halves = simd.quant.encodeFloat16(weights);
  const q4 = simd.quant.quantize(weights, { dtype: 'q4_0' });
  const int8Codes = int8.data as Int8Array;
  const scale = int8.scale![0];
  const tfjsCodes = tfjs.data as Uint8Array;
  const { min, scale: tfjsScale } = tfjs.quantization as { min: number; scale: number };
  const halfView = new DataView(halves.buffer);
  const memcpy = () => out.set(source);
  const arena = await createArena({ bytes: N * 4, simd: true });
  const inArena = (decode: () => unknown) => () => {
    arena.reset();
    decode();
  };
  const float16: QuantizedInput = { dtype: 'float16', shape: [N], data: halves, scale: null, zeroPoint: null, axis: null, blockSize: null };

  const groups: Record<string, Record<string, () => unknown>> = {
    'int8 → float32 (per tensor)': {
      'tensorzip simd': () => simd.quant.dequantize(int8, out),
      'tensorzip simd, arena': inArena(() => arena.quant.dequantize(int8)),
      'tensorzip scalar': () => scalar.quant.dequantize(int8, out),
      'JS loop': () => { for (let i = 0; i < N; i++) out[i] = int8Codes[i] * scale; },
      'memcpy (set)': memcpy,
    },
    'int8 → float32 (per row of 1024)': {
      'tensorzip simd': () => simd.quant.dequantize(int8PerRow, out),
      'memcpy (set)': memcpy,
    },
    'uint8 (TF.js) → float32': {
      'tensorzip simd': () => simd.quant.decodeTfjsWeight(tfjsCodes, tfjs.quantization, out),
      'tensorzip simd, arena': inArena(() => arena.quant.decodeTfjsWeight(tfjsCodes, tfjs.quantization)),
      'tensorzip scalar': () => scalar.quant.decodeTfjsWeight(tfjsCodes, tfjs.quantization, out),
      'JS loop (tfjs-core formula)': () => { for (let i = 0; i < N; i++) out[i] = tfjsCodes[i] * tfjsScale + min; },
      'memcpy (set)': memcpy,
    },
    'float16 → float32': {
      'tensorzip simd': () => simd.quant.dequantize(float16, out),
      'tensorzip simd, arena': inArena(() => arena.quant.dequantize(float16)),
      'tensorzip scalar': () => scalar.quant.dequantize(float16, out),
      'JS table loop (tfjs-core)': () => tfjsTableDecode(halves, outBits),
      // ~0.01 GB/s: at 64 MiB, tinybench's minimum of 64 calls would take minutes.
      ...(N <= 1 << 20 ? { '@petamoriken/float16 (getFloat16)': () => { for (let i = 0; i < N; i++) out[i] = getFloat16(halfView, i * 2, true); } } : {}),
      'memcpy (set)': memcpy,
    },
    'Q4_0 → float32': {
      'tensorzip simd': () => simd.quant.dequantize(q4, out),
      'tensorzip simd, arena': inArena(() => arena.quant.dequantize(q4)),
      'tensorzip scalar': () => scalar.quant.dequantize(q4, out),
      'memcpy (set)': memcpy,
    },
  };

  for (const [name, tasks] of Object.entries(groups)) {
    const bestMs = await bestMedians(`${name} ${N}`, tasks);
    const bytes = N * 4;
    const memcpyGbs = bytes / 1e6 / bestMs['memcpy (set)'];
    console.log(`\n## ${name} — ${N} values, ${bytes / 2 ** 20} MiB out: GB/s of output, share of memcpy\n`);
    for (const [task, ms] of Object.entries(bestMs)) {
      const gbs = bytes / 1e6 / ms;
      rows.push({ group: name, values: N, task, gbPerS: gbs, shareOfMemcpy: gbs / memcpyGbs });
      console.log(`| ${task} | ${gbs.toFixed(2)} GB/s | ${(gbs / memcpyGbs * 100).toFixed(0)}% |`);
    }
  }
}

const out = 'bench/results/quant.json';
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...BENCH_SETTINGS, rows }, null, 2) + '\n');
console.log(`\nraw results: ${out}`);
