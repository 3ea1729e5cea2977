// Where the container's decode of face-api's int8 per-channel codes (the "pack() choice" row of container-entropy)
// spends its time: open() of the archive, then get() of the tensors of each pipeline pack() chose, each set on its own,
// into preallocated arrays (checksums on). Per set: tensors, MB of output, ms per pass, µs per tensor and MB/s, beside
// zstd-3 (wasm-zstd) of the same tensors in the same process. CPU time per pass, best of BENCH_ROUNDS rounds; the parent
// prints the median over BENCH_PROCESSES fresh processes (default 3).
// Run: node scripts/bench.mjs container-int8-pipelines
import * as zstd from '@foxglove/wasm-zstd';
import { createEngine } from 'tensorzip';
import { cpuTimes } from './cpu-times';
import { int8Codes } from './face-api-weights';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME ?? 150);

type Row = { tensors: number; bytes: number; ms: number; zstdMs: number };

async function measure(): Promise<Record<string, Row>> {
  const engine = await createEngine({ simd: true });
  await zstd.isLoaded;
  const codes = int8Codes(engine);
  const file = await engine.pack(codes, { quantize: 'lossless' });
  const archive = await engine.open(file);
  const sets: Record<string, string[]> = { 'all (open + get)': Object.keys(codes) };
  for (const t of archive.tensors) {
    const key = t.pipeline.map((s) => s.codec + ('groups' in s ? ` ${s.groups}` : '')).join(' + ') || 'none';
    (sets[key] ??= []).push(t.name);
  }
  const outs = Object.fromEntries(Object.entries(codes).map(([name, t]) => [name, t.data.slice()]));
  const bytesOf = (name: string) => new Uint8Array(codes[name].data.buffer, codes[name].data.byteOffset, codes[name].data.byteLength);
  const frames = Object.fromEntries(Object.keys(codes).map((name) => [name, zstd.compress(bytesOf(name), 3)]));
  const tasks: Record<string, () => unknown> = { open: () => engine.open(file) };
  for (const [key, names] of Object.entries(sets)) {
    const all = key.startsWith('all');
    tasks[key] = async () => {
      const a = all ? await engine.open(file) : archive;
      for (const name of names) await a.get(name, { out: outs[name] as never });
    };
    tasks[`${key} zstd`] = () => names.forEach((name) => zstd.decompress(frames[name], codes[name].data.byteLength));
  }
  const times = await cpuTimes(tasks, ROUNDS, TIME_MS);
  const rows: Record<string, Row> = { open: { tensors: archive.tensors.length, bytes: 0, ms: times.open, zstdMs: 0 } };
  for (const [key, names] of Object.entries(sets)) {
    rows[key] = { tensors: names.length, bytes: names.reduce((n, name) => n + codes[name].data.byteLength, 0), ms: times[key], zstdMs: times[`${key} zstd`] };
  }
  return rows;
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  const runs = runFreshProcesses<Record<string, Row>>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  console.log(`\n## face-api int8 codes through the container, by pipeline: CPU time per pass, median of ${PROCESSES} processes\n`);
  console.log('| set | tensors | MB | ms | µs per tensor | MB/s | zstd-3 MB/s | / zstd-3 (same process) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [key, row] of Object.entries(runs[0])) {
    const ms = median(runs.map((r) => r[key].ms));
    if (key === 'open') {
      console.log(`| open() | ${row.tensors} | | ${ms.toFixed(2)} | ${(1e3 * ms / row.tensors).toFixed(1)} | | | |`);
      continue;
    }
    const zstdMs = median(runs.map((r) => r[key].zstdMs));
    const ratio = median(runs.map((r) => r[key].zstdMs / r[key].ms));
    console.log(`| ${key} | ${row.tensors} | ${(row.bytes / 1e6).toFixed(2)} | ${ms.toFixed(2)} | ${(1e3 * ms / row.tensors).toFixed(1)} | ${(row.bytes / 1e3 / ms).toFixed(0)} | ${(row.bytes / 1e3 / zstdMs).toFixed(0)} | ${ratio.toFixed(2)}x |`);
  }
}
