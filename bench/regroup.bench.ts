// The regroup stage (1.2) on real codes: the int8 per-channel codes of face-api's weights, the tensors pack() regroups,
// cut into 1 MiB chunks (each a multiple of 4 bytes, decoded as float32 so no dequantization runs), decoded through
// pipeline.decodeChunk three ways: the regroup stage alone, [regroup, huffman K] as pack() wrote them, and [huffman 1]
// (one code: what the regroup stage saves space against), all chunks and those of each group count (the SIMD build
// swizzles 16 bytes a step for groups 4 and 8, and transposes 16 rows at a time for 16 groups of multiples of 16
// channels). Both builds in one process, and a baseline build when
// BENCH_BASELINE names another dist/index.mjs (a before/after of a kernel change in the same process).
// MB/s of output, CPU time per call (best of BENCH_ROUNDS rounds); the parent prints the median over BENCH_PROCESSES
// fresh processes (default 3) and the same-process ratios.
// Run: node scripts/bench.mjs regroup   (BENCH_BASELINE=/path/to/dist/index.mjs for a before/after)
import { createEngine, type Engine, type PipelineStage } from 'tensorzip';
import { cpuTimes } from './cpu-times';
import { int8Codes } from './face-api-weights';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME ?? 150);
const CHUNK = 1 << 20;

const simd = await createEngine({ simd: true });
const engines: Record<string, Engine> = { simd, scalar: await createEngine({ simd: false }) };
if (process.env.BENCH_BASELINE) engines['baseline simd'] = await (await import(process.env.BENCH_BASELINE)).createEngine({ simd: true });

interface Chunk { bytes: Uint8Array; pipeline: PipelineStage[]; regrouped: Uint8Array; regroupOnly: Uint8Array; oneCode: Uint8Array }

/** The regrouped tensors' chunks, encoded each way. */
async function chunks(): Promise<Chunk[]> {
  const tensors = int8Codes(simd);
  const archive = await simd.open(await simd.pack(tensors, { quantize: 'lossless' }));
  const out: Chunk[] = [];
  for (const t of archive.tensors) {
    if (t.pipeline[0]?.codec !== 'regroup' || t.pipeline[1]?.codec !== 'huffman') continue;
    const data = tensors[t.name].data;
    const codes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let at = 0; at + 4 <= codes.length; at += CHUNK) {
      const bytes = codes.subarray(at, at + Math.floor(Math.min(CHUNK, codes.length - at) / 4) * 4);
      out.push({
        bytes, pipeline: t.pipeline, regrouped: simd.pipeline.encodeChunk(bytes, t.pipeline),
        regroupOnly: simd.pipeline.encodeChunk(bytes, [t.pipeline[0]]), oneCode: simd.pipeline.encodeChunk(bytes, [{ codec: 'huffman', planes: 1 }]),
      });
    }
  }
  return out;
}

const WAYS = ['regroup alone', 'regroup + huffman K', 'huffman 1'] as const;
type Speeds = Record<string, number>;

const groupsOf = (c: Chunk) => (c.pipeline[0] as { groups: number }).groups;

async function measure(): Promise<Speeds> {
  const all = await chunks();
  const classes: Record<string, Chunk[]> = { all };
  for (const c of all) (classes[`groups ${groupsOf(c)}`] ??= []).push(c);
  const tasks: Record<string, () => unknown> = {};
  const sizes: Record<string, number> = {};
  for (const [label, some] of Object.entries(classes)) {
    const outs = some.map((c) => new Float32Array(c.bytes.length / 4));
    for (const [name, engine] of Object.entries(engines)) {
      const run = (encoded: (c: Chunk) => Uint8Array, stages: (c: Chunk) => PipelineStage[]) => () => some.forEach((c, k) => engine.pipeline.decodeChunk(encoded(c), stages(c), { dtype: 'float32', count: c.bytes.length / 4, out: outs[k] }));
      const ways = [run((c) => c.regroupOnly, (c) => [c.pipeline[0]]), run((c) => c.regrouped, (c) => c.pipeline), run((c) => c.oneCode, () => [{ codec: 'huffman', planes: 1 }])];
      WAYS.forEach((way, w) => {
        const task = `${label}, ${name}: ${way}`;
        tasks[task] = ways[w];
        sizes[task] = some.reduce((n, c) => n + c.bytes.length, 0);
        ways[w]();
        some.forEach((c, k) => { if (!new Uint8Array(outs[k].buffer).every((v, i) => v === c.bytes[i])) throw new Error(`${task}: chunk ${k} decodes otherwise`); });
      });
    }
    sizes[label] = some.reduce((n, c) => n + c.bytes.length, 0);
  }
  const times = await cpuTimes(tasks, ROUNDS, TIME_MS);
  return { ...Object.fromEntries(Object.entries(times).map(([task, ms]) => [task, sizes[task] / 1e3 / ms])), ...Object.fromEntries(Object.keys(classes).map((label) => [`${label} MB`, sizes[label] / 1e6])) };
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  const runs = runFreshProcesses<Speeds>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  const mid = (f: (r: Speeds) => number) => median(runs.map(f));
  const labels = Object.keys(runs[0]).filter((k) => k.endsWith(' MB')).map((k) => k.slice(0, -3));
  console.log(`\n## The regroup stage on face-api's int8 codes, MB/s of output, CPU time, median of ${PROCESSES} processes\n`);
  console.log(`| chunks | MB | build | ${WAYS.join(' | ')} | [regroup, huffman K] / [huffman 1] (same process) |`);
  console.log(`|---|---:|---|${WAYS.map(() => '---:|').join('')}---:|`);
  for (const label of labels) {
    for (const name of Object.keys(engines)) {
      const at = (w: string) => `${label}, ${name}: ${w}`;
      console.log(`| ${label} | ${runs[0][`${label} MB`].toFixed(2)} | ${name} | ${WAYS.map((w) => mid((r) => r[at(w)]).toFixed(0)).join(' | ')} | ${mid((r) => r[at('regroup + huffman K')] / r[at('huffman 1')]).toFixed(2)}x |`);
    }
  }
  const versus = (a: string, b: string) => labels.map((label) => `${label}: ${WAYS.map((w) => `${w} ${mid((r) => r[`${label}, ${a}: ${w}`] / r[`${label}, ${b}: ${w}`]).toFixed(2)}x`).join(', ')}`).join('; ');
  console.log(`\nsimd / scalar (same process): ${versus('simd', 'scalar')}`);
  if (engines['baseline simd']) console.log(`simd / baseline simd (same process): ${versus('simd', 'baseline simd')}`);
}
