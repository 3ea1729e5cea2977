// Samples from the shapes data usually comes in: columns of arrays with the sample dimension first (.npy files, as
// `x.npy` / `y.npy`), and records (rows of a CSV or a JSON Lines file, parsed by the caller). Each gives a schema and
// the samples a DatasetWriter takes.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { TensorArray } from '../format/dtypes';
import type { TensorInput } from '../format/encode-tensor';
import type { DatasetFieldInput } from '../dataset/writer';

export interface ImportedSamples {
  schema: DatasetFieldInput[];
  length: number;
  samples: Iterable<Record<string, unknown>>;
  /** For records: each text column's categories, as `categories.<field>` → a JSON array (the code is the index). */
  metadata: Record<string, string>;
}

export interface SamplesFrom {
  /**
   * Columns with the sample dimension first, all of one length — e.g. the arrays of `x.npy` and `y.npy`.
   * @example
   * const { schema, samples } = samplesFrom.columns({ image: npy.read(xBytes), label: npy.read(yBytes) });
   * const writer = createDatasetWriter(sink, { schema });
   * for (const s of samples) await writer.add(s);
   */
  columns(columns: Record<string, TensorInput>): ImportedSamples;
  /**
   * Records (objects of one row each, as a CSV or JSON Lines parser gives them): numbers become `int32` columns
   * when every value is an integer in range, else `float32` (missing values NaN); booleans `bool`; text a category
   * code (`int32`, its categories in metadata); arrays of numbers a `float32` field, fixed or variable in length.
   * @example
   * const rows = text.trim().split('\n').map((line) => JSON.parse(line));
   * const { schema, samples, metadata } = samplesFrom.records(rows);
   */
  records(records: readonly Record<string, unknown>[]): ImportedSamples;
}

function columns(input: Record<string, TensorInput>): ImportedSamples {
  const names = Object.keys(input ?? {});
  if (names.length === 0) throw new TensorzipError('ARGUMENT', 'samplesFrom.columns: expected at least one column');
  let length = -1;
  const schema = names.map((name) => {
    const t = input[name];
    if (!Array.isArray(t?.shape) || t.shape.length === 0) throw new TensorzipError('ARGUMENT', `samplesFrom.columns: column ${describeValue(name)} needs a sample dimension first, found shape ${describeValue(t?.shape)}`);
    if (length >= 0 && t.shape[0] !== length) throw new TensorzipError('ARGUMENT', `samplesFrom.columns: column ${describeValue(name)} has ${t.shape[0]} samples, the first column ${length}`);
    length = t.shape[0];
    return { name, dtype: t.dtype, shape: t.shape.slice(1) };
  });
  const sizes = schema.map((f) => f.shape.reduce((n, d) => n * d, 1));
  function* samples() {
    for (let i = 0; i < length; i++) {
      const sample: Record<string, TensorArray> = {};
      schema.forEach((f, k) => (sample[f.name] = input[f.name].data.subarray(i * sizes[k], (i + 1) * sizes[k]) as TensorArray));
      yield sample;
    }
  }
  return { schema, length, samples: samples(), metadata: {} };
}

type Kind = 'int' | 'float' | 'bool' | 'text' | 'array';

function records(rows: readonly Record<string, unknown>[]): ImportedSamples {
  if (!Array.isArray(rows)) throw new TensorzipError('ARGUMENT', `samplesFrom.records: expected an array of records, found ${describeValue(rows)}`);
  const keys: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new TensorzipError('ARGUMENT', `samplesFrom.records: record ${i} is ${describeValue(row)}, not an object`);
    for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), keys.push(key));
  });
  const fieldName = (key: string) => key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128) || '_';
  const used = new Set<string>();
  const metadata: Record<string, string> = {};
  const converters: ((row: Record<string, unknown>) => unknown)[] = [];
  const schema: DatasetFieldInput[] = keys.map((key) => {
    let name = fieldName(key);
    for (let k = 2; used.has(name); k++) name = `${fieldName(key).slice(0, 120)}_${k}`;
    used.add(name);
    const values = rows.map((r) => r[key]);
    const kind = kindOf(values, key);
    if (kind === 'text') {
      const categories = [...new Set(values.filter((v) => typeof v === 'string') as string[])].sort();
      const code = new Map(categories.map((c, i) => [c, i]));
      metadata[`categories.${name}`] = JSON.stringify(categories);
      converters.push((r) => (typeof r[key] === 'string' ? code.get(r[key] as string)! : -1));
      return { name, dtype: 'int32', shape: [] };
    }
    if (kind === 'array') {
      const lengths = new Set(values.map((v) => (Array.isArray(v) ? v.length : 0)));
      converters.push((r) => Float32Array.from(Array.isArray(r[key]) ? r[key] as number[] : []));
      return { name, dtype: 'float32', shape: [lengths.size === 1 ? [...lengths][0] : null] };
    }
    const dtype = kind === 'int' ? 'int32' : kind === 'bool' ? 'bool' : 'float32';
    converters.push(kind === 'float' ? (r) => (typeof r[key] === 'number' ? r[key] : NaN) : (r) => r[key]);
    return { name, dtype, shape: [] };
  });
  function* samples() {
    for (const row of rows) {
      const sample: Record<string, unknown> = {};
      schema.forEach((f, k) => (sample[f.name] = converters[k](row)));
      yield sample;
    }
  }
  return { schema, length: rows.length, samples: samples(), metadata };
}

/** What a column holds; mixed columns are refused rather than guessed. */
function kindOf(values: unknown[], key: string): Kind {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  const all = (test: (v: unknown) => boolean) => present.every(test);
  if (present.length === 0 || all((v) => typeof v === 'number')) {
    const missing = present.length < values.length;
    return !missing && all((v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31) ? 'int' : 'float';
  }
  if (all((v) => typeof v === 'boolean') && present.length === values.length) return 'bool';
  if (all((v) => typeof v === 'string')) return 'text';
  if (all((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) return 'array';
  throw new TensorzipError('ARGUMENT', `samplesFrom.records: column ${describeValue(key)} mixes kinds of values (numbers, text, booleans, arrays)`);
}

export const samplesFrom: SamplesFrom = { columns, records };

