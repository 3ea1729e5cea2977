// How datasets reach their files: shards through open()'s sources (bytes, Blob, path, URL with Range requests), a
// manifest read whole, and shard paths resolved against the manifest's URL or file path.
import { TensorzipError } from '../errors';
import { openArchive, type OpenOptions } from '../format/archive';
import type { DatasetFiles } from '../dataset/reader';
import type { Kernels } from '../wasm/kernels';
import { toByteSource, type SourceOptions } from './sources';
import { relativeSource } from './relative-source';

export function datasetFiles(kernels: () => Kernels, options: OpenOptions & SourceOptions): DatasetFiles {
  return {
    async open(source) {
      const bytes = await toByteSource(source, options);
      return { archive: await openArchive(kernels(), bytes, options), size: bytes.size };
    },
    async read(source, limit) {
      const bytes = await toByteSource(source, { ...options, maxBytes: limit });
      if (bytes.size > limit) throw new TensorzipError('LIMIT', `openDataset: the manifest has ${bytes.size} bytes, more than ${limit}`);
      return bytes.read(0, bytes.size);
    },
    relative: relativeSource,
  };
}
