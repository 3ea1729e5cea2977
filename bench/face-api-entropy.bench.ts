// Where face-api's lossless .tzip bytes go, and how small candidate models of its uint8 codes could make them: per
// model, the shipped shards, brotli-11 of them, the .tzip pack() writes (tfjs.read with codes) split into index,
// padding, parameter blocks, code tables and payload, and the code length of the uint8 codes under candidate models:
// - order-0 per tensor (static: n·H, no table cost), per output channel, per group of K channels with similar
//   histograms (greedy clustering), order-1 on the previous code along the fastest axis and along the same channel;
// - "adaptive" (A…) numbers are honest code lengths that include learning each table (KT-like counts, α = 1/16 per
//   symbol); static (H…) ones are n·H, tables free;
// - projections of the file: each code tensor as pack() writes it now or as a static rANS block (12-bit frequencies,
//   varint tables, 4 streams), order 0 or 2 tables chosen by whether the previous code of the stream is the mode
//   (since format 1.4 pack() writes such blocks itself, the `rans` stage: its savings over pack() are then ~0);
//   and the same with free tables (H0+33, H2ctx+33: entropy plus 33 header bytes), a bound no per-tensor coder of
//   those models beats.
// Sizes in KB. Run: node scripts/bench.mjs face-api-entropy
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { createEngine, type PipelineStage, type QuantizedTensorInput, type TensorInput } from 'tensorzip';

const FACE_API = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];
const ALPHA = 1 / 16;
/** rANS probabilities in 12 bits. */
const PROB_SCALE = 4096;

const engine = await createEngine({ simd: true });

type Row = Record<string, number>;

/** Static order-0 code length of a histogram, in bytes. */
function staticBytes(hist: ArrayLike<number>): number {
  let n = 0;
  let bits = 0;
  for (let s = 0; s < hist.length; s++) n += hist[s];
  for (let s = 0; s < hist.length; s++) if (hist[s] > 0) bits -= hist[s] * Math.log2(hist[s] / n);
  return bits / 8;
}

/** Adaptive code length (counts start at ALPHA per symbol) of a histogram's symbols in any order, in bytes:
 *  log2 of Γ ratios, the same whatever the order. */
function adaptiveBytes(hist: ArrayLike<number>): number {
  let n = 0;
  let bits = 0;
  for (let s = 0; s < hist.length; s++) {
    for (let k = 0; k < hist[s]; k++) bits += Math.log2(k + ALPHA);
    n += hist[s];
  }
  for (let k = 0; k < n; k++) bits -= Math.log2(k + ALPHA * 256);
  return -bits / 8;
}

/** The channel axis of a TF.js weight: the last (HWIO, [in, out]); axis 2 for depthwise HWC1. */
function channelAxis(shape: number[]): number {
  if (shape.length === 4 && shape[3] === 1) return 2;
  return shape.length - 1;
}

function channelHistograms(codes: Uint8Array, shape: number[]): Uint32Array[] {
  const axis = channelAxis(shape);
  const channels = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const hists = Array.from({ length: channels }, () => new Uint32Array(256));
  for (let i = 0; i < codes.length; i++) hists[Math.floor(i / inner) % channels][codes[i]]++;
  return hists;
}

/** Greedy K-group clustering of channel histograms (init by each channel's spread, then reassign 6 times). */
function groupBytes(hists: Uint32Array[], k: number): { fixed: number; adaptive: number } {
  const spread = hists.map((h) => {
    let n = 0, m = 0, v = 0;
    for (let s = 0; s < 256; s++) { n += h[s]; m += s * h[s]; }
    m /= n;
    for (let s = 0; s < 256; s++) v += h[s] * (s - m) ** 2;
    return Math.sqrt(v / n);
  });
  const order = hists.map((_, c) => c).sort((a, b) => spread[a] - spread[b]);
  const assign = new Array<number>(hists.length);
  order.forEach((c, i) => { assign[c] = Math.floor((i * k) / hists.length); });
  const groups = () => {
    const g = Array.from({ length: k }, () => new Uint32Array(256));
    hists.forEach((h, c) => { for (let s = 0; s < 256; s++) g[assign[c]][s] += h[s]; });
    return g;
  };
  for (let round = 0; round < 6; round++) {
    const g = groups();
    const logp = g.map((h) => {
      let n = 0;
      for (let s = 0; s < 256; s++) n += h[s] + ALPHA;
      return Array.from(h, (x) => -Math.log2((x + ALPHA) / n));
    });
    hists.forEach((h, c) => {
      let best = assign[c], bestBits = Infinity;
      for (let j = 0; j < k; j++) {
        let bits = 0;
        for (let s = 0; s < 256; s++) if (h[s]) bits += h[s] * logp[j][s];
        if (bits < bestBits) { bestBits = bits; best = j; }
      }
      assign[c] = best;
    });
  }
  const g = groups();
  return { fixed: g.reduce((n, h) => n + staticBytes(h), 0), adaptive: g.reduce((n, h) => n + adaptiveBytes(h), 0) };
}

/** Order-1 code length with `context(i)` (a number < contexts, or -1 for none: coded by the order-0 table). */
function contextBytes(codes: Uint8Array, contexts: number, context: (i: number) => number): { fixed: number; adaptive: number } {
  const hists = Array.from({ length: contexts + 1 }, () => new Uint32Array(256));
  for (let i = 0; i < codes.length; i++) {
    const c = context(i);
    hists[c < 0 ? contexts : c][codes[i]]++;
  }
  return { fixed: hists.reduce((n, h) => n + staticBytes(h), 0), adaptive: hists.reduce((n, h) => n + adaptiveBytes(h), 0) };
}

/** Frequencies summing to 2^12, each present symbol at least 1 (largest-remainder rounding, then fixes on the
 *  largest counts). */
function quantize(hist: ArrayLike<number>): Uint32Array {
  let n = 0;
  for (let s = 0; s < 256; s++) n += hist[s];
  const f = new Uint32Array(256);
  if (n === 0) return f;
  let sum = 0;
  for (let s = 0; s < 256; s++) if (hist[s]) { f[s] = Math.max(1, Math.round((hist[s] * PROB_SCALE) / n)); sum += f[s]; }
  while (sum !== PROB_SCALE) {
    let best = -1;
    for (let s = 0; s < 256; s++) if (f[s] > (sum > PROB_SCALE ? 1 : 0) && (best < 0 || hist[s] > hist[best])) best = s;
    const step = sum > PROB_SCALE ? -1 : 1;
    f[best] += step;
    sum += step;
  }
  return f;
}

/** Bytes of a static rANS block with one table per histogram: header (mode, n, 3 stream lengths), per table its
 *  frequencies (a varint each over 0 … last), 4 final 32-bit states, and the coded bits. */
function ransBlockBytes(hists: ArrayLike<number>[]): number {
  let bytes = 5 + 12 + 16;
  let bits = 0;
  for (const h of hists) {
    const f = quantize(h);
    let last = 0;
    for (let s = 0; s < 256; s++) if (f[s]) last = s;
    bytes += 1;
    for (let s = 0; s <= last; s++) bytes += f[s] < 128 ? 1 : 2;
    for (let s = 0; s < 256; s++) if (h[s]) bits += h[s] * (12 - Math.log2(f[s]));
  }
  return bytes + Math.ceil(bits / 8);
}

/** The split of a .tzip file's bytes. */
function split(file: Uint8Array): Row {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const indexLength = Number(view.getBigUint64(16, true));
  const stored = file.subarray(32, 32 + indexLength);
  // Format 1.3, flag bit 0: u32 decoded length, then an entropy block of one LZ4 block of the JSON.
  const json = view.getUint16(6, true) & 1
    ? engine.lz4.decompressBlock(engine.entropy.decode(stored.subarray(4)), { outputSize: view.getUint32(32, true) })
    : stored;
  const index = JSON.parse(new TextDecoder().decode(json));
  let params = 0, tables = 0, payload = 0;
  const byKind: Row = {};
  for (const t of index.tensors) {
    if (t.stored?.params) params += t.stored.params[1];
    const pipeline = t.pipeline as PipelineStage[];
    const last = pipeline[pipeline.length - 1];
    for (const [offset, length] of t.chunks as number[][]) {
      const kind = `${t.stored?.dtype ?? t.dtype}.${last?.codec === 'huffman' ? 'huffman' : last?.codec ?? 'raw'}`;
      byKind[kind] = (byKind[kind] ?? 0) + length;
      if (last?.codec !== 'huffman') { payload += length; continue; }
      let header = 4 * (last.planes - 1);
      let at = offset + header;
      for (let p = 0; p < last.planes; p++) {
        const blockLength = p < last.planes - 1 ? view.getUint32(offset + 4 * p, true) : offset + length - at;
        const mode = file[at];
        if (mode === 2) header += 5 + 1 + Math.ceil((file[at + 5] + 1) / 2) + 12;
        else header += mode === 1 ? 6 : 5;
        at += blockLength;
      }
      if (pipeline.some((s) => s.codec === 'palette')) header += 4; // K; the table itself counts below
      tables += header;
      payload += length - header;
    }
  }
  const chunksAndParams = params + tables + payload;
  return { file: file.length, index: indexLength, params, tables, payload, padding: file.length - 64 - indexLength - chunksAndParams, ...byKind };
}

const rows: Record<string, Row> = {};
const pipelines: Record<string, number> = {};
for (const model of MODELS) {
  const manifest = JSON.parse(readFileSync(`${FACE_API}/${model}-weights_manifest.json`, 'utf8'));
  const paths: string[] = manifest.flatMap((g: { paths: string[] }) => g.paths);
  const shards = Object.fromEntries(paths.map((p) => [p, new Uint8Array(readFileSync(`${FACE_API}/${p}`))]));
  const row: Row = { shipped: 0, brotli11: 0 };
  for (const s of Object.values(shards)) {
    row.shipped += s.length;
    row.brotli11 += brotliCompressSync(s, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: s.length } }).length;
  }
  const tensors = engine.tfjs.read({ modelJson: { weightsManifest: manifest }, shards }, { codes: true });
  const file = await engine.pack(tensors, { quantize: 'lossless' });
  Object.assign(row, Object.fromEntries(Object.entries(split(file)).map(([k, v]) => [`tzip.${k}`, v])));
  const archive = await engine.open(file);
  const encoded = new Map<string, number>();
  for (const t of archive.tensors) {
    encoded.set(t.name, t.encodedBytes);
    const key = `${t.dtype}:${t.storedDtype ?? ''} ${t.pipeline.map((s: PipelineStage) => s.codec + ('planes' in s ? s.planes : '')).join('+')}`;
    pipelines[key] = (pipelines[key] ?? 0) + 1;
  }
  const add = (k: string, v: number) => { row[k] = (row[k] ?? 0) + v; };
  for (const [name, input] of Object.entries(tensors as Record<string, TensorInput | QuantizedTensorInput>)) {
    if (!('quantized' in input) || input.quantized.dtype !== 'tfjs_uint8') {
      const t = input as TensorInput;
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      add('other.raw', bytes.length);
      add('other.brotli11', brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
      const distinct = new Set(t.data as Float32Array).size;
      add('other.distinct≤256', distinct <= 256 ? bytes.length : 0);
      const planes = Array.from({ length: 4 }, () => new Uint32Array(256));
      if (bytes.length % 4 === 0) bytes.forEach((b, i) => planes[i % 4][b]++);
      add('other.H0.planes', bytes.length % 4 === 0 ? planes.reduce((n, h) => n + staticBytes(h), 0) : bytes.length);
      continue;
    }
    const codes = input.quantized.data as Uint8Array;
    const shape = input.quantized.shape as number[];
    const all = new Uint32Array(256);
    for (const c of codes) all[c]++;
    add('codes', codes.length);
    add('H0.tensor', staticBytes(all));
    add('A0.tensor', adaptiveBytes(all));
    if (codes.length < 4096) { add('codes<4096', codes.length); add('H0.tensor<4096', staticBytes(all)); }
    const hists = channelHistograms(codes, shape);
    add('H0.channel', hists.reduce((n, h) => n + staticBytes(h), 0));
    add('A0.channel', hists.reduce((n, h) => n + adaptiveBytes(h), 0));
    for (const k of [2, 4, 8]) {
      const g = hists.length >= k ? groupBytes(hists, k) : { fixed: staticBytes(all), adaptive: adaptiveBytes(all) };
      add(`H0.groups${k}`, g.fixed);
      add(`A0.groups${k}`, g.adaptive);
    }
    const prev = contextBytes(codes, 256, (i) => (i > 0 ? codes[i - 1] : -1));
    add('H1.prev', prev.fixed);
    add('A1.prev', prev.adaptive);
    const axis = channelAxis(shape);
    const stride = shape.slice(axis).reduce((a, b) => a * b, 1);
    const same = contextBytes(codes, 256, (i) => (i >= stride ? codes[i - stride] : -1));
    add('H1.sameChannel', same.fixed);
    add('A1.sameChannel', same.adaptive);
    // A cheap context: the previous code along the same channel, bucketed into 16 by its distance from the mode.
    let mode = 0;
    for (let s = 0; s < 256; s++) if (all[s] > all[mode]) mode = s;
    const bucket = (v: number) => Math.min(15, Math.floor(Math.log2(1 + Math.abs(v - mode)) * 2));
    const prevIsMode = contextBytes(codes, 2, (i) => (i > 0 && codes[i - 1] === mode ? 1 : 0));
    add('A1.prevIsMode', prevIsMode.adaptive);
    add('H1.prevIsMode', prevIsMode.fixed);
    const prev4IsMode = contextBytes(codes, 2, (i) => (i > 3 && codes[i - 4] === mode ? 1 : 0));
    add('A1.prev4IsMode', prev4IsMode.adaptive);
    if (codes.length >= 4096) { add('A0.tensor≥4096', adaptiveBytes(all)); add('A1.prevIsMode≥4096', prevIsMode.adaptive); add('A1.prev4IsMode≥4096', prev4IsMode.adaptive); }
    // Projections: each tensor as now, or as a static rANS block (order 0, or 2 tables chosen by whether the code 4
    // positions back, the previous one of its stream, is the mode), whichever is smallest.
    const contextHists = [new Uint32Array(256), new Uint32Array(256)];
    for (let i = 0; i < codes.length; i++) contextHists[i > 3 && codes[i - 4] === mode ? 1 : 0][codes[i]]++;
    const now = encoded.get(name)!;
    const rans0 = Math.min(now, ransBlockBytes([all]));
    add('rANS0.saves', now - rans0);
    add('H0+33.saves', now - Math.min(now, Math.ceil(staticBytes(all)) + 33));
    add('H2ctx+33.saves', now - Math.min(now, Math.ceil(staticBytes(contextHists[0]) + staticBytes(contextHists[1])) + 33));
    add('rANS2ctx.saves', now - Math.min(rans0, ransBlockBytes(contextHists)));
    const bucketed = contextBytes(codes, 16, (i) => (i >= stride ? bucket(codes[i - stride]) : -1));
    add('A1.sameChannel16', bucketed.adaptive);
  }
  rows[model] = row;
  console.error(`${model} done`);
}

for (const row of Object.values(rows)) {
  row['projected.rANS0'] = row['tzip.file'] - row['rANS0.saves'];
  row['projected.rANS2ctx'] = row['tzip.file'] - row['rANS2ctx.saves'];
  row['projected.H0+33'] = row['tzip.file'] - row['H0+33.saves'];
  row['projected.H2ctx+33'] = row['tzip.file'] - row['H2ctx+33.saves'];
  row['projected.rANS2ctx.noIndex'] = row['projected.rANS2ctx'] - row['tzip.index'];
}
const total: Row = {};
for (const row of Object.values(rows)) for (const [k, v] of Object.entries(row)) total[k] = (total[k] ?? 0) + v;
rows.total = total;
const keys = Object.keys(total);
console.log(`| | ${Object.keys(rows).join(' | ')} |`);
console.log(`|---|${Object.keys(rows).map(() => '---:').join('|')}|`);
for (const k of keys) console.log(`| ${k} | ${Object.values(rows).map((r) => ((r[k] ?? 0) / 1e3).toFixed(1)).join(' | ')} |`);
console.log('\nKB. pipelines chosen:', JSON.stringify(pipelines));
