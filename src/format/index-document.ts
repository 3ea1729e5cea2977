// The JSON index of a .tzip file (docs/FORMAT.md): its types, how the writer serializes it, and the reader's checks.
// Every value is checked before it is used; the errors name the tensor and the field.
import { TensorzipError } from '../errors';
import type { PipelineStage } from '../codecs/pipeline';
import type { QuantStats, StoredQuantDtype } from '../codecs/quant';
import { affineLayout } from '../codecs/quant/layout';
import { GGML_TYPES } from '../codecs/quant/ggml';
import { isTensorDtype, TENSOR_DTYPES, type TensorDtype } from './dtypes';
import { ALIGNMENT, FOOTER_BYTES, type IndexLocation } from './framing';
import { arrayElementsByDepth, parseJson } from './index-json';
import type { Kernels } from '../wasm/kernels';
import { describeValue } from '../codecs/describe-value';
import { maxExpansion, PALETTE_MAX_ENTRIES, PREDICT_MAX_LAG, REGROUP_MAX_CHANNELS, REGROUP_MAX_RUN, regroupLabelBytes } from '../codecs/pipeline/stages';

export interface ByteRange {
  offset: number;
  length: number;
  checksum: number;
}

export interface StoredAs {
  /** The tensor's own dtype (lossless) or a quantized type, which decodes to float32. */
  dtype: TensorDtype | StoredQuantDtype;
  axis: number | null;
  blockSize: number | null;
  /** Affine types: float32 scales, then (when present) one zero point byte per scale. TF.js codes: float64 scale
   *  and min. */
  params: ByteRange | null;
}

export interface TensorEntry {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  stored: StoredAs;
  pipeline: PipelineStage[];
  chunkElements: number;
  chunks: ByteRange[];
  stats: QuantStats | null;
  metadata: Record<string, string>;
}

/** A file of the model beside the tensors (1.2): stored exactly as a uint8 tensor of shape [size]. */
export interface FileEntry extends TensorEntry {
  mediaType: string | null;
}

/** Which entry describes the model, and how (docs/FORMAT.md, "The model"). */
export interface ModelRef {
  kind: string;
  entry: string;
}

export interface IndexDocument {
  tensors: TensorEntry[];
  entries: FileEntry[];
  model: ModelRef | null;
  metadata: Record<string, string>;
}

/** Longest entry name and media type, in bytes of UTF-8. */
export const MAX_ENTRY_NAME_BYTES = 1024;
export const MAX_MEDIA_TYPE_BYTES = 255;

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Why `name` cannot name an entry (a relative path that stays below its folder), or null when it can. */
export function entryNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'must be a non-empty string';
  if (name.length > MAX_ENTRY_NAME_BYTES / 3 && utf8Length(name) > MAX_ENTRY_NAME_BYTES) return `is longer than ${MAX_ENTRY_NAME_BYTES} bytes of UTF-8`;
  if (/[\\:\0]/.test(name)) return 'holds a backslash, a colon or NUL';
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." path segment';
  return null;
}

/** Why `mediaType` is not a media type an entry may carry, or null when it is. */
export function mediaTypeProblem(mediaType: unknown): string | null {
  if (typeof mediaType !== 'string') return 'must be a string';
  return utf8Length(mediaType) > MAX_MEDIA_TYPE_BYTES ? `is longer than ${MAX_MEDIA_TYPE_BYTES} bytes of UTF-8` : null;
}

/** Bytes of a TF.js codes parameter block: float64 scale, then float64 min. */
export const TFJS_PARAMS_BYTES = 16;

/** Per stored type: values per unit, bytes per unit, and its parameter block (null: none). */
const QUANT_STORED: Record<string, { values: number; bytes: number; params: 'affine' | 'tfjs' | null }> = {
  float16: { values: 1, bytes: 2, params: null }, bfloat16: { values: 1, bytes: 2, params: null },
  float8e4m3fn: { values: 1, bytes: 1, params: null }, float8e5m2: { values: 1, bytes: 1, params: null },
  int8: { values: 1, bytes: 1, params: 'affine' }, uint8: { values: 1, bytes: 1, params: 'affine' },
  int4: { values: 2, bytes: 1, params: 'affine' }, uint4: { values: 2, bytes: 1, params: 'affine' },
  tfjs_uint8: { values: 1, bytes: 1, params: 'tfjs' }, tfjs_uint16: { values: 1, bytes: 2, params: 'tfjs' },
  ...Object.fromEntries(Object.entries(GGML_TYPES).map(([dtype, { values, bytes }]) => [dtype, { values, bytes, params: null }])),
};

/** Bytes that `count` elements take once the byte stages are undone. */
export function storedBytes(entry: Pick<TensorEntry, 'dtype' | 'stored'>, count: number): number {
  if (entry.stored.dtype === entry.dtype) return count * TENSOR_DTYPES[entry.dtype].bytes;
  const q = QUANT_STORED[entry.stored.dtype];
  return Math.ceil(count / q.values) * q.bytes;
}

export function isQuantized(entry: Pick<TensorEntry, 'dtype' | 'stored'>): boolean {
  return entry.stored.dtype !== entry.dtype;
}

const range = (r: ByteRange) => [r.offset, r.length, r.checksum];

export function serializeIndex(doc: IndexDocument): Uint8Array {
  const json = {
    tensors: doc.tensors.map((t) => ({
      name: t.name, dtype: t.dtype, shape: t.shape,
      // Null fields are left out (a reader takes an absent one as null): ~50 bytes per tensor of every index.
      stored: {
        dtype: t.stored.dtype,
        ...(t.stored.axis === null ? {} : { axis: t.stored.axis }),
        ...(t.stored.blockSize === null ? {} : { blockSize: t.stored.blockSize }),
        ...(t.stored.params === null ? {} : { params: range(t.stored.params) }),
      },
      pipeline: t.pipeline, chunkElements: t.chunkElements, chunks: t.chunks.map(range),
      ...(t.stats === null ? {} : { stats: t.stats }),
      ...(Object.keys(t.metadata).length > 0 ? { metadata: t.metadata } : {}),
    })),
    // A file without entries or a model has the index of 1.1.
    ...(doc.entries.length > 0 ? {
      entries: doc.entries.map((e) => ({
        name: e.name, ...(e.mediaType === null ? {} : { mediaType: e.mediaType }), size: e.shape[0],
        pipeline: e.pipeline, chunkElements: e.chunkElements, chunks: e.chunks.map(range),
      })),
    } : {}),
    ...(doc.model === null ? {} : { model: { kind: doc.model.kind, entry: doc.model.entry } }),
    ...(Object.keys(doc.metadata).length > 0 ? { metadata: doc.metadata } : {}),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

// ---- reading ----

const corrupt = (message: string) => new TensorzipError('CORRUPT', `open: ${message}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** Names past 341 UTF-16 units may take over 1024 bytes of UTF-8 (3 per unit at most): only those are encoded. */
const utf8 = new TextEncoder();

/** A copy of a string-to-string map as a null-prototype object, so that no key (`__proto__`, `toString`, …) reads
 *  anything but its own value. */
function stringMap(value: unknown, what: () => string): Record<string, string> {
  const map: Record<string, string> = Object.create(null);
  if (value === undefined || value === null) return map;
  if (!isObject(value)) throw corrupt(`${what()} must map strings to strings`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw corrupt(`${what()} must map strings to strings, found ${describeValue(v)} for ${describeValue(key)}`);
    map[key] = v;
  }
  return map;
}

/** The range `value` lists, or null when it is not [offset, length, xxh32]. */
function byteRange(value: unknown): ByteRange | null {
  if (!Array.isArray(value) || value.length !== 3 || !isCount(value[0]) || !isCount(value[1]) || !isCount(value[2]) || value[2] > 0xffffffff) return null;
  return { offset: value[0], length: value[1], checksum: value[2] };
}

const badRange = (what: string, value: unknown) => corrupt(`${what} must be [offset, length, xxh32], found ${describeValue(value)}`);

/** A stage parameter's allowed values: a list, or the integers from min to max. */
type Allowed = readonly unknown[] | { min: number; max: number };
const isRange = (allowed: Allowed): allowed is { min: number; max: number } => !Array.isArray(allowed);
const allows = (allowed: Allowed, value: unknown) => isRange(allowed)
  ? Number.isInteger(value) && (value as number) >= allowed.min && (value as number) <= allowed.max : allowed.includes(value);

const STAGE_FIELDS: Record<string, Record<string, Allowed>> = {
  lz4: {},
  shuffle: { typesize: Array.from({ length: 16 }, (_, i) => i + 1) },
  bitshuffle: { typesize: Array.from({ length: 16 }, (_, i) => i + 1) },
  delta: { width: [1, 2, 4, 8] },
  sparse: { format: ['bitmask', 'csr', '2:4'], width: [1, 2, 4] },
  huffman: { planes: Array.from({ length: 16 }, (_, i) => i + 1) },
  huffman_ctx: { planes: Array.from({ length: 16 }, (_, i) => i + 1) },
  rans: { planes: Array.from({ length: 16 }, (_, i) => i + 1) },
  rans_lanes: { planes: Array.from({ length: 16 }, (_, i) => i + 1) },
  palette: { width: [2, 4, 8] },
  regroup: { groups: [2, 4, 8, 16], channels: { min: 1, max: REGROUP_MAX_CHANNELS }, run: { min: 1, max: REGROUP_MAX_RUN } },
  predict: { lag: { min: 1, max: PREDICT_MAX_LAG }, weight: [1, 2, 3, 4] },
};

/** Most stages in one pipeline. */
const MAX_STAGES = 8;
/** Codecs that expand (see chunkExpansion): at most one of each group in a pipeline, so its expansion stays bounded. */
const ONCE = [['lz4', 'huffman', 'huffman_ctx', 'rans', 'rans_lanes'], ['sparse', 'palette']];

/** Each stage's parameter names (STAGE_FIELDS' keys), listed once. */
const STAGE_FIELD_NAMES: Record<string, string[]> = Object.fromEntries(Object.entries(STAGE_FIELDS).map(([codec, fields]) => [codec, Object.keys(fields)]));

// The checks below loop by index: an index is read once, in V8's first tiers, where `for … of` and destructuring
// allocate an iterator and a result object per step (a third of what reading handtrack's 619 tensors allocated).
function pipeline(value: unknown, what: () => string): PipelineStage[] {
  if (!Array.isArray(value)) throw corrupt(`${what()} pipeline must be an array of stages`);
  if (value.length > MAX_STAGES) throw corrupt(`${what()} pipeline has ${value.length} stages, more than ${MAX_STAGES}`);
  for (let g = 0; g < ONCE.length; g++) {
    let found = 0;
    for (let i = 0; i < value.length; i++) if (isObject(value[i]) && ONCE[g].includes(value[i].codec)) found++;
    if (found > 1) throw corrupt(`${what()} pipeline has more than one ${ONCE[g].join(' or ')} stage`);
  }
  for (let i = 0; i < value.length; i++) {
    const stage: unknown = value[i];
    if (!isObject(stage) || typeof stage.codec !== 'string') throw corrupt(`${what()} pipeline[${i}] must be an object with a codec name`);
    const fields = Object.hasOwn(STAGE_FIELDS, stage.codec) ? STAGE_FIELDS[stage.codec] : undefined;
    if (fields === undefined) throw new TensorzipError('UNSUPPORTED', `open: ${what()} pipeline[${i}] uses the codec ${describeValue(stage.codec)}, which this version does not know`);
    const keys = Object.keys(stage);
    for (let k = 0; k < keys.length; k++) if (keys[k] !== 'codec' && !Object.hasOwn(fields, keys[k])) throw corrupt(`${what()} pipeline[${i}] (${stage.codec}) has an unknown parameter ${describeValue(keys[k])}`);
    const names = STAGE_FIELD_NAMES[stage.codec];
    for (let k = 0; k < names.length; k++) {
      const key = names[k];
      const allowed = fields[key];
      if (!allows(allowed, stage[key])) {
        throw corrupt(`${what()} pipeline[${i}] (${stage.codec}) ${key} must be ${isRange(allowed) ? `an integer from ${allowed.min} to ${allowed.max}` : `one of ${allowed.join(', ')}`}, found ${describeValue(stage[key])}`);
      }
    }
  }
  return value.slice() as PipelineStage[];
}

/** The largest a chunk of `stored` bytes can be after its pipeline: the compressor's bound of the largest
 *  intermediate (CSR's 5-byte numbers, a palette's count and table of up to 65,536 entries). */
function chunkBound(stages: PipelineStage[], stored: number): number {
  let bound = stored;
  let lz4 = false;
  let planes = 0;
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    if (s.codec === 'sparse') bound += 5 * stored + 16;
    else if (s.codec === 'palette') bound += 4 + PALETTE_MAX_ENTRIES * s.width;
    else if (s.codec === 'regroup') bound += regroupLabelBytes(s);
    else if (s.codec === 'lz4') lz4 = true;
    else if (s.codec === 'huffman' || s.codec === 'huffman_ctx' || s.codec === 'rans' || s.codec === 'rans_lanes') planes += s.planes;
  }
  if (lz4) bound += Math.floor(bound / 255) + 16;
  // A block per plane is never longer than its raw form: 5 header bytes, and each plane's u32 length.
  return bound + 9 * planes;
}

/**
 * The most stored bytes one byte of a chunk can decode to through `stages`: the product of each stage's maximum
 * expansion (maxExpansion). A CSR chunk counts as a bitmask (8 elements per byte): CSR alone has no bound (a row of
 * zeros is one byte), and a chunk sparser than that is smaller still as a bitmask under LZ4.
 */
function chunkExpansion(stages: PipelineStage[]): number {
  let n = 1;
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    n *= s.codec === 'sparse' && s.format === 'csr' ? 8 * s.width : maxExpansion(s);
  }
  return n;
}

const tooManyChunks = (limit: number) => new TensorzipError('LIMIT', `open: the index lists more than maxChunks (${limit}) chunks`);

export interface IndexLimits {
  /** Largest decoded tensor, in bytes. */
  maxBytes: number;
  /** Most tensors in the index. */
  maxTensors: number;
  /** Most chunks in the index, all tensors together. */
  maxChunks: number;
}

/** Rules a prefix flag changes (1.3, 1.4). */
export interface IndexRules {
  /** Flag bit 1: chunks may start at any offset, not only at multiples of 64. */
  packedChunks: boolean;
  /** Flag bit 2 (1.4): bytes each stored range holds beyond its plaintext (the GCM tag), else 0. */
  sealOverhead: number;
  /** Where ranges may start: after the prefix, and after the seal header of an encrypted file. */
  dataStart: number;
}

/** A range shorter than the GCM tag every range of an encrypted file holds (flag bit 2). */
const shorterThanTag = (what: string, r: ByteRange, rules: IndexRules) =>
  corrupt(`${what}: ${r.length} bytes, shorter than the ${rules.sealOverhead}-byte tag of a sealed range`);

/** `label` names the item in errors: a tensor, or an entry read as one (fileEntry). */
function tensorEntry(value: unknown, i: number, limits: IndexLimits, rules: IndexRules, chunksBefore: number, label: 'tensor' | 'entry' = 'tensor'): TensorEntry {
  if (!isObject(value)) throw corrupt(`tensors[${i}] must be an object`);
  const name = value.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 1024 || (name.length > 341 && utf8.encode(name).length > 1024)) throw corrupt(`tensors[${i}].name must be a string of 1 to 1024 bytes`);
  // Built only for an error: describing every name up front costs more than the rest of the checks in a cold open().
  const what = () => `${label} ${describeValue(name)}`;
  if (!isTensorDtype(value.dtype)) {
    throw new TensorzipError(typeof value.dtype === 'string' ? 'UNSUPPORTED' : 'CORRUPT', `open: ${what()} has dtype ${describeValue(value.dtype)}, which this version does not know`);
  }
  const dtype = value.dtype;
  if (!Array.isArray(value.shape) || !value.shape.every(isCount)) throw corrupt(`${what()}: shape must be an array of non-negative integers`);
  const shape = value.shape.slice() as number[];
  let count = 1;
  for (let d = 0; d < shape.length; d++) count *= shape[d];
  const shown = () => `[${shape.slice(0, 8).join(', ')}${shape.length > 8 ? ', …' : ''}]`;
  if (!Number.isSafeInteger(count * TENSOR_DTYPES[dtype].bytes)) throw corrupt(`${what()}: the shape ${shown()} is too large`);
  if (count * TENSOR_DTYPES[dtype].bytes > limits.maxBytes) {
    throw new TensorzipError('LIMIT', `open: ${what()} ${shown()} decodes to more than maxBytes (${limits.maxBytes})`);
  }
  const stored = value.stored;
  if (!isObject(stored)) throw corrupt(`${what()}: stored must be an object`);
  const storedDtype = stored.dtype;
  const quantized = storedDtype !== dtype;
  if (quantized && !(typeof storedDtype === 'string' && Object.hasOwn(QUANT_STORED, storedDtype))) {
    throw new TensorzipError(typeof storedDtype === 'string' ? 'UNSUPPORTED' : 'CORRUPT', `open: ${what()} is stored as ${describeValue(storedDtype)}, which this version does not know`);
  }
  if (quantized && dtype !== 'float32') throw corrupt(`${what()}: only float32 tensors may be stored quantized (found ${dtype} as ${storedDtype as string})`);
  const axis = stored.axis ?? null;
  const blockSize = stored.blockSize ?? null;
  if ((axis !== null && !Number.isSafeInteger(axis)) || (blockSize !== null && !(isCount(blockSize) && blockSize > 0))) throw corrupt(`${what()}: stored.axis and stored.blockSize must be integers or null`);
  const kind = quantized ? QUANT_STORED[storedDtype as string].params : null;
  const affine = kind === 'affine';
  const params = stored.params === null || stored.params === undefined ? null : byteRange(stored.params);
  if (params === null && stored.params !== null && stored.params !== undefined) throw badRange(`${what()} stored.params`, stored.params);
  if (params !== null && params.length < rules.sealOverhead) throw shorterThanTag(`${what()} stored.params`, params, rules);
  const paramBytes = params && params.length - rules.sealOverhead;
  if ((kind !== null) !== (params !== null)) throw corrupt(`${what()}: ${kind !== null ? `${storedDtype as string} needs` : 'only affine and TF.js types have'} a parameter block`);
  if (kind === 'tfjs') {
    if (axis !== null || blockSize !== null) throw corrupt(`${what()}: ${storedDtype as string} has no axis or blockSize`);
    if (paramBytes !== TFJS_PARAMS_BYTES) throw corrupt(`${what()}: the parameter block of ${storedDtype as string} is ${TFJS_PARAMS_BYTES} bytes, found ${paramBytes}`);
  }
  if (affine) {
    let scales: number;
    try {
      scales = affineLayout(shape, (axis as number | null) ?? undefined, (blockSize as number | null) ?? undefined).paramCount;
    } catch (cause) {
      throw new TensorzipError('CORRUPT', `open: ${what()}: stored.axis / blockSize do not fit the shape`, { cause });
    }
    // float32 scales, then (asymmetric types) one zero-point byte per scale: 4p or 5p bytes.
    if (paramBytes !== 4 * scales && paramBytes !== 5 * scales) throw corrupt(`${what()}: the parameter block is ${paramBytes} bytes; its layout has ${scales} scales`);
  }
  const stages = pipeline(value.pipeline, what);
  const chunkElements = value.chunkElements;
  const unit = quantized ? QUANT_STORED[storedDtype as string].values : 1;
  if (!isCount(chunkElements) || chunkElements === 0 || chunkElements % unit !== 0) throw corrupt(`${what()}: chunkElements must be a positive multiple of ${unit}, found ${describeValue(chunkElements)}`);
  if (!Array.isArray(value.chunks)) throw corrupt(`${what()}: chunks must be an array`);
  if (chunksBefore + value.chunks.length > limits.maxChunks) throw tooManyChunks(limits.maxChunks);
  const expectedChunks = Math.ceil(count / chunkElements);
  if (value.chunks.length !== expectedChunks) throw corrupt(`${what()}: ${value.chunks.length} chunks listed, ${expectedChunks} expected for ${count} elements of ${chunkElements} per chunk`);
  const entry: TensorEntry = {
    name, dtype, shape, stored: { dtype: storedDtype as TensorDtype | StoredQuantDtype, axis: axis as number | null, blockSize: blockSize as number | null, params }, pipeline: stages,
    chunkElements, chunks: new Array<ByteRange>(expectedChunks), stats: null, metadata: stringMap(value.metadata, () => `${what()} metadata`),
  };
  const expansion = chunkExpansion(stages);
  let sparseWidth = 1;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i];
    if (stage.codec === 'sparse') sparseWidth = stage.width;
  }
  for (let k = 0; k < expectedChunks; k++) {
    const r = byteRange(value.chunks[k]);
    if (r === null) throw badRange(`${what()} chunks[${k}]`, value.chunks[k]);
    if (r.length < rules.sealOverhead) throw shorterThanTag(`${what()} chunks[${k}]`, r, rules);
    const length = r.length - rules.sealOverhead;
    const elements = Math.min(chunkElements, count - k * chunkElements);
    const bytes = storedBytes(entry, elements);
    if (bytes % sparseWidth !== 0) throw corrupt(`${what()} chunks[${k}]: its ${bytes} stored bytes are not whole ${sparseWidth}-byte elements for its sparse stage`);
    if (length > chunkBound(stages, bytes)) throw corrupt(`${what()} chunks[${k}]: ${length} bytes is more than its pipeline can produce for ${elements} elements`);
    if (length * expansion < bytes) throw corrupt(`${what()} chunks[${k}]: ${length} bytes cannot decode to the ${bytes} bytes of ${elements} elements (its pipeline expands at most ${expansion}x)`);
    if (!rules.packedChunks && r.offset % ALIGNMENT !== 0) throw corrupt(`${what()} chunks[${k}]: offset ${r.offset} is not a multiple of ${ALIGNMENT}`);
    entry.chunks[k] = r;
  }
  const stats = value.stats;
  if (stats !== undefined && stats !== null) {
    if (!isObject(stats) || !['maxAbsError', 'rmse', 'sqnrDb'].every((k) => typeof stats[k] === 'number' || stats[k] === null)) throw corrupt(`${what()}: stats must hold maxAbsError, rmse and sqnrDb`);
    entry.stats = { maxAbsError: stats.maxAbsError as number, rmse: stats.rmse as number, sqnrDb: (stats.sqnrDb ?? Infinity) as number };
  }
  return entry;
}

/** An entry (1.2): its name and media type checked, then everything else exactly as a uint8 tensor of shape [size]. */
function fileEntry(value: unknown, i: number, limits: IndexLimits, rules: IndexRules, chunksBefore: number): FileEntry {
  if (!isObject(value)) throw corrupt(`entries[${i}] must be an object`);
  const nameProblem = entryNameProblem(value.name);
  if (nameProblem !== null) throw corrupt(`entries[${i}].name ${describeValue(value.name)} ${nameProblem}`);
  const what = () => `entry ${describeValue(value.name)}`;
  const mediaType = value.mediaType ?? null;
  const typeProblem = mediaType === null ? null : mediaTypeProblem(mediaType);
  if (typeProblem !== null) throw corrupt(`${what()}: mediaType ${typeProblem}`);
  if (!isCount(value.size)) throw corrupt(`${what()}: size must be a non-negative integer, found ${describeValue(value.size)}`);
  const asTensor = {
    name: value.name, dtype: 'uint8', shape: [value.size], stored: { dtype: 'uint8' },
    pipeline: value.pipeline, chunkElements: value.chunkElements, chunks: value.chunks, metadata: value.metadata,
  };
  return { ...tensorEntry(asTensor, i, limits, rules, chunksBefore, 'entry'), mediaType: mediaType as string | null };
}

function modelRef(value: unknown, entries: readonly FileEntry[]): ModelRef | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || typeof value.kind !== 'string' || value.kind.length === 0 || typeof value.entry !== 'string') {
    throw corrupt(`model must be { kind, entry } with a non-empty kind, found ${describeValue(value)}`);
  }
  const entry = value.entry;
  if (!entries.some((e) => e.name === entry)) throw corrupt(`the model's entry ${describeValue(entry)} is not an entry of the file`);
  return { kind: value.kind, entry };
}

/** Every byte range of the index's tensors (parameter blocks and chunks): starts, ends, checksums, whether each is a
 *  chunk (only chunks may share a range), and who owns each. */
function rangesOf(tensors: TensorEntry[], location: IndexLocation) {
  let n = 1;
  for (let i = 0; i < tensors.length; i++) n += tensors[i].chunks.length + (tensors[i].stored.params ? 1 : 0);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const checksums = new Float64Array(n);
  const isChunk = new Uint8Array(n);
  const owners = new Uint32Array(n); // tensor index + 1; 0 for the index itself
  starts[0] = location.offset;
  ends[0] = location.offset + location.length;
  let at = 1;
  for (let i = 0; i < tensors.length; i++) {
    const { stored: { params }, chunks } = tensors[i];
    for (let c = params ? -1 : 0; c < chunks.length; c++) {
      const r = c < 0 ? params! : chunks[c];
      starts[at] = r.offset;
      ends[at] = r.offset + r.length;
      checksums[at] = r.checksum;
      isChunk[at] = c < 0 ? 0 : 1;
      owners[at++] = i + 1;
    }
  }
  const describe = (k: number) => (owners[k] === 0 ? 'the index' : `a range of tensor ${describeValue(tensors[owners[k] - 1].name)} (bytes ${starts[k]}–${ends[k]})`);
  /** Chunks `a` and `b` list the very same [offset, length, xxh32]: one stored range, shared (format 1.2). */
  const shared = (a: number, b: number) => isChunk[a] === 1 && isChunk[b] === 1 && starts[a] === starts[b] && ends[a] === ends[b] && checksums[a] === checksums[b];
  return { starts, ends, describe, shared };
}

/** Bits of a range's index in a sort key (rangeOrder): up to 2^21 ranges. */
const KEY_INDEX_BITS = 21;

/**
 * The ranges' indices by start, then end (equal ranges by index). A writer lists ranges in file order, so a sort is
 * paid only when they are not (shared chunks, parameter blocks elsewhere): then by start alone, as numbers
 * `start · 2^21 + index`, which a typed array sorts natively (a comparator call per comparison took ~3–20 ms for a
 * model's 1,200 ranges in a cold open()), and with the comparator only where two ranges start together and the
 * shorter comes later, or the keys would not be exact.
 */
function rangeOrder(starts: Float64Array, ends: Float64Array): Uint32Array {
  const n = starts.length;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  let inOrder = true;
  for (let k = 1; k < n && inOrder; k++) inOrder = starts[k - 1] < starts[k] || (starts[k - 1] === starts[k] && ends[k - 1] <= ends[k]);
  if (inOrder) return order;
  let maxStart = 0;
  for (let k = 0; k < n; k++) maxStart = Math.max(maxStart, starts[k]);
  const scale = 2 ** KEY_INDEX_BITS;
  if (n <= scale && (maxStart + 1) * scale <= 2 ** 53) {
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = starts[k] * scale + k;
    keys.sort();
    for (let k = 0; k < n; k++) order[k] = keys[k] % scale;
    let byEnd = true;
    for (let k = 1; k < n && byEnd; k++) byEnd = starts[order[k - 1]] !== starts[order[k]] || ends[order[k - 1]] <= ends[order[k]];
    if (byEnd) return order;
  }
  return order.sort((a, b) => starts[a] - starts[b] || ends[a] - ends[b]);
}

/** Chunk bytes summed over every use may reach this many times the file's size: shared ranges (format 1.2) cannot
 *  turn a small file into more work than that. */
export const MAX_SHARED_USES = 8;

/** LIMIT when the chunks' lengths over every use sum to more than MAX_SHARED_USES × the file's size. */
export function checkChunkUses(items: readonly TensorEntry[], fileSize: number): void {
  let used = 0;
  for (let i = 0; i < items.length; i++) for (let c = 0; c < items[i].chunks.length; c++) used += items[i].chunks[c].length;
  if (used > MAX_SHARED_USES * fileSize) throw new TensorzipError('LIMIT', `open: the chunks' lengths sum to ${used} bytes over their uses, more than ${MAX_SHARED_USES} × the file's ${fileSize} bytes`);
}

/**
 * Parses and checks the index: at most maxTensors tensors and maxChunks chunks (LIMIT), unique names, every range
 * inside the file, aligned (unless chunks are packed), and no two ranges overlapping but chunks that share one (at most MAX_SHARED_USES × the
 * file's size of chunk bytes over every use, LIMIT). Linear in the index size, but for one sort of the ranges.
 */
export function parseIndex(kernels: Kernels, bytes: Uint8Array, location: IndexLocation, fileSize: number, limits: IndexLimits, rules: IndexRules): IndexDocument {
  // Before parsing: tensor entries are the objects in an array at depth 3 ({ tensors: [ {…} ] }), chunk ranges the
  // arrays in an array at depth 5 ({ tensors: [ { chunks: [ […] ] } ] }).
  const { arrays, objects } = arrayElementsByDepth(kernels, bytes, location.offset);
  const tooMany = (found: number) => new TensorzipError('LIMIT', `open: the index lists ${found} tensors, more than maxTensors (${limits.maxTensors})`);
  if (objects[3] > limits.maxTensors) throw tooMany(objects[3]);
  if (arrays[5] > limits.maxChunks) throw tooManyChunks(limits.maxChunks);
  const json = parseJson(bytes, location.offset);
  if (!isObject(json) || !Array.isArray(json.tensors)) throw corrupt('the index must be an object with a tensors array');
  if (json.tensors.length > limits.maxTensors) throw tooMany(json.tensors.length);
  const names = new Set<string>();
  let chunks = 0;
  const tensors = json.tensors.map((value, i) => {
    const t = tensorEntry(value, i, limits, rules, chunks);
    if (names.has(t.name)) throw corrupt(`two tensors are named ${describeValue(t.name)}`);
    names.add(t.name);
    chunks += t.chunks.length;
    return t;
  });
  if (json.entries !== undefined && !Array.isArray(json.entries)) throw corrupt('entries must be an array');
  const entryValues: unknown[] = json.entries ?? [];
  // Entries count with tensors (the scan above counted both: each is an object in an array at depth 3).
  if (tensors.length + entryValues.length > limits.maxTensors) throw tooMany(tensors.length + entryValues.length);
  const entryNames = new Set<string>();
  const entries = entryValues.map((value, i) => {
    const e = fileEntry(value, i, limits, rules, chunks);
    if (entryNames.has(e.name)) throw corrupt(`two entries are named ${describeValue(e.name)}`);
    entryNames.add(e.name);
    chunks += e.chunks.length;
    return e;
  });
  const model = modelRef(json.model, entries);
  const { starts, ends, describe, shared } = rangesOf([...tensors, ...entries], location);
  const end = fileSize - FOOTER_BYTES;
  checkChunkUses([...tensors, ...entries], fileSize);
  for (let k = 0; k < starts.length; k++) {
    if (starts[k] < rules.dataStart || ends[k] > end) throw corrupt(`${describe(k)} lies outside the data area (${rules.dataStart}–${end})`);
  }
  const order = rangeOrder(starts, ends);
  for (let k = 1; k < order.length; k++) {
    if (starts[order[k]] < ends[order[k - 1]] && !shared(order[k], order[k - 1])) throw corrupt(`${describe(order[k])} overlaps ${describe(order[k - 1])}`);
  }
  return { tensors, entries, model, metadata: stringMap(json.metadata, () => 'metadata') };
}
