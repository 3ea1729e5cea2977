// LZ4 compress / decompress throughput and ratio: tensorzip (SIMD and scalar builds) beside lz4js, lz4-wasm
// (lz4_flex; its Node build lz4-wasm-nodejs), @foxglove/wasm-lz4 (decode only) and a memcpy baseline, in one
// process, on generated data and on real files npm packages ship. MB/s counts uncompressed bytes (lzbench's
// convention), from each task's best median time per call over interleaved rounds (see best-median.ts).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as lz4js from 'lz4js';
import * as lz4wasm from 'lz4-wasm-nodejs';
import foxglove from '@foxglove/wasm-lz4';
import { createEngine } from 'tensorzip';
import { BENCH_SETTINGS, bestMedians } from './best-median';
import { framing, lz4Inputs } from './lz4-inputs';

const simd = await createEngine({ simd: true });
const scalar = await createEngine({ simd: false });
await foxglove.isLoaded;

const inputs = lz4Inputs();

function same(a: Uint8Array | number[], b: Uint8Array): boolean {
  return a.length === b.length && b.every((v, i) => a[i] === v);
}

function lz4ToolSize(input: Uint8Array, args: string[]): number | undefined {
  try {
    return execFileSync('lz4', [...args, '-c'], { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] }).length;
  } catch {
    return undefined;
  }
}

interface Row { input: string; bytes: number; op: string; codec: string; mbPerS: number; ratio: number }
const rows: Row[] = [];

for (const [name, input] of Object.entries(inputs)) {
  const frameOptions = framing[name]?.options;
  const frame = simd.lz4.compress(input, frameOptions);
  const frames = {
    'tensorzip simd': frame,
    'tensorzip scalar': scalar.lz4.compress(input, frameOptions),
    lz4js: Uint8Array.from(lz4js.compress(input)),
    'lz4-wasm': lz4wasm.compress(input),
  };
  // Every codec's output must decode to the input before it is timed.
  if (!same(simd.lz4.decompress(frames['tensorzip scalar']), input)) throw new Error(`${name}: tensorzip frame does not round-trip`);
  if (!same(lz4js.decompress(frames.lz4js), input)) throw new Error(`${name}: lz4js does not round-trip`);
  if (!same(lz4wasm.decompress(frames['lz4-wasm']), input)) throw new Error(`${name}: lz4-wasm does not round-trip`);
  if (!same(foxglove(frame, input.length), input)) throw new Error(`${name}: foxglove cannot decode tensorzip's frame`);

  const target = new Uint8Array(input.length);
  const tasks: Record<'compress' | 'decompress', Record<string, () => unknown>> = {
    compress: {
      'tensorzip simd': () => simd.lz4.compress(input, frameOptions),
      'tensorzip scalar': () => scalar.lz4.compress(input, frameOptions),
      lz4js: () => lz4js.compress(input),
      'lz4-wasm': () => lz4wasm.compress(input),
      'memcpy (set)': () => target.set(input),
    },
    decompress: {
      'tensorzip simd': () => simd.lz4.decompress(frame),
      'tensorzip scalar': () => scalar.lz4.decompress(frame),
      lz4js: () => lz4js.decompress(frames.lz4js),
      'lz4-wasm': () => lz4wasm.decompress(frames['lz4-wasm']),
      '@foxglove/wasm-lz4': () => foxglove(frame, input.length),
      'memcpy (set)': () => target.set(input),
      'memcpy (new + set)': () => new Uint8Array(input.length).set(input),
    },
  };
  for (const op of ['compress', 'decompress'] as const) {
    const bestMs = await bestMedians(`${name} ${op}`, tasks[op]);
    for (const [codec, ms] of Object.entries(bestMs)) {
      const compressed = (frames as Record<string, Uint8Array>)[codec]?.length ?? (codec.includes('foxglove') ? frame.length : input.length);
      rows.push({ input: name, bytes: input.length, op, codec, mbPerS: input.length / 1e6 / (ms / 1e3), ratio: input.length / compressed });
    }
  }
  const toolArgs = framing[name]?.lz4Args ?? ['-1'];
  const tool = lz4ToolSize(input, toolArgs);
  const mine = frame.length;
  console.log(`${name} (${input.length} B): tensorzip ${mine} B${tool ? `, lz4 ${toolArgs.join(' ')} ${tool} B (ours ${((mine / tool - 1) * 100).toFixed(2)}%)` : ''}`);
  if (tool) rows.push({ input: name, bytes: input.length, op: 'size', codec: `lz4 ${toolArgs.join(' ')} (tool)`, mbPerS: 0, ratio: input.length / tool });
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
for (const op of ['compress', 'decompress']) {
  const codecs = [...new Set(rows.filter((r) => r.op === op).map((r) => r.codec))];
  console.log(`\n## ${op}: MB/s (ratio)\n`);
  console.log(`| input | ${codecs.join(' | ')} |`);
  console.log(`|---|${codecs.map(() => '---:').join('|')}|`);
  for (const name of Object.keys(inputs)) {
    const cells = codecs.map((c) => rows.find((r) => r.input === name && r.op === op && r.codec === c)!).map((r) => `${fmt(r.mbPerS)} (${r.ratio.toFixed(3)})`);
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}
// The comparison with @foxglove/wasm-lz4 over several processes is lz4-decode.bench.ts.
console.log('\n## tensorzip simd decode speed relative to memcpy (set) and to the scalar build\n');
console.log('| input | vs memcpy | simd vs scalar |\n|---|---:|---:|');
for (const name of Object.keys(inputs)) {
  const speed = (codec: string) => rows.find((r) => r.input === name && r.op === 'decompress' && r.codec === codec)!.mbPerS;
  console.log(`| ${name} | ${(speed('tensorzip simd') / speed('memcpy (set)')).toFixed(3)} | ${(speed('tensorzip simd') / speed('tensorzip scalar')).toFixed(2)}x |`);
}

const out = 'bench/results/lz4.json';
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...BENCH_SETTINGS, rows }, null, 2) + '\n');
console.log(`\nraw results: ${out}`);
