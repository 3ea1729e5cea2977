// The dataset functions bound to an engine's kernels: writers that stream samples into shards, and readers that
// find shards beside a manifest or behind a URL.
import type { ByteSink } from '../format/writer';
import type { OpenOptions } from '../format/archive';
import type { Kernels } from '../wasm/kernels';
import { DatasetWriter, type DatasetWriterOptions, type ShardTarget } from '../dataset/writer';
import { openDataset, type Dataset, type DatasetOpenOptions } from '../dataset/reader';
import { datasetFiles } from './dataset-files';
import type { SourceOptions } from './sources';

export interface Datasets {
  /**
   * A writer of samples into a dataset (docs/FORMAT.md, Datasets): one file written to `target`, or shards when
   * `target` is a function giving each shard's path and sink (a new shard once one passes `shardBytes`). Memory holds
   * one group of samples; finish() returns the manifest to write beside the shards.
   * @example
   * const writer = createDatasetWriter(fs.createWriteStream('digits.tzip'), {
   *   schema: [{ name: 'image', dtype: 'uint8', shape: [28, 28] }, { name: 'label', dtype: 'int32', shape: [] }],
   * });
   * for (const { pixels, digit } of samples) await writer.add({ image: pixels, label: digit });
   * await writer.finish();
   */
  createDatasetWriter(target: ByteSink | ShardTarget, options: DatasetWriterOptions): DatasetWriter;
  /**
   * Opens a dataset: a dataset file (bytes, Blob, path or URL — read with Range requests, a group at a time), or a
   * manifest (its `.json` path or URL, with the shards beside it). Shards open on first use.
   * @example
   * const train = await openDataset('https://example.com/digits/train.json');
   * for (let epoch = 0; epoch < 3; epoch++) {
   *   for await (const { image, label } of train.batches({ batchSize: 64, shuffle: true, seed: 1, epoch })) {
   *     step(image.data, label.data); // Uint8Array(64 * 784), Int32Array(64)
   *   }
   * }
   */
  openDataset(source: unknown, options?: DatasetOpenOptions & OpenOptions & SourceOptions): Promise<Dataset>;
}

export function bindDatasets(kernels: () => Kernels): Datasets {
  return {
    createDatasetWriter: (target, options) => new DatasetWriter(kernels(), target, options),
    openDataset: (source, options = {}) => openDataset(datasetFiles(kernels, options), source, options),
  };
}
