// Entropy blocks on real weights: the seven TF.js models @vladmandic/face-api ships, as the bytes the entropy stage
// will meet — the shipped uint8 shards; int8 per-channel codes of the weights (quant.quantize); the four byte planes
// of the float32 weights (shuffle) and the two of the weights rounded to float16. Every class is cut into 1 MiB
// blocks, as the container cuts chunks, and each codec codes the same blocks.
// - ratio: input / coded bytes, beside the order-0 bound (Σ over blocks of n·H(block) / 8: what any order-0 coder
//   of these blocks could reach without a table) and the share of it reached;
// - the same blocks as the container's huffman_ctx (1.3), rans (1.4) and rans_lanes (1.5) stages code them (one block
//   per 1 MiB chunk, through their kernels, copied in and out as entropy.decode does);
// - decode MB/s of output: entropy.decode into a caller's array, the huffman, huffman_ctx, rans and rans_lanes kernels alone inside
//   WebAssembly memory (no copy in or out), our LZ4 block decoder, node's brotli (quality 9) and deflate (level 6), numcodecs.js Blosc zstd (level
//   3, no shuffle: the planes are already split), and memcpy;
// - encode MB/s of entropy.encode and of the rans and rans_lanes kernels.
// Times are CPU time of this process per call (process.cpuUsage), so other processes on a shared machine do not count;
// each process takes the best of BENCH_ROUNDS rounds in which the codecs take turns, on a 4 MiB sample of each class,
// and the parent prints the median over BENCH_PROCESSES fresh processes (default 3). "cold" is the first call of a
// fresh process (wall time: table building, tier-up, first allocation).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import Blosc from 'numcodecs/blosc';
import { createEngine } from 'tensorzip';
import { loadKernels } from '../src/wasm/load';
import { blocksOf, concat, order0Bound } from './bytes';
import { cpuTimes } from './cpu-times';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME ?? 100);
const SAMPLE = 4 << 20;
const DIR = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];

const engine = await createEngine({ simd: true });
const kernels = await loadKernels(true);
/** The huffman_ctx and rans block kernels' own instance: its arena is reset per call, the one above holds blocks. */
const blockKernels = await loadKernels(true);
const blosc = Blosc.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 3, shuffle: 0, blocksize: 0 });

/** The byte classes, each as one array. */
function classes(): Record<string, Uint8Array> {
  const shards: Uint8Array[] = [];
  const codes: Uint8Array[] = [];
  const floats: Float32Array[] = [];
  for (const model of MODELS) {
    const manifest = JSON.parse(readFileSync(`${DIR}/${model}-weights_manifest.json`, 'utf8'));
    const files = Object.fromEntries(manifest.flatMap((g: { paths: string[] }) => g.paths)
      .map((p: string) => [p, new Uint8Array(readFileSync(`${DIR}/${p}`))]));
    shards.push(...Object.values(files) as Uint8Array[]);
    for (const t of Object.values(engine.tfjs.read({ modelJson: { weightsManifest: manifest }, shards: files }))) {
      if (!(t.data instanceof Float32Array)) continue; // a few int32 tensors
      const data = t.data;
      floats.push(data);
      const q = t.shape.length === 0 ? engine.quant.quantize(data, { dtype: 'int8', shape: [] })
        : engine.quant.quantize(data, { dtype: 'int8', shape: t.shape, axis: t.shape.length - 1 });
      codes.push(new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength));
    }
  }
  const f32 = concat(floats.map((f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength)));
  const f16 = engine.quant.quantize(new Float32Array(f32.buffer), { dtype: 'float16', shape: [f32.length / 4] }).data;
  const planes32 = engine.shuffle.shuffle(f32, 4);
  const planes16 = engine.shuffle.shuffle(f16, 2);
  const plane = (planes: Uint8Array, count: number, i: number) => planes.subarray(i * (planes.length / count), (i + 1) * (planes.length / count));
  return {
    'uint8 TF.js shards': concat(shards),
    'int8 codes (per channel)': concat(codes),
    'float32 byte 3 (sign, exponent)': plane(planes32, 4, 3),
    'float32 byte 2': plane(planes32, 4, 2),
    'float32 bytes 0–1': concat([plane(planes32, 4, 0), plane(planes32, 4, 1)]),
    'float16 high byte': plane(planes16, 2, 1),
    'float16 low byte': plane(planes16, 2, 0),
  };
}

interface Codec {
  encode(block: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /** Decodes into `out` (the block's size). */
  decode(coded: Uint8Array, out: Uint8Array): Promise<unknown> | unknown;
}

type BlockEncoder = 'huffmanContextEncode' | 'ransEncode' | 'ransLanesEncode';
type BlockDecoder = 'huffmanContextDecode' | 'ransDecode' | 'ransLanesDecode';

/** One block kernel pair through WebAssembly memory, copied in and out. */
function blockKernel(encode: BlockEncoder, decode: BlockDecoder): Codec {
  const k = blockKernels.exports;
  return {
    encode: (b) => {
      blockKernels.reset();
      const cap = k.huffmanBound(b.length);
      const src = blockKernels.alloc(b.length);
      const dst = blockKernels.alloc(cap);
      blockKernels.heap.set(b, src);
      const size = k[encode](src, b.length, dst, cap);
      if (size < 0) throw new Error(`${encode}: status ${size}`);
      return blockKernels.heap.slice(dst, dst + size);
    },
    decode: (c, out) => {
      blockKernels.reset();
      const src = blockKernels.alloc(c.length);
      const dst = blockKernels.alloc(out.length);
      blockKernels.heap.set(c, src);
      const size = k[decode](src, c.length, dst, out.length);
      if (size !== out.length) throw new Error(`${decode}: status ${size}`);
      out.set(blockKernels.heap.subarray(dst, dst + size));
    },
  };
}

const CODECS: Record<string, Codec> = {
  'tensorzip entropy': { encode: (b) => engine.entropy.encode(b), decode: (c, out) => engine.entropy.decode(c, { out }) },
  'tensorzip huffman_ctx': blockKernel('huffmanContextEncode', 'huffmanContextDecode'),
  'tensorzip rans': blockKernel('ransEncode', 'ransDecode'),
  'tensorzip rans_lanes': blockKernel('ransLanesEncode', 'ransLanesDecode'),
  'tensorzip lz4 block': {
    encode: (b) => engine.lz4.compressBlock(b),
    decode: (c, out) => out.set(engine.lz4.decompressBlock(c, { outputSize: out.length })),
  },
  'brotli-9': {
    encode: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
    decode: (c, out) => out.set(brotliDecompressSync(c)),
  },
  'deflate-6': { encode: (b) => deflateRawSync(b, { level: 6 }), decode: (c, out) => out.set(inflateRawSync(c)) },
  'Blosc zstd-3': { encode: (b) => blosc.encode(b), decode: (c, out) => blosc.decode(c, out) },
};

type Speeds = Record<string, Record<string, { warm: number; cold: number }>>;

/** One process: decode (and entropy encode) MB/s per class and codec on the class's first SAMPLE bytes. */
async function measure(): Promise<Speeds> {
  const speeds: Speeds = {};
  for (const [name, bytes] of Object.entries(classes())) {
    const blocks = blocksOf(bytes.subarray(0, SAMPLE));
    const size = blocks.reduce((s, b) => s + b.length, 0);
    const outs = blocks.map((b) => new Uint8Array(b.length));
    const tasks: Record<string, () => unknown> = {};
    const cold: Record<string, number> = {};
    for (const [codec, c] of Object.entries(CODECS)) {
      const coded = await Promise.all(blocks.map((b) => c.encode(b)));
      const decodeAll = async () => {
        for (let i = 0; i < blocks.length; i++) await c.decode(coded[i], outs[i]);
      };
      const started = performance.now();
      await decodeAll();
      cold[codec] = performance.now() - started;
      for (let i = 0; i < blocks.length; i++) if (!outs[i].every((v, j) => v === blocks[i][j])) throw new Error(`${codec}: ${name} block ${i} differs`);
      tasks[codec] = decodeAll;
    }
    // The kernel alone, on blocks already in WebAssembly memory.
    const k = kernels.exports;
    kernels.reset();
    const place = (codec: Codec, decode: 'huffmanDecode' | BlockDecoder, task: string) => {
      const placed = blocks.map((b) => {
        const coded = codec.encode(b) as Uint8Array;
        const src = kernels.alloc(coded.length);
        kernels.heap.set(coded, src);
        return { src, length: coded.length, dst: kernels.alloc(b.length), size: b.length };
      });
      tasks[task] = () => {
        for (const p of placed) k[decode](p.src, p.length, p.dst, p.size);
      };
    };
    place(CODECS['tensorzip entropy'], 'huffmanDecode', 'entropy kernel only');
    place(CODECS['tensorzip huffman_ctx'], 'huffmanContextDecode', 'huffman_ctx kernel only');
    place(CODECS['tensorzip rans'], 'ransDecode', 'rans kernel only');
    place(CODECS['tensorzip rans_lanes'], 'ransLanesDecode', 'rans_lanes kernel only');
    tasks.memcpy = () => {
      for (let i = 0; i < blocks.length; i++) outs[i].set(blocks[i]);
    };
    tasks['entropy encode'] = () => {
      for (const b of blocks) engine.entropy.encode(b);
    };
    tasks['rans encode'] = () => {
      for (const b of blocks) CODECS['tensorzip rans'].encode(b);
    };
    tasks['rans_lanes encode'] = () => {
      for (const b of blocks) CODECS['tensorzip rans_lanes'].encode(b);
    };
    const times = await cpuTimes(tasks, ROUNDS, TIME_MS);
    speeds[name] = Object.fromEntries(Object.entries(times).map(([task, ms]) => [task, {
      warm: size / 1e3 / ms,
      cold: cold[task] === undefined ? -1 : size / 1e3 / cold[task],
    }]));
  }
  return speeds;
}

if (isChild()) {
  console.log(JSON.stringify(await measure()));
} else {
  // Ratios on the whole classes, once.
  const ratios: Record<string, Record<string, number>> = {};
  const bounds: Record<string, { bytes: number; bound: number }> = {};
  for (const [name, bytes] of Object.entries(classes())) {
    const blocks = blocksOf(bytes);
    bounds[name] = { bytes: bytes.length, bound: order0Bound(blocks) };
    ratios[name] = {};
    for (const [codec, c] of Object.entries(CODECS)) {
      let coded = 0;
      for (const b of blocks) coded += (await c.encode(b)).length;
      ratios[name][codec] = bytes.length / coded;
    }
    console.log(`${name}: ratios done`);
  }
  const runs = runFreshProcesses<Speeds>(PROCESSES, (p) => console.log(`process ${p} of ${PROCESSES} done`));
  const speed = (name: string, task: string, kind: 'warm' | 'cold') => median(runs.map((r) => r[name]![task]![kind]));
  const codecs = Object.keys(CODECS);
  console.log(`\n## Ratio (whole classes, 1 MiB blocks)\n`);
  console.log(`| bytes | MB | order-0 bound | ${codecs.join(' | ')} | entropy / bound |\n|---|---:|---:|${codecs.map(() => '---:|').join('')}---:|`);
  for (const [name, { bytes, bound }] of Object.entries(bounds)) {
    const ours = ratios[name]['tensorzip entropy'];
    console.log(`| ${name} | ${(bytes / 1e6).toFixed(1)} | ${(bytes / bound).toFixed(3)}x | ${codecs.map((c) => `${ratios[name][c].toFixed(3)}x`).join(' | ')} | ${(100 * ours / (bytes / bound)).toFixed(1)}% |`);
  }
  const tasks = ['entropy kernel only', 'huffman_ctx kernel only', 'rans kernel only', 'rans_lanes kernel only', ...codecs, 'memcpy'];
  console.log(`\n## Decode MB/s of output, warm (cold), median of ${PROCESSES} processes, CPU time; entropy, rans and rans_lanes encode MB/s\n`);
  console.log(`| bytes | ${tasks.join(' | ')} | entropy encode | rans encode | rans_lanes encode |\n|---|${tasks.map(() => '---:|').join('')}---:|---:|---:|`);
  for (const name of Object.keys(bounds)) {
    const cell = (task: string) => {
      const cold = speed(name, task, 'cold');
      return `${speed(name, task, 'warm').toFixed(0)}${cold < 0 ? '' : ` (${cold.toFixed(0)})`}`;
    };
    console.log(`| ${name} | ${tasks.map(cell).join(' | ')} | ${speed(name, 'entropy encode', 'warm').toFixed(0)} | ${speed(name, 'rans encode', 'warm').toFixed(0)} | ${speed(name, 'rans_lanes encode', 'warm').toFixed(0)} |`);
  }
  const out = 'bench/results/entropy.json';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, processes: PROCESSES, rounds: ROUNDS, timePerTaskMs: TIME_MS, bounds, ratios, runs }, null, 2) + '\n');
  console.log(`\nraw results: ${out}`);
}
