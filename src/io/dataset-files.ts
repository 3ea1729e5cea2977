// How datasets reach their files: shards through open()'s sources (bytes, Blob, path, URL with Range requests), a
// manifest read whole, and shard paths resolved against the manifest's URL or file path.
import { TensorzipError } from '../errors';
import { openArchive, type OpenOptions } from '../format/archive';
import type { DatasetFiles } from '../dataset/reader';
import type { Kernels } from '../wasm/kernels';
import { toByteSource, type SourceOptions } from './sources';

const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

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
    relative(base, path) {
      if (base instanceof URL) return new URL(path, base);
      const text = String(base);
      if (SCHEME.test(text)) return new URL(path, text).href;
      return text.replace(/[^/\\]*$/, '') + path;
    },
  };
}
