// The dataset layout of docs/FORMAT.md (Datasets): fields, the shard descriptor and the manifest, checked as the
// format says — the caller's schema with ARGUMENT, stored documents with CORRUPT / UNSUPPORTED / LIMIT.
import { TensorzipError, type TensorzipErrorCode } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { isTensorDtype, type TensorDtype } from '../format/dtypes';
import { entryNameProblem } from '../format/index-document';

/** One field of every sample: its name, the dtype a reader hands out, and its per-sample shape, where `null` is a
 *  dimension that varies from sample to sample. */
export interface DatasetField {
  name: string;
  dtype: TensorDtype;
  shape: (number | null)[];
}

/** What a shard's `dataset.json` entry says. */
export interface ShardDescriptor {
  samples: number;
  groupSamples: number;
  fields: DatasetField[];
  metadata: Record<string, string>;
}

/** A dataset of several shards: the fields, the shards in sample order (paths relative to the manifest), and the
 *  sample count. Write it next to the shards as JSON; `openDataset` takes its URL or path. */
export interface DatasetManifest {
  dataset: 1;
  samples: number;
  fields: DatasetField[];
  shards: { path: string; samples: number; groupSamples: number; bytes: number }[];
  metadata: Record<string, string>;
}

export const DESCRIPTOR_ENTRY = 'dataset.json';
export const LAYOUT_VERSION = 1;
/** Largest descriptor or manifest, and most shards a manifest may list (docs/FORMAT.md). */
export const MAX_DOCUMENT_BYTES = 64 << 20;
export const MAX_SHARDS = 1_000_000;
/** Most groups a dataset may have, all shards together: a reader keeps 40 bytes per group to plan epochs. */
export const MAX_GROUPS = 1 << 24;

const FIELD_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export const fieldTensorName = (field: string, group: number) => `fields/${field}/${group}`;
export const shapesTensorName = (field: string, group: number) => `shapes/${field}/${group}`;

export const isVariable = (field: DatasetField) => field.shape.includes(null);
export const variableDims = (field: DatasetField) => field.shape.filter((d) => d === null).length;

/** Elements of one sample of a fixed field. */
export const fixedElements = (field: DatasetField) => (field.shape as number[]).reduce((n, d) => n * d, 1);

/** Checks fields, with `code` for what is wrong and `what` naming where they come from. */
function checkFields(fields: unknown, code: TensorzipErrorCode, what: string): DatasetField[] {
  if (!Array.isArray(fields) || fields.length === 0) throw new TensorzipError(code, `${what} fields: expected a non-empty array, found ${describeValue(fields)}`);
  const names = new Set<string>();
  return fields.map((f, i) => {
    const where = `${what} fields[${i}]`;
    if (typeof f !== 'object' || f === null) throw new TensorzipError(code, `${where}: expected { name, dtype, shape }, found ${describeValue(f)}`);
    const { name, dtype, shape } = f as Record<string, unknown>;
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) throw new TensorzipError(code, `${where}.name: expected 1–128 characters from A–Z a–z 0–9 _ . -, found ${describeValue(name)}`);
    if (names.has(name)) throw new TensorzipError(code, `${where}: a second field named ${describeValue(name)}`);
    names.add(name);
    if (!isTensorDtype(dtype)) throw new TensorzipError(code, `${where} (${name}).dtype: unknown dtype ${describeValue(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isSafeInteger(d) && d >= 0))) {
      throw new TensorzipError(code, `${where} (${name}).shape: expected an array of integers ≥ 0 or null, found ${describeValue(shape)}`);
    }
    const fixed = (shape as (number | null)[]).reduce<number>((n, d) => n * (d ?? 1), 1);
    if (!Number.isSafeInteger(fixed * 8)) throw new TensorzipError(code, `${where} (${name}).shape: ${describeValue(shape)} holds too many elements`);
    return { name, dtype, shape: [...shape] as (number | null)[] };
  });
}

/** The caller's schema for a writer. */
export function checkSchema(schema: unknown, what: string): DatasetField[] {
  return checkFields(schema, 'ARGUMENT', what);
}

function checkMetadata(metadata: unknown, what: string): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new TensorzipError('CORRUPT', `${what} metadata: expected an object of strings`);
  }
  return Object.assign(Object.create(null), metadata) as Record<string, string>;
}

function parseDocument(bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new TensorzipError('LIMIT', `${what}: ${bytes.length} bytes, more than the ${MAX_DOCUMENT_BYTES} a dataset document may hold`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', `${what}: not UTF-8 JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TensorzipError('CORRUPT', `${what}: expected a JSON object`);
  const record = doc as Record<string, unknown>;
  if (record.dataset !== LAYOUT_VERSION) {
    if (Number.isInteger(record.dataset)) throw new TensorzipError('UNSUPPORTED', `${what}: dataset layout version ${record.dataset}; this reader knows version ${LAYOUT_VERSION}`);
    throw new TensorzipError('CORRUPT', `${what}: expected "dataset": ${LAYOUT_VERSION}, found ${describeValue(record.dataset)}`);
  }
  return record;
}

const count = (value: unknown, min: number, what: string): number => {
  if (!Number.isSafeInteger(value) || (value as number) < min) throw new TensorzipError('CORRUPT', `${what}: expected an integer ≥ ${min}, found ${describeValue(value)}`);
  return value as number;
};

/** Reads a shard's `dataset.json`. */
export function parseDescriptor(bytes: Uint8Array, what: string): ShardDescriptor {
  const doc = parseDocument(bytes, what);
  return {
    samples: count(doc.samples, 0, `${what} samples`),
    groupSamples: count(doc.groupSamples, 1, `${what} groupSamples`),
    fields: checkFields(doc.fields, 'CORRUPT', what),
    metadata: checkMetadata(doc.metadata, what),
  };
}

export function serializeDescriptor(descriptor: ShardDescriptor): Uint8Array {
  const { samples, groupSamples, fields, metadata } = descriptor;
  return new TextEncoder().encode(JSON.stringify({ dataset: LAYOUT_VERSION, samples, groupSamples, fields, ...(Object.keys(metadata).length ? { metadata } : {}) }));
}

/** Reads a manifest. */
export function parseManifest(bytes: Uint8Array, what: string): DatasetManifest {
  const doc = parseDocument(bytes, what);
  const fields = checkFields(doc.fields, 'CORRUPT', what);
  if (!Array.isArray(doc.shards)) throw new TensorzipError('CORRUPT', `${what} shards: expected an array, found ${describeValue(doc.shards)}`);
  if (doc.shards.length > MAX_SHARDS) throw new TensorzipError('LIMIT', `${what}: ${doc.shards.length} shards, more than ${MAX_SHARDS}`);
  let total = 0;
  const shards = doc.shards.map((s: unknown, i: number) => {
    const where = `${what} shards[${i}]`;
    if (typeof s !== 'object' || s === null) throw new TensorzipError('CORRUPT', `${where}: expected { path, samples, groupSamples, bytes }, found ${describeValue(s)}`);
    const { path, samples, groupSamples, bytes: size } = s as Record<string, unknown>;
    const problem = entryNameProblem(path);
    if (problem !== null) throw new TensorzipError('CORRUPT', `${where}.path ${describeValue(path)} ${problem}`);
    const shard = { path: path as string, samples: count(samples, 0, `${where}.samples`), groupSamples: count(groupSamples, 1, `${where}.groupSamples`), bytes: count(size, 64, `${where}.bytes`) };
    total += shard.samples;
    return shard;
  });
  const samples = count(doc.samples, 0, `${what} samples`);
  if (samples !== total) throw new TensorzipError('CORRUPT', `${what}: samples is ${samples}, its shards hold ${total}`);
  return { dataset: LAYOUT_VERSION, samples, fields, shards, metadata: checkMetadata(doc.metadata, what) };
}

/** CORRUPT unless two field lists are the same (names, dtypes, shapes, order). */
export function checkSameFields(expected: readonly DatasetField[], found: readonly DatasetField[], what: string): void {
  const key = (fields: readonly DatasetField[]) => JSON.stringify(fields.map(({ name, dtype, shape }) => [name, dtype, shape]));
  if (key(expected) !== key(found)) throw new TensorzipError('CORRUPT', `${what}: its fields ${key(found)} differ from the manifest's ${key(expected)}`);
}
