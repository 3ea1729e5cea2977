// One field of one sample as the writer takes it — a typed array, a plain array, a number, or { shape, data } —
// turned into the field's array type with its completed shape, checked against the field.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { TENSOR_DTYPES, type TensorArray } from '../format/dtypes';
import type { DatasetField } from './schema';

/** A field's value in a sample: its elements in row-major order (a typed array of the field's dtype, any array of
 *  numbers, bigints or booleans, or a single value for a field of shape `[]`), or `{ shape, data }` for a variable
 *  field whose shape cannot be told from the element count. */
export type SampleValue = TensorArray | ArrayLike<number | bigint | boolean> | number | bigint | boolean | { shape: readonly number[]; data: TensorArray | ArrayLike<number | bigint | boolean> };

const isBig = (field: DatasetField) => field.dtype === 'int64' || field.dtype === 'uint64';

function toArray(field: DatasetField, values: unknown, what: string): TensorArray {
  const { array } = TENSOR_DTYPES[field.dtype];
  if (values instanceof array) return values;
  if (typeof values !== 'object' || values === null || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw new TensorzipError('ARGUMENT', `${what}: expected the values as an array, found ${describeValue(values)}`);
  }
  const source = values as ArrayLike<unknown>;
  const out = new array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = source[i];
    const ok = isBig(field) ? typeof v === 'bigint' || Number.isSafeInteger(v) : typeof v === 'number' || typeof v === 'boolean';
    if (!ok) throw new TensorzipError('ARGUMENT', `${what}[${i}]: expected a number for a ${field.dtype} field, found ${describeValue(v)}`);
    out[i] = (isBig(field) ? BigInt(v as number | bigint) : Number(v)) as never;
  }
  return out;
}

/** The value's elements as the field's array type, and the sample's shape with every `null` filled in. */
export function sampleValue(field: DatasetField, value: unknown, what: string): { data: TensorArray; shape: number[] } {
  if (value === undefined) throw new TensorzipError('ARGUMENT', `${what}: the sample has no value for field ${describeValue(field.name)}`);
  const scalar = typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
  const given = !scalar && typeof value === 'object' && value !== null && 'shape' in value && 'data' in value ? value as { shape: unknown; data: unknown } : null;
  const data = toArray(field, scalar ? [value] : given ? given.data : value, what);
  const fixed = field.shape.reduce<number>((n, d) => n * (d ?? 1), 1);
  let shape: number[];
  if (given) {
    const s = given.shape;
    if (!Array.isArray(s) || s.length !== field.shape.length || !s.every((d, i) => Number.isSafeInteger(d) && d >= 0 && (field.shape[i] === null || field.shape[i] === d))) {
      throw new TensorzipError('ARGUMENT', `${what}: shape ${describeValue(s)} does not fit the field's ${describeValue(field.shape)}`);
    }
    shape = s as number[];
  } else if (field.shape.filter((d) => d === null).length > 1) {
    throw new TensorzipError('ARGUMENT', `${what}: a field with several variable dimensions takes { shape, data }`);
  } else if (field.shape.includes(null)) {
    // One variable dimension: the element count tells it.
    if (fixed === 0 ? data.length !== 0 : data.length % fixed !== 0) throw new TensorzipError('ARGUMENT', `${what}: ${data.length} values do not fill whole rows of ${fixed}`);
    shape = field.shape.map((d) => d ?? (fixed === 0 ? 0 : data.length / fixed));
  } else {
    shape = field.shape as number[];
  }
  const count = shape.reduce((n, d) => n * d, 1);
  if (data.length !== count) throw new TensorzipError('ARGUMENT', `${what}: shape ${describeValue(shape)} holds ${count} values, found ${data.length}`);
  return { data, shape };
}
