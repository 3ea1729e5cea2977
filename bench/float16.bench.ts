// 16-bit and 8-bit float conversion throughput in GB/s of output: tensorzip (SIMD and scalar builds) beside
// @petamoriken/float16, a plain JS table decoder (the one tfjs-core uses) and memcpy of the output size, in one
// process, on 1 Mi float32 weights ~ N(0, 0.02). Best median of interleaved rounds (see best-median.ts).
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { createEngine } from 'tensorzip';
import { floatWeights } from '../test/helpers/data';
import { bestMedians } from './best-median';
import { tfjsTableDecode } from './tfjs-float16-tables';

const simd = await createEngine({ simd: true });
const scalar = await createEngine({ simd: false });

const N = 1 << 20;
const weights = new Float32Array(floatWeights(N).buffer);
const halves = simd.quant.encodeFloat16(weights);
const brains = simd.quant.encodeBfloat16(weights);
const e4m3 = simd.quant.encodeFp8E4M3(new Float32Array(weights.map((w) => w * 4000))); // weights scaled into fp8's range
const f32Target = new Float32Array(N);
const u16Target = new Uint16Array(N);
const e4m3Target = new Uint8Array(N);

const outBits = new Uint32Array(f32Target.buffer);
const halfView = new DataView(halves.buffer);
const u16View = new DataView(u16Target.buffer);

const groups: Record<string, { outputBytes: number; tasks: Record<string, () => unknown> }> = {
  'float16 → float32': {
    outputBytes: N * 4,
    tasks: {
      'tensorzip simd': () => simd.quant.decodeFloat16(halves),
      'tensorzip scalar': () => scalar.quant.decodeFloat16(halves),
      '@petamoriken/float16 (getFloat16)': () => { for (let i = 0; i < N; i++) f32Target[i] = getFloat16(halfView, i * 2, true); },
      'JS table loop (tfjs-core)': () => tfjsTableDecode(halves, outBits),
      'memcpy (set)': () => f32Target.set(weights),
    },
  },
  'float32 → float16': {
    outputBytes: N * 2,
    tasks: {
      'tensorzip simd': () => simd.quant.encodeFloat16(weights),
      'tensorzip scalar': () => scalar.quant.encodeFloat16(weights),
      '@petamoriken/float16 (setFloat16)': () => { for (let i = 0; i < N; i++) setFloat16(u16View, i * 2, weights[i], true); },
      'memcpy (set)': () => u16Target.set(halves),
    },
  },
  'bfloat16 → float32': {
    outputBytes: N * 4,
    tasks: {
      'tensorzip simd': () => simd.quant.decodeBfloat16(brains),
      'tensorzip scalar': () => scalar.quant.decodeBfloat16(brains),
      'JS shift loop': () => { for (let i = 0; i < N; i++) outBits[i] = brains[i] << 16; },
      'memcpy (set)': () => f32Target.set(weights),
    },
  },
  'fp8 E4M3FN → float32': {
    outputBytes: N * 4,
    tasks: {
      'tensorzip simd': () => simd.quant.decodeFp8E4M3(e4m3),
      'tensorzip scalar': () => scalar.quant.decodeFp8E4M3(e4m3),
      'memcpy (set)': () => f32Target.set(weights),
    },
  },
  'float32 → fp8 E4M3FN': {
    outputBytes: N,
    tasks: {
      'tensorzip simd': () => simd.quant.encodeFp8E4M3(weights),
      'tensorzip scalar': () => scalar.quant.encodeFp8E4M3(weights),
      'memcpy (set)': () => e4m3Target.set(e4m3),
    },
  },
  'float32 → bfloat16': {
    outputBytes: N * 2,
    tasks: {
      'tensorzip simd': () => simd.quant.encodeBfloat16(weights),
      'tensorzip scalar': () => scalar.quant.encodeBfloat16(weights),
      'memcpy (set)': () => u16Target.set(brains),
    },
  },
};

for (const [name, { outputBytes, tasks }] of Object.entries(groups)) {
  const bestMs = await bestMedians(name, tasks);
  const memcpy = outputBytes / 1e6 / bestMs['memcpy (set)'];
  console.log(`\n## ${name} (${N} values, ${outputBytes / 2 ** 20} MiB out): GB/s of output, and share of memcpy\n`);
  for (const [task, ms] of Object.entries(bestMs)) {
    const gbs = outputBytes / 1e6 / ms;
    console.log(`| ${task} | ${gbs.toFixed(2)} GB/s | ${(gbs / memcpy * 100).toFixed(0)}% |`);
  }
}
