// Filters and sparse decoding in GB/s of float32 output, beside memcpy of the output size (Float32Array.set into the
// same preallocated array). Every task writes into a preallocated Float32Array.
// - shuffle + LZ4: float32 weights ~ N(0, 0.02), byte-shuffled (typesize 4) and LZ4-compressed in 1 MiB chunks,
//   decoded by the fused pipeline; beside numcodecs.js Blosc (lz4 + shuffle, c-blosc1 in WASM) on the same values.
// - sparse: the same weights with 70% set to zero, bitmask + values; sparse.unpack, the fused pipeline per 1 MiB
//   chunk, and a plain JS bitmask loop.
// The unfused row allocates two new arrays per call: at 64 MiB, first-touch page faults on this VM (~0.25 GB/s for
// any fresh allocation) dominate it; the fused rows write into the preallocated output.
// Two sizes: 1 Mi values (4 MiB out, cache-resident here) and 16 Mi values (64 MiB, DRAM); numcodecs.js only at the
// small size (~0.25 GB/s: tinybench's minimum of 64 calls would take minutes at 64 MiB).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import Blosc from 'numcodecs/blosc';
import { createEngine, type PipelineStage } from 'tensorzip';
import { floatWeights, random } from '../test/helpers/data';
import { BENCH_SETTINGS, bestMedians } from './best-median';

const simd = await createEngine({ simd: true });
const scalar = await createEngine({ simd: false });
const SIZES = (process.env.BENCH_SIZES ?? '1048576,16777216').split(',').map(Number);
const CHUNK = 262_144; // elements: 1 MiB of float32, the container's default chunk

const SHUFFLE_LZ4: PipelineStage[] = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }];
const SPARSE: PipelineStage[] = [{ codec: 'sparse', format: 'bitmask', width: 4 }];

function chunked(bytes: Uint8Array, stages: PipelineStage[], N: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < N; start += CHUNK) chunks.push(simd.pipeline.encodeChunk(bytes.subarray(start * 4, Math.min(N, start + CHUNK) * 4), stages));
  return chunks;
}

function decodeChunks(engine: typeof simd, chunks: Uint8Array[], stages: PipelineStage[], out: Float32Array): void {
  chunks.forEach((chunk, i) => {
    const start = i * CHUNK;
    const count = Math.min(CHUNK, out.length - start);
    engine.pipeline.decodeChunk(chunk, stages, { dtype: 'float32', count, start, out: out.subarray(start, start + count) });
  });
}

const rows: { group: string; values: number; task: string; gbPerS: number; shareOfMemcpy: number; ratio?: number }[] = [];

for (const N of SIZES) {
  const weightBytes = floatWeights(N);
  const weights = new Float32Array(weightBytes.buffer);
  const next = random(70);
  const pruned = weights.map((w) => (next() < 0.7 ? 0 : w));
  const out = new Float32Array(N);
  const memcpy = () => out.set(weights);

  const shuffled = chunked(weightBytes, SHUFFLE_LZ4, N);
  const frame = simd.lz4.compress(simd.shuffle.shuffle(weightBytes, 4));
  const blosc = Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 });
  const bloscChunk = N <= 1 << 22 ? await blosc.encode(weightBytes) : null;
  const outBytes = new Uint8Array(out.buffer);

  const packed = simd.sparse.pack(pruned, { format: 'bitmask' });
  const sparseChunks = chunked(new Uint8Array(pruned.buffer), SPARSE, N);
  const mask = packed.subarray(16, 16 + Math.ceil(N / 8));
  const values = new Float32Array(packed.slice(16 + mask.length).buffer);

  const groups: Record<string, { tasks: Record<string, () => unknown>; ratio: Record<string, number> }> = {
    'shuffle + LZ4 → float32': {
      tasks: {
        'tensorzip simd (fused, 1 MiB chunks)': () => decodeChunks(simd, shuffled, SHUFFLE_LZ4, out),
        'tensorzip scalar (fused, 1 MiB chunks)': () => decodeChunks(scalar, shuffled, SHUFFLE_LZ4, out),
        'tensorzip simd (lz4.decompress, then shuffle.unshuffle)': () => out.set(new Float32Array(simd.shuffle.unshuffle(simd.lz4.decompress(frame), 4).buffer)),
        ...(bloscChunk ? { 'numcodecs.js Blosc lz4+shuffle': async () => { await blosc.decode(bloscChunk, outBytes); } } : {}),
        'memcpy (set)': memcpy,
      },
      ratio: {
        'tensorzip simd (fused, 1 MiB chunks)': (N * 4) / shuffled.reduce((n, c) => n + c.length, 0),
        ...(bloscChunk ? { 'numcodecs.js Blosc lz4+shuffle': (N * 4) / bloscChunk.length } : {}),
      },
    },
    'sparse bitmask (70% zeros) → float32': {
      tasks: {
        'tensorzip simd (sparse.unpack)': () => simd.sparse.unpack(packed, out),
        'tensorzip simd (fused, 1 MiB chunks)': () => decodeChunks(simd, sparseChunks, SPARSE, out),
        'tensorzip scalar (fused, 1 MiB chunks)': () => decodeChunks(scalar, sparseChunks, SPARSE, out),
        'JS bitmask loop': () => {
          let v = 0;
          for (let i = 0; i < N; i++) out[i] = (mask[i >> 3] >> (i & 7)) & 1 ? values[v++] : 0;
        },
        'memcpy (set)': memcpy,
      },
      ratio: { 'tensorzip simd (sparse.unpack)': (N * 4) / packed.length },
    },
  };

  for (const [name, { tasks, ratio }] of Object.entries(groups)) {
    const bestMs = await bestMedians(`${name} ${N}`, tasks);
    const bytes = N * 4;
    const memcpyGbs = bytes / 1e6 / bestMs['memcpy (set)'];
    console.log(`\n## ${name} — ${N} values, ${bytes / 2 ** 20} MiB out: GB/s of output, share of memcpy, ratio\n`);
    for (const [task, ms] of Object.entries(bestMs)) {
      const gbs = bytes / 1e6 / ms;
      rows.push({ group: name, values: N, task, gbPerS: gbs, shareOfMemcpy: gbs / memcpyGbs, ratio: ratio[task] });
      console.log(`| ${task} | ${gbs.toFixed(2)} GB/s | ${(gbs / memcpyGbs * 100).toFixed(0)}% | ${ratio[task]?.toFixed(3) ?? ''} |`);
    }
  }
}

const file = 'bench/results/filters.json';
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...BENCH_SETTINGS, rows }, null, 2) + '\n');
console.log(`\nraw results: ${file}`);
