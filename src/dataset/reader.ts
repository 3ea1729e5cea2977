// openDataset: a dataset of one shard or of a manifest and its shards, read a group at a time — single samples with
// get(), and shuffled batches for a training loop with batches() (docs/FORMAT.md, Datasets).
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Archive } from '../format/archive';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import { DESCRIPTOR_ENTRY, MAX_GROUPS, parseDescriptor, parseManifest, type DatasetField } from './schema';
import { Shard, type GroupValues } from './shard';
import { epochWindows } from './order';
import { namesJsonFile, opensJsonObject } from '../format/json-documents';

/** How the dataset layer reaches files (bound in src/io: sources, paths and URLs). */
export interface DatasetFiles {
  /** Opens a .tzip file and tells its size. */
  open(source: unknown): Promise<{ archive: Archive; size: number }>;
  /** Reads a whole small file (a manifest), at most `limit` bytes. */
  read(source: unknown, limit: number): Promise<Uint8Array>;
  /** The source of `path` relative to the manifest's `base` (a URL or a file path). */
  relative(base: unknown, path: string): unknown;
}

/** One field of one sample or of a batch. A variable field's batch holds the samples' values one after another:
 *  `shapes[i]` is sample i's shape and `offsets[i]` where its values start (`offsets[batch]` is the total). */
export interface DatasetTensor {
  dtype: TensorDtype;
  /** For a batch, the batch size first, then the field's shape (`null` where it varies). */
  shape: (number | null)[];
  data: TensorArray;
  shapes?: number[][];
  offsets?: number[];
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle groups, then samples within windows of `window` groups (default false: stored order). */
  shuffle?: boolean;
  /** The shuffle's seed (default 0) and epoch (default 0): the same pair gives the same order in every runtime. */
  seed?: number;
  epoch?: number;
  /** Groups per shuffle window (default 8): more mixes better and holds more decoded groups in memory. */
  window?: number;
  /** Leave out a last batch shorter than batchSize (default false). */
  dropLast?: boolean;
  /** The fields to decode (default all). */
  fields?: readonly string[];
  /** Start at this position of the epoch (a count of samples, as `position` gave it), decoding nothing before. */
  from?: number;
}

/** The batches of one epoch; `position` counts the samples given so far, to resume from after a restart. */
export interface BatchIterator extends AsyncIterableIterator<Record<string, DatasetTensor>> {
  readonly position: number;
}

export interface Dataset {
  readonly length: number;
  readonly fields: readonly DatasetField[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Sample `index` (0 ≤ index < length): one tensor per field, shaped as the sample. */
  get(index: number, options?: { fields?: readonly string[] }): Promise<Record<string, DatasetTensor>>;
  /** An epoch of stacked batches: one typed array per field with the batch dimension first. */
  batches(options: BatchOptions): BatchIterator;
  /** Stops the workers of the shards opened so far (open's `workers` option); a no-op without workers. */
  close(): void;
}

export interface DatasetOpenOptions {
  /** For a manifest given as bytes or as an object: where each shard's path leads. */
  shardSource?: (path: string) => unknown;
}


/** Opens a dataset: a shard file (bytes, path, URL, Blob), or a manifest (its path or URL ending in `.json`, its
 *  bytes, or the object a DatasetWriter's finish() returned) whose shards are found beside it. */
export async function openDataset(files: DatasetFiles, source: unknown, options: DatasetOpenOptions = {}): Promise<Dataset> {
  const what = 'openDataset';
  const manifestGiven = typeof source === 'object' && source !== null && !ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer) && !(source instanceof URL) && 'shards' in source;
  if (manifestGiven || namesJsonFile(source) || (source instanceof Uint8Array && opensJsonObject(source))) {
    const manifest = manifestGiven ? parseManifest(new TextEncoder().encode(JSON.stringify(source)), `${what} manifest`)
      : parseManifest(source instanceof Uint8Array ? source : await files.read(source, 64 << 20), `${what} manifest`);
    const locate = options.shardSource ?? (namesJsonFile(source) ? (path: string) => files.relative(source, path) : null);
    if (locate === null) throw new TensorzipError('ARGUMENT', `${what}: a manifest given as ${manifestGiven ? 'an object' : 'bytes'} needs shardSource to find its shards`);
    const shards = manifest.shards.map((s) => new Shard({ name: s.path, samples: s.samples, groupSamples: s.groupSamples, bytes: s.bytes }, manifest.fields, () => files.open(locate(s.path))));
    return datasetOf(manifest.fields, manifest.metadata, shards);
  }
  const opened = await files.open(source);
  if (!opened.archive.entries.some((e) => e.name === DESCRIPTOR_ENTRY)) throw new TensorzipError('CORRUPT', `${what}: the file has no ${DESCRIPTOR_ENTRY} entry (not a dataset)`);
  const descriptor = parseDescriptor(await opened.archive.getEntry(DESCRIPTOR_ENTRY), `${what} ${DESCRIPTOR_ENTRY}`);
  const shard = new Shard({ name: 'the dataset', samples: descriptor.samples, groupSamples: descriptor.groupSamples, bytes: null }, descriptor.fields, async () => opened);
  return datasetOf(descriptor.fields, descriptor.metadata, [shard]);
}

/** Every group of the dataset in order: its shard and its number in the shard. */
interface GroupRef {
  shard: Shard;
  group: number;
  size: number;
  /** The dataset's index of its first sample. */
  first: number;
}

function datasetOf(fields: DatasetField[], metadata: Record<string, string>, shards: Shard[]): Dataset {
  const groups: GroupRef[] = [];
  let length = 0;
  const groupCount = shards.reduce((n, s) => n + s.groups, 0);
  if (groupCount > MAX_GROUPS) throw new TensorzipError('LIMIT', `openDataset: ${groupCount} groups of samples, more than the ${MAX_GROUPS} a dataset may have`);
  for (const shard of shards) {
    for (let g = 0; g < shard.groups; g++) {
      const size = shard.groupSize(g);
      groups.push({ shard, group: g, size, first: length });
      length += size;
    }
  }
  const pickFields = (names: readonly string[] | undefined, what: string) => {
    if (names === undefined) return fields;
    if (!Array.isArray(names)) throw new TensorzipError('ARGUMENT', `${what} fields: expected an array of field names`);
    return names.map((n) => fields.find((f) => f.name === n) ?? fail(new TensorzipError('ARGUMENT', `${what} fields: no field named ${describeValue(n)} (the fields are ${fields.map((f) => f.name).join(', ')})`)));
  };

  // get() keeps the last group it decoded: neighbouring samples cost one decode.
  let recent: { group: number; fields: readonly DatasetField[]; values: Promise<Map<string, GroupValues>> } | null = null;
  const groupOf = (index: number) => {
    let lo = 0;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (groups[mid].first <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  return {
    length,
    fields,
    metadata,
    async get(index, options = {}) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= length) throw new TensorzipError('ARGUMENT', `Dataset.get: index ${describeValue(index)} is outside 0…${length - 1}`);
      const chosen = pickFields(options.fields, 'Dataset.get');
      const g = groupOf(index);
      if (recent === null || recent.group !== g || chosen.some((f) => !recent!.fields.includes(f))) {
        const values = groups[g].shard.decode(groups[g].group, chosen);
        recent = { group: g, fields: chosen, values };
        values.catch(() => (recent = null));
      }
      const values = await recent.values;
      const i = index - groups[g].first;
      const sample: Record<string, DatasetTensor> = Object.create(null);
      for (const field of chosen) sample[field.name] = sliceSample(field, values.get(field.name)!, i);
      return sample;
    },
    batches(options) {
      return batchIterator(groups, length, pickFields(options?.fields, 'Dataset.batches'), options);
    },
    close() {
      for (const shard of shards) shard.close();
    },
  };
}

function fail(error: Error): never {
  throw error;
}

function sliceSample(field: DatasetField, values: GroupValues, i: number): DatasetTensor {
  if (values.starts) {
    return { dtype: field.dtype, shape: values.shapes![i], data: values.data.slice(values.starts[i], values.starts[i + 1]) as TensorArray };
  }
  const size = (field.shape as number[]).reduce((n, d) => n * d, 1);
  return { dtype: field.dtype, shape: [...field.shape], data: values.data.slice(i * size, (i + 1) * size) as TensorArray };
}

function checkBatchOptions(options: BatchOptions, length: number) {
  const what = 'Dataset.batches';
  if (typeof options !== 'object' || options === null) throw new TensorzipError('ARGUMENT', `${what}: expected options with a batchSize`);
  const int = (value: unknown, name: string, min: number, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min) throw new TensorzipError('ARGUMENT', `${what} ${name}: expected an integer ≥ ${min}, found ${describeValue(value)}`);
    return value as number;
  };
  const batchSize = int(options.batchSize, 'batchSize', 1, NaN);
  if (Number.isNaN(batchSize)) throw new TensorzipError('ARGUMENT', `${what}: batchSize is required`);
  const from = int(options.from, 'from', 0, 0);
  if (from > length) throw new TensorzipError('ARGUMENT', `${what} from: ${from} is past the ${length} samples of an epoch`);
  return {
    batchSize, from,
    seed: int(options.seed, 'seed', 0, 0) >>> 0,
    epoch: int(options.epoch, 'epoch', 0, 0),
    window: int(options.window, 'window', 1, 8),
    shuffle: options.shuffle === true,
    dropLast: options.dropLast === true,
  };
}

/** A window's decoded groups and, per position of its order, which group and sample it is. */
interface DecodedWindow {
  values: Map<string, GroupValues>[];
  group: Uint32Array;
  sample: Uint32Array;
  order: Uint32Array;
}

function batchIterator(groups: GroupRef[], length: number, fields: readonly DatasetField[], rawOptions: BatchOptions): BatchIterator {
  const options = checkBatchOptions(rawOptions, length);
  let position = options.from;
  const windows = epochWindows(groups.map((g) => g.size), options);

  const decodeWindow = (members: number[], order: Uint32Array): Promise<DecodedWindow> => {
    const group = new Uint32Array(order.length);
    const sample = new Uint32Array(order.length);
    let at = 0;
    members.forEach((g, k) => {
      for (let i = 0; i < groups[g].size; i++, at++) {
        group[at] = k;
        sample[at] = i;
      }
    });
    return Promise.all(members.map((g) => groups[g].shard.decode(groups[g].group, fields))).then((values) => ({ values, group, sample, order }));
  };

  // The windows left to read, from the one holding `from`, each decoded one window ahead of its use.
  async function* run(): AsyncGenerator<Record<string, DatasetTensor>> {
    // Windows wholly before `from` are passed over (their order is computed, nothing is decoded).
    let skip = options.from;
    const nextWindow = () => {
      for (let w = windows.next(); !w.done; w = windows.next()) {
        const { groups: members, order } = w.value;
        if (skip >= order.length && order.length > 0) {
          skip -= order.length;
          continue;
        }
        const first = skip;
        skip = 0;
        return { members, order, first };
      }
      return null;
    };
    const start = (w: { members: number[]; order: Uint32Array; first: number } | null) => {
      if (w === null) return null;
      const decoded = decodeWindow(w.members, w.order).then((window) => ({ window, first: w.first }));
      decoded.catch(() => {});
      return decoded;
    };
    let current = start(nextWindow());
    let batch: { window: DecodedWindow; at: number }[] = [];
    while (current !== null) {
      const { window, first } = await current;
      const ahead = start(nextWindow());
      for (let at = first; at < window.order.length; at++) {
        batch.push({ window, at });
        if (batch.length === options.batchSize) {
          const out = stack(fields, batch);
          batch = [];
          position += options.batchSize;
          yield out;
        }
      }
      current = ahead;
    }
    if (batch.length > 0 && !options.dropLast) {
      position += batch.length;
      yield stack(fields, batch);
    }
  }
  const iterator = run();
  return Object.defineProperty(iterator, 'position', { get: () => position, enumerable: true }) as BatchIterator;
}

/** The batch's samples of each field, stacked. */
function stack(fields: readonly DatasetField[], batch: { window: DecodedWindow; at: number }[]): Record<string, DatasetTensor> {
  const out: Record<string, DatasetTensor> = Object.create(null);
  const n = batch.length;
  fields.forEach((field) => {
    const { array } = TENSOR_DTYPES[field.dtype];
    const pick = (b: { window: DecodedWindow; at: number }) => {
      const p = b.window.order[b.at];
      return { values: b.window.values[b.window.group[p]].get(field.name)!, i: b.window.sample[p] };
    };
    if (!field.shape.includes(null)) {
      const size = (field.shape as number[]).reduce((a, d) => a * d, 1);
      const data = new array(n * size);
      batch.forEach((b, k) => {
        const { values, i } = pick(b);
        data.set(values.data.subarray(i * size, (i + 1) * size) as never, k * size);
      });
      out[field.name] = { dtype: field.dtype, shape: [n, ...field.shape], data };
      return;
    }
    const picked = batch.map(pick);
    const offsets = [0];
    for (const { values, i } of picked) offsets.push(offsets[offsets.length - 1] + values.starts![i + 1] - values.starts![i]);
    const data = new array(offsets[n]);
    picked.forEach(({ values, i }, k) => data.set(values.data.subarray(values.starts![i], values.starts![i + 1]) as never, offsets[k]));
    out[field.name] = { dtype: field.dtype, shape: [n, ...field.shape], data, shapes: picked.map(({ values, i }) => values.shapes![i]), offsets };
  });
  return out;
}
