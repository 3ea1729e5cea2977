// LZ4 decode speed, tensorzip (SIMD build) against @foxglove/wasm-lz4 (the reference C decoder, Emscripten) on the same
// frames, repeated in BENCH_PROCESSES fresh Node processes (default 5). On this kind of machine one process can be
// several percent faster or slower than the next for the same code (where V8 places each module's compiled code
// differs), so a single run cannot tell 0.97x from 1.03x; the median over processes can. Each process times both
// decoders side by side on every input (see best-median.ts) and reports the ratios; this one prints their median
// and range.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import foxglove from '@foxglove/wasm-lz4';
import { createEngine } from 'tensorzip';
import { BENCH_SETTINGS, bestMedians } from './best-median';
import { framing, lz4Inputs } from './lz4-inputs';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const CHILD = 'TENSORZIP_BENCH_CHILD';

/** One process's measurement: per input, tensorzip's and foxglove's MB/s. */
async function measure(): Promise<Record<string, { tensorzip: number; foxglove: number }>> {
  const { lz4 } = await createEngine({ simd: true });
  await foxglove.isLoaded;
  const speeds: Record<string, { tensorzip: number; foxglove: number }> = {};
  for (const [name, input] of Object.entries(lz4Inputs())) {
    const frame = lz4.compress(input, framing[name]?.options);
    const back = foxglove(frame, input.length);
    if (back.length !== input.length || !back.every((v, i) => v === input[i])) throw new Error(`${name}: foxglove cannot decode the frame`);
    const ms = await bestMedians(name, { tensorzip: () => lz4.decompress(frame), foxglove: () => foxglove(frame, input.length) });
    const mbPerS = (t: number) => input.length / 1e3 / t;
    speeds[name] = { tensorzip: mbPerS(ms.tensorzip), foxglove: mbPerS(ms.foxglove) };
  }
  return speeds;
}

if (process.env[CHILD]) {
  console.log(JSON.stringify(await measure()));
} else {
  const runs: Record<string, { tensorzip: number; foxglove: number }>[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const output = execFileSync(process.execPath, [process.argv[1]!], { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8' });
    runs.push(JSON.parse(output));
    console.log(`process ${p + 1} of ${PROCESSES} done`);
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  console.log(`\n## LZ4 decode, tensorzip simd / @foxglove/wasm-lz4, over ${PROCESSES} processes\n`);
  console.log('| input | median ratio | range | tensorzip MB/s (median) | foxglove MB/s (median) |\n|---|---:|---:|---:|---:|');
  const rows = Object.keys(runs[0]!).map((input) => {
    const ratios = runs.map((run) => run[input]!.tensorzip / run[input]!.foxglove);
    const row = {
      input,
      medianRatio: median(ratios),
      minRatio: Math.min(...ratios),
      maxRatio: Math.max(...ratios),
      tensorzipMbPerS: median(runs.map((run) => run[input]!.tensorzip)),
      foxgloveMbPerS: median(runs.map((run) => run[input]!.foxglove)),
    };
    console.log(`| ${input} | ${row.medianRatio.toFixed(3)}x | ${row.minRatio.toFixed(3)}–${row.maxRatio.toFixed(3)} | ${row.tensorzipMbPerS.toFixed(0)} | ${row.foxgloveMbPerS.toFixed(0)} |`);
    return row;
  });
  const out = 'bench/results/lz4-decode.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, processes: PROCESSES, ...BENCH_SETTINGS, rows }, null, 2) + '\n');
  console.log(`\nraw results: ${out}`);
}
