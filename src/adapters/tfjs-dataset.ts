// A dataset as a tf.data.Dataset of batches, for model.fitDataset. TF.js is passed in (any object with
// `data.generator` and `tensor`, as `@tensorflow/tfjs` is); each pass over it — each epoch of fitDataset — takes the
// next epoch's shuffle.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { BatchOptions, Dataset, DatasetTensor } from '../dataset/reader';

/** What toTfDataset uses of TF.js. */
export interface TfDataLike<T> {
  // `any`: tf.data types its elements as its own TensorContainer, which tensorzip does not import.
  data: { generator(make: () => AsyncIterator<any>): T };
  tensor(values: ArrayLike<number> | Uint8Array, shape: number[], dtype: 'float32' | 'int32' | 'bool'): unknown;
}

export interface TfDatasetOptions extends Omit<BatchOptions, 'fields' | 'epoch' | 'from'> {
  /** The model's inputs: one field (a tensor), or several (an object of tensors by field name). */
  xs: string | readonly string[];
  /** The targets, likewise. */
  ys: string | readonly string[];
  /** The epoch of the first pass (default 0); each later pass takes the next one. */
  epoch?: number;
  /** The TF.js dtype per field: by default float32 for float fields and for 8- and 16-bit integers (pixels), int32
   *  for wider integers, bool for bool. */
  dtypes?: Readonly<Record<string, 'float32' | 'int32' | 'bool'>>;
}

const defaultDtype = (dtype: string): 'float32' | 'int32' | 'bool' =>
  dtype === 'bool' ? 'bool' : dtype === 'int32' || dtype === 'uint32' || dtype === 'int64' || dtype === 'uint64' ? 'int32' : 'float32';

/**
 * A tf.data.Dataset of `{ xs, ys }` batches from a dataset, for `model.fitDataset`.
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * const train = await openDataset('digits.tzip');
 * const data = toTfDataset(tf, train, { batchSize: 64, shuffle: true, seed: 1, xs: 'image', ys: 'label' });
 * await model.fitDataset(data, { epochs: 5 });
 */
export function toTfDataset<T>(tf: TfDataLike<T>, dataset: Dataset, options: TfDatasetOptions): T {
  const what = 'toTfDataset';
  if (typeof tf?.data?.generator !== 'function' || typeof tf.tensor !== 'function') throw new TensorzipError('ARGUMENT', `${what}: expected TF.js with tf.data (e.g. @tensorflow/tfjs), found ${describeValue(tf)}`);
  const list = (names: string | readonly string[], which: string) => {
    const all = typeof names === 'string' ? [names] : names;
    if (!Array.isArray(all) || all.length === 0) throw new TensorzipError('ARGUMENT', `${what} ${which}: expected a field name or a non-empty list of them`);
    for (const name of all) {
      const field = dataset.fields.find((f) => f.name === name);
      if (!field) throw new TensorzipError('ARGUMENT', `${what} ${which}: no field named ${describeValue(name)} (the fields are ${dataset.fields.map((f) => f.name).join(', ')})`);
      if (field.shape.includes(null)) throw new TensorzipError('ARGUMENT', `${what} ${which}: field ${describeValue(name)} varies in shape; TF.js batches need one shape (pad it when writing)`);
    }
    return all;
  };
  const xs = list(options.xs, 'xs');
  const ys = list(options.ys, 'ys');
  const { xs: _xs, ys: _ys, dtypes = {}, epoch: firstEpoch = 0, ...batchOptions } = options;
  const toTensor = (t: DatasetTensor, name: string) => tf.tensor(t.data as ArrayLike<number>, t.shape as number[], dtypes[name] ?? defaultDtype(t.dtype));
  const pick = (batch: Record<string, DatasetTensor>, names: readonly string[], single: boolean) =>
    single ? toTensor(batch[names[0]], names[0]) : Object.fromEntries(names.map((n) => [n, toTensor(batch[n], n)]));
  let epoch = firstEpoch;
  return tf.data.generator(() => {
    const batches = dataset.batches({ ...batchOptions, epoch: epoch++, fields: [...new Set([...xs, ...ys])] });
    return (async function* () {
      for await (const batch of batches) yield { xs: pick(batch, xs, typeof options.xs === 'string'), ys: pick(batch, ys, typeof options.ys === 'string') };
    })();
  });
}
