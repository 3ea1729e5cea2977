// Where the decode time of pack()'s choice goes on int8 codes (face-api's weights, per-channel int8, 12.5 MB; the
// container-entropy bench's class), per pipeline kind and per phase:
// - in a pass: one open() and a get() of every tensor into preallocated arrays, as container-entropy times it; each
//   get() timed inside the pass (wall) and summed per kind, the pass itself in CPU time;
// - per chunk, each phase alone and warm: the copy into WebAssembly memory, the kernel call (assembly/pipeline.ts)
//   with the checksum and without it (their difference is the checksum's cost: about 0, or below 0 by noise, where the
//   Huffman loop hashes beside its lookups), each stage alone on its input, the copy out.
// The median over BENCH_PROCESSES fresh processes (default 3).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createEngine, type PipelineStage } from 'tensorzip';
import { OP } from '../src/codecs/pipeline/stages';
import { loadKernels } from '../src/wasm/load';
import { int8Codes } from './face-api-weights';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const PASSES = Number(process.env.BENCH_PASSES ?? 120);
const CHUNK = 1 << 20;

type Phases = Record<string, number>;
type Run = { passMs: number; openMs: number; kinds: Record<string, { tensors: number; bytes: number; inPassMs: number } & Phases> };

/** CPU milliseconds per call of `f`: the best of 5 rounds of at least `ms` each. */
function cpuMs(f: () => unknown, ms = 2): number {
  f();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let calls = 0;
    do {
      f();
      calls++;
    } while (performance.now() - started < ms);
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000 / calls);
  }
  return best;
}

/** A stage as the kernel's program record (src/codecs/pipeline/decode.ts runProgram writes the same). */
function record(stage: PipelineStage, stored: number): number[] {
  const s = stage as PipelineStage & Record<string, number>;
  switch (stage.codec) {
    case 'lz4': return [OP.lz4];
    case 'huffman': return [OP.huffman, s.planes];
    case 'huffman_ctx': return [OP.huffmanContext, s.planes];
    case 'rans': return [OP.rans, s.planes];
    case 'rans_lanes': return [OP.ransLanes, s.planes];
    case 'regroup': return [OP.regroup, s.groups, s.channels, s.run];
    case 'shuffle': return [OP.shuffle, s.typesize];
    case 'sparse': return stage.format === 'bitmask' ? [OP.bitmask, stored / s.width, s.width]
      : stage.format === 'csr' ? [OP.csr, 1, stored / s.width, s.width] : [OP.twoOfFour, stored / s.width, s.width];
    default: throw new Error(`no record for ${stage.codec}`);
  }
}

async function measure(): Promise<Run> {
  const engine = await createEngine({ simd: true });
  const kernels = await loadKernels(true);
  const tensors = int8Codes(engine);
  const file = await engine.pack(tensors, { quantize: 'lossless' });
  const names = Object.keys(tensors);
  const outs = Object.fromEntries(names.map((n) => [n, (tensors[n].data as Int8Array).slice()]));
  const pipelines = new Map((await engine.open(file)).tensors.map((t) => [t.name, t.pipeline]));
  const kindOf = (n: string) => pipelines.get(n)!.map((s) => s.codec + ('planes' in s ? s.planes : '')).join('+') || 'none';
  const kinds: Run['kinds'] = {};
  for (const n of names) {
    const k = (kinds[kindOf(n)] ??= { tensors: 0, bytes: 0, inPassMs: 0 });
    k.tensors++;
    k.bytes += tensors[n].data.byteLength;
  }

  // Passes: CPU time per pass (the best), open() and each kind's get()s in wall time (the median over passes).
  const perPass: Record<string, number[]> = { open: [] };
  let passMs = Infinity;
  for (let p = 0; p < PASSES; p++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const archive = await engine.open(file);
    perPass.open.push(performance.now() - started);
    const here: Record<string, number> = {};
    for (const n of names) {
      const at = performance.now();
      await archive.get(n, { out: outs[n] as never });
      here[kindOf(n)] = (here[kindOf(n)] ?? 0) + performance.now() - at;
    }
    for (const [kind, ms] of Object.entries(here)) (perPass[kind] ??= []).push(ms);
    const used = process.cpuUsage(cpu);
    if (p > 0) passMs = Math.min(passMs, (used.user + used.system) / 1000);
  }
  for (const [kind, k] of Object.entries(kinds)) k.inPassMs = median(perPass[kind]);

  // Phases, chunk by chunk through the kernel.
  for (const n of names) {
    const k = kinds[kindOf(n)];
    const stages = pipelines.get(n)! as PipelineStage[];
    const data = new Uint8Array(tensors[n].data.buffer, tensors[n].data.byteOffset, tensors[n].data.byteLength);
    const add = (phase: string, ms: number) => (k[phase] = (k[phase] ?? 0) + ms);
    for (let at = 0; at < data.length; at += CHUNK) {
      const plain = data.subarray(at, at + CHUNK);
      const encoded = engine.pipeline.encodeChunk(plain, stages);
      const out = outs[n].subarray(at, at + plain.length) as unknown as Uint8Array;
      kernels.reset();
      const cap = 2 * plain.length + 65536;
      const src = kernels.alloc(encoded.length);
      const scratchA = kernels.alloc(cap);
      const scratchB = kernels.alloc(cap);
      const dst = kernels.alloc(plain.length);
      const program = kernels.alloc(32 * 8);
      const sum = kernels.alloc(16);
      const heap = kernels.heap;
      add('copy in', cpuMs(() => heap.set(encoded, src), 1));
      if (stages.length === 0) {
        add('checksum', cpuMs(() => kernels.xxh32(src, encoded.length), 1));
        add('copy out', cpuMs(() => out.set(encoded), 1));
        continue;
      }
      const records = stages.map((s) => record(s, plain.length)).reverse();
      const program32 = new Int32Array(heap.buffer, program, 64);
      const load = (list: number[][]) => {
        program32.fill(0);
        list.forEach((r, i) => program32.set(r, 8 * i));
      };
      load(records);
      const run = (checksum: number) => kernels.exports.decodeChunk(program, records.length, src, encoded.length, scratchA, scratchB, cap, dst, plain.length, checksum);
      if (run(sum) !== plain.length) throw new Error(`${n}: the chunk does not decode`);
      const withSum = cpuMs(() => run(sum), 1);
      const without = cpuMs(() => run(0), 1);
      add('kernel', withSum);
      add('checksum', withSum - without);
      let input = src;
      let length = encoded.length;
      records.forEach((r, i) => {
        load([r]);
        const output = i % 2 === 0 ? scratchA : scratchB;
        const [from, len] = [input, length];
        const written = kernels.exports.decodeChunk(program, 1, from, len, scratchA, scratchB, cap, output, cap, 0);
        add(`stage ${stages[stages.length - 1 - i].codec}`, cpuMs(() => kernels.exports.decodeChunk(program, 1, from, len, scratchA, scratchB, cap, output, cap, 0), 1));
        input = output;
        length = written;
      });
      add('copy out', cpuMs(() => out.set(heap.subarray(dst, dst + plain.length)), 1));
    }
  }
  return { passMs, openMs: median(perPass.open), kinds };
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  const loadBefore = loadavg();
  const runs = runFreshProcesses<Run>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  const loadAfter = loadavg();
  const decoded = Object.values(runs[0].kinds).reduce((n, k) => n + k.bytes, 0);
  const passMs = median(runs.map((r) => r.passMs));
  console.log(`\n## int8 codes, pack() choice: ${(decoded / 1e6).toFixed(2)} MB decoded, a pass (open + every get) ${passMs.toFixed(2)} ms CPU = ${(decoded / 1e3 / passMs).toFixed(0)} MB/s; open() ${median(runs.map((r) => r.openMs)).toFixed(2)} ms (median of ${PROCESSES} processes)\n`);
  const phases = [...new Set(runs.flatMap((r) => Object.values(r.kinds).flatMap((k) => Object.keys(k))))].filter((p) => !['tensors', 'bytes', 'inPassMs'].includes(p));
  console.log(`| pipeline | tensors | MB | in a pass, ms | ${phases.map((p) => `${p}, ms`).join(' | ')} |`);
  console.log(`|---|---:|---:|---:|${phases.map(() => '---:|').join('')}`);
  const kinds = Object.keys(runs[0].kinds).sort((a, b) => runs[0].kinds[b].inPassMs - runs[0].kinds[a].inPassMs);
  for (const kind of kinds) {
    const k = runs[0].kinds[kind];
    const cell = (p: string) => (p in k ? median(runs.map((r) => r.kinds[kind][p] as number)).toFixed(3) : '');
    console.log(`| ${kind} | ${k.tensors} | ${(k.bytes / 1e6).toFixed(3)} | ${median(runs.map((r) => r.kinds[kind].inPassMs)).toFixed(3)} | ${phases.map(cell).join(' | ')} |`);
  }
  const out = 'bench/results/int8-decode-phases.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: { before: loadBefore, after: loadAfter }, processes: PROCESSES, passes: PASSES, runs }, null, 2) + '\n');
  console.log(`\nload average (1, 5, 15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(', ')}; after: ${loadAfter.map((l) => l.toFixed(2)).join(', ')}\n\nraw results: ${out}`);
}
