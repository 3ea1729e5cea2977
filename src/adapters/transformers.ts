// transformers.js loads a model's files (config.json, tokenizer.json, onnx/model.onnx, …) through its cache before it
// looks locally or downloads: `env.customCache` takes any object with the Web Cache API's match() and put(). A .tzip
// packed from a model's repository folder answers those requests: the ONNX graph's weights compressed as tensors
// (model kind `onnx`), every other file as an entry, so `pipeline(task, modelId)` loads the compressed model unchanged.
import { TensorzipError } from '../errors';
import type { Archive, EntryInput, OpenOptions, PackOptions } from '../format';
import { ONNX_MEDIA_TYPE, packOnnxModel, unpackOnnx } from '../io/onnx-archive';
import { readOnnx } from '../io/onnx-read';
import type { ArchiveSource, SourceOptions } from '../io/sources';
import type { Kernels } from '../wasm/kernels';
import { isArchive } from './is-archive';

/** The part of the Web Cache API transformers.js calls. */
export interface TransformersCache {
  /** The file a request names, or undefined when the archive does not hold it (transformers.js then goes on). */
  match(request: string | URL | { url: string }): Promise<Response | undefined>;
  /** Does nothing: the archive is read-only, and transformers.js only offers it files it fetched elsewhere. */
  put(request: unknown, response: unknown): Promise<void>;
}

export interface TransformersPackOptions extends PackOptions {
  /** The ONNX file whose weights become tensors, by its path in the folder (default: the only `.onnx` file). Other
   *  `.onnx` files are kept as entries, compressed as bytes. */
  onnxFile?: string;
}

/** transformers.js models from a .tzip. */
export interface TransformersAdapter {
  /**
   * One .tzip from a model's repository folder as transformers.js reads it: `files` by their path in the folder
   * (`config.json`, `tokenizer.json`, `onnx/model.onnx`, …). The ONNX model is packed as `onnx.pack` does (its
   * external data files, `<name>.onnx_data`, are read from `files` too and not stored again); the rest are entries.
   * @example
   * const bytes = await transformers.pack({ 'config.json': config, 'tokenizer.json': tok, 'onnx/model.onnx': model });
   */
  pack(files: Readonly<Record<string, Uint8Array>>, options?: TransformersPackOptions): Promise<Uint8Array>;
  /**
   * A cache for `env.customCache` that answers transformers.js's requests for the files of `modelId` from a .tzip
   * (anything open() takes, or an archive already open); the ONNX model is rebuilt with its weights inline. Requests
   * for other models, or files the archive lacks, are left to transformers.js's other sources.
   * @example
   * import { env, pipeline } from '@huggingface/transformers';
   * env.useCustomCache = true;
   * env.customCache = await transformers.cache('https://example.com/minilm.tzip', { modelId: 'Xenova/all-MiniLM-L6-v2' });
   * const embed = await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2');
   */
  cache(source: ArchiveSource | Archive, options: { modelId: string } & OpenOptions & SourceOptions): Promise<TransformersCache>;
}

/** The path of a file inside the model's repository, from a transformers.js cache key (a local path or a hub URL:
 *  `…/models/<modelId>/<path>`, `https://huggingface.co/<modelId>/resolve/<revision>/<path>`). */
function pathInModel(key: string, modelId: string): string | null {
  const text = key.replace(/[?#].*$/, '');
  const marker = `${modelId}/`;
  const found = text.startsWith(marker) ? 0 : text.indexOf(`/${marker}`) + 1;
  if (found === 0 && !text.startsWith(marker)) return null;
  const rest = text.slice(found + marker.length).replace(/^resolve\/[^/]+\//, '');
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

/** A file of the model: the ONNX model rebuilt, or an entry's bytes; undefined when the archive lacks it. */
async function readFile(archive: Archive, path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (archive.model?.kind === 'onnx' && archive.model.entry === path) return (await unpackOnnx(archive)).model as Uint8Array<ArrayBuffer>;
  if (!archive.entries.some((e) => e.name === path)) return undefined;
  return (await archive.getEntry(path)) as Uint8Array<ArrayBuffer>;
}

function cacheOf(archive: Archive, modelId: string): TransformersCache {
  const mediaTypes = new Map(archive.entries.map((e) => [e.name, e.mediaType]));
  // transformers.js asks for a file again right after loading it (by its other key): the last file is remembered.
  let last: { path: string; bytes: Promise<Uint8Array<ArrayBuffer> | undefined> } | null = null;
  return {
    async match(request) {
      const key = typeof request === 'string' ? request : request instanceof URL ? request.href : request?.url;
      const path = typeof key === 'string' ? pathInModel(key, modelId) : null;
      if (path === null) return undefined;
      if (last?.path !== path) last = { path, bytes: readFile(archive, path) };
      const bytes = await last.bytes;
      if (bytes === undefined) return undefined;
      const headers: Record<string, string> = { 'content-length': String(bytes.length) };
      const mediaType = mediaTypes.get(path);
      if (mediaType) headers['content-type'] = mediaType;
      return new Response(bytes, { status: 200, headers });
    },
    async put() {},
  };
}

export function bindTransformersAdapter(kernels: () => Kernels, open: (source: ArchiveSource, options?: OpenOptions & SourceOptions) => Promise<Archive>): TransformersAdapter {
  return {
    async pack(files, options = {}) {
      if (typeof files !== 'object' || files === null) throw new TensorzipError('ARGUMENT', 'transformers.pack: expected the model\'s files by path');
      const { onnxFile, ...packOptions } = options;
      const onnxFiles = Object.keys(files).filter((path) => path.endsWith('.onnx'));
      const modelPath = onnxFile ?? (onnxFiles.length === 1 ? onnxFiles[0] : undefined);
      if (modelPath === undefined || !(files[modelPath] instanceof Uint8Array)) {
        throw new TensorzipError('ARGUMENT', `transformers.pack: name the ONNX file to pack with onnxFile (the files hold ${onnxFiles.length === 0 ? 'none' : onnxFiles.join(', ')})`);
      }
      // External data files are named relative to the model's folder; they are stored as tensors, not again.
      const folder = modelPath.slice(0, modelPath.lastIndexOf('/') + 1);
      const used = new Set<string>();
      const model = readOnnx(files[modelPath], { externalData: (location) => (used.add(folder + location), files[folder + location]) });
      const entries: Record<string, EntryInput> = { ...packOptions.entries };
      for (const [path, data] of Object.entries(files)) {
        if (path === modelPath || used.has(path)) continue;
        entries[path] = { data, mediaType: path.endsWith('.json') ? 'application/json' : path.endsWith('.onnx') ? ONNX_MEDIA_TYPE : undefined };
      }
      return packOnnxModel(kernels(), model, { ...packOptions, entries }, modelPath);
    },
    async cache(source, options) {
      const modelId = options?.modelId;
      if (typeof modelId !== 'string' || modelId.length === 0) throw new TensorzipError('ARGUMENT', 'transformers.cache: expected options.modelId, the id passed to pipeline()');
      const { modelId: _, ...openOptions } = options;
      return cacheOf(isArchive(source) ? source : await open(source, openOptions), modelId);
    },
  };
}
