// Cold open(): the first open() of a file in a fresh Node process (V8's first, unoptimized tiers), as a user opens a
// model once. Archives: face-api's seven models (tfjs.read, lossless), MoveNet and handtrack (tfjs.pack, lossless) and
// silero VAD (onnx.pack, lossless), each read into memory first. Two kinds of fresh process per archive,
// BENCH_PROCESSES of each (default 5): one times open() as a whole; the other times open()'s phases, each called cold
// in order as open() calls them: the prefix and footer, the index checksum, decompressing the index, the scan before
// parsing, JSON.parse (with its UTF-8 decoding), both again (warm), and parseIndex (which scans and parses once
// more, then checks every entry: "entries" is parseIndex less the warm scan and parse). The phases are this checkout's src/, bundled into the bench; open()
// is the same source. OPEN_PHASES_BEFORE times an older bundle's open() in the same rounds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, init, onnx, open, tfjs, type TensorInput } from '../src/index';
import { loadKernelsSync } from '../src/wasm/load';
import { xxh32 } from '../src/codecs/checksum';
import { FLAG_COMPRESSED_INDEX, FLAG_PACKED_CHUNKS, FOOTER_BYTES, PREFIX_BYTES, readFooter, readPrefix } from '../src/format/framing';
import { decompressIndex } from '../src/format/index-compression';
import { arrayElementsByDepth, parseJson } from '../src/format/index-json';
import { parseIndex } from '../src/format/index-document';
import { faceApiWeights } from '../test/helpers/face-api';
import { ONNX_DIR, TFJS_DIR } from './model-load-files';
import { median } from './fresh-processes';

const RUNS = Number(process.env.BENCH_PROCESSES ?? 5);
const DIR = 'build/bench/open-phases';
const ARCHIVES = ['face-api', 'movenet-lightning', 'handtrack', 'silero_vad'];
/** OPEN_PHASES_BEFORE=build/bench/….mjs: this bench bundled from an older checkout; its cold open() runs in the same
 *  rounds as this one's, under the same load. */
const BEFORE = process.env.OPEN_PHASES_BEFORE;

async function prepare(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const engine = await createEngine();
  const path = (name: string) => join(DIR, `${name}.tzip`);
  if (!existsSync(path('face-api'))) {
    const tensors: Record<string, TensorInput> = await faceApiWeights((model) => engine.tfjs.read(model));
    writeFileSync(path('face-api'), await engine.pack(tensors));
  }
  for (const model of ['movenet-lightning', 'handtrack']) {
    if (existsSync(path(model))) continue;
    const modelJson = JSON.parse(readFileSync(join(TFJS_DIR, `${model}.json`), 'utf8'));
    const shards = Object.fromEntries(modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(join(TFJS_DIR, p)))]));
    writeFileSync(path(model), await tfjs.pack({ modelJson, shards }));
  }
  if (!existsSync(path('silero_vad'))) writeFileSync(path('silero_vad'), await onnx.pack(new Uint8Array(readFileSync(join(ONNX_DIR, 'silero_vad.onnx')))));
}

type Times = Record<string, number>;

/** The main thread's CPU time (Linux): on a busy machine it tells open()'s work from its wait for a core. */
const threadCpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

async function child(file: string, mode: string): Promise<Times> {
  const bytes = new Uint8Array(readFileSync(file));
  if (mode === 'open') {
    await init();
    const t = performance.now();
    const cpu = threadCpuMs();
    const archive = await open(bytes);
    return { open: performance.now() - t, openCpu: threadCpuMs() - cpu, tensors: archive.tensors.length };
  }
  const kernels = loadKernelsSync(true);
  const hash = (b: Uint8Array) => xxh32(kernels, b);
  const times: Times = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    times[name] = now - t;
    t = now;
  };
  const prefix = readPrefix(bytes.subarray(0, PREFIX_BYTES), hash);
  const location = readFooter(bytes.subarray(bytes.length - FOOTER_BYTES), bytes.length - FOOTER_BYTES, hash);
  lap('prefix+footer');
  const stored = bytes.subarray(location.offset, location.offset + location.length);
  if (hash(stored) !== location.checksum) throw new Error('checksum');
  lap('index hash');
  const index = prefix.flags & FLAG_COMPRESSED_INDEX ? decompressIndex(kernels, stored, 1 << 26, location.offset) : stored;
  lap('decompress');
  arrayElementsByDepth(kernels, index, 0);
  lap('scan');
  parseJson(index, 0);
  lap('JSON.parse');
  arrayElementsByDepth(kernels, index, 0);
  parseJson(index, 0);
  lap('scan+parse again');
  parseIndex(kernels, index, location, bytes.length, { maxBytes: 2 ** 31, maxTensors: 1e5, maxChunks: 1e6 }, {
    packedChunks: (prefix.flags & FLAG_PACKED_CHUNKS) !== 0, sealOverhead: 0, dataStart: PREFIX_BYTES,
  });
  lap('parseIndex');
  times.entries = times.parseIndex - times['scan+parse again'];
  times.indexKB = index.length / 1024;
  return times;
}

const round = (n: number) => Math.round(n * 100) / 100;

if (process.env.OPEN_PHASES_CHILD) {
  const [file, mode] = process.env.OPEN_PHASES_CHILD.split('|');
  console.log(JSON.stringify(await child(file!, mode!)));
} else {
  await prepare();
  const rows: Record<string, Times> = {};
  for (const name of ARCHIVES) {
    const runs: Record<string, Times[]> = { open: [], phases: [] };
    for (let p = 0; p < RUNS; p++) {
      for (const [mode, script] of [['open', process.argv[1]!], ['phases', process.argv[1]!], ...(BEFORE ? [['before', BEFORE]] : [])] as const) {
        const out = execFileSync(process.execPath, [script], { env: { ...process.env, OPEN_PHASES_CHILD: `${join(DIR, `${name}.tzip`)}|${mode === 'before' ? 'open' : mode}` }, encoding: 'utf8' });
        (runs[mode] ??= []).push(JSON.parse(out.trim().split('\n').pop()!));
      }
    }
    const medians = (list: Times[]) => Object.fromEntries(Object.keys(list[0]!).map((k) => [k, round(median(list.map((r) => r[k]!)))]));
    const before = runs.before ? medians(runs.before) : {};
    rows[name] = { ...medians(runs.open!), ...(runs.before ? { openBefore: before.open!, openCpuBefore: before.openCpu! } : {}), ...medians(runs.phases!) };
    console.log(name, JSON.stringify(rows[name]));
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/open-phases.json', JSON.stringify({ processes: RUNS, medianMs: rows }, null, 2));
}
