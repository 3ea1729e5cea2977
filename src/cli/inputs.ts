// What `tensorzip pack` reads: a .safetensors, .npy or .gguf file, with the metadata each format carries (kept as the
// archive's metadata so that unpack can give it back), or a whole TF.js model: model.json with its shards beside it.
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { gguf, npy, pack, safetensors, tfjs, TensorzipError, type PackOptions, type QuantizedTensorInput, type TensorInput, type TfjsModel } from '../index';
import { readFile } from './files';
import { ggufArchiveMetadata } from './gguf-metadata';

export interface Input {
  /** Packs what was read with the command's options. */
  pack(options: PackOptions): Promise<Uint8Array>;
  /** How many tensors it holds. */
  tensors: number;
  /** Bytes of every file read. */
  bytes: number;
}

/** Where a shard that model.json lists lies: beside it or below it, never elsewhere (`../x` or `/etc/x` is damage). */
function shardPath(modelPath: string, listed: unknown): string {
  const folder = resolve(dirname(modelPath));
  const path = typeof listed === 'string' ? resolve(folder, listed) : '';
  const inside = relative(folder, path);
  if (typeof listed !== 'string' || listed.includes('\0') || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new TensorzipError('CORRUPT', `${modelPath}: model.json lists a shard path outside the model's folder: ${JSON.stringify(String(listed).slice(0, 60))}`);
  }
  return path;
}

/** A TF.js model.json (or a bare weights manifest, as some packages ship), with its shards beside it. */
function readTfjsModel(path: string, json: Uint8Array): Input {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(json));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', `${path}: not valid JSON`, { cause });
  }
  const modelJson = (Array.isArray(parsed) ? { weightsManifest: parsed } : parsed) as TfjsModel['modelJson'];
  const paths = Array.isArray(modelJson?.weightsManifest) ? modelJson.weightsManifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : [])) : [];
  const shards: Record<string, Uint8Array> = Object.create(null);
  for (const p of paths) shards[p] = readFile(shardPath(path, p));
  const bytes = json.length + Object.values(shards).reduce((n, s) => n + s.length, 0);
  const weights = !Array.isArray(modelJson?.weightsManifest) ? 0 : modelJson.weightsManifest.reduce((n, g) => n + (Array.isArray(g?.weights) ? g.weights.length : 0), 0);
  // The whole model: its topology as an entry, quantized weights as their codes (uint8 stays uint8), as GGUF's do.
  return { pack: (options) => tfjs.pack({ modelJson, shards }, options), tensors: weights, bytes };
}

export function readInput(path: string): Input {
  const bytes = readFile(path);
  const from = (tensors: Record<string, TensorInput | QuantizedTensorInput>, metadata: Record<string, string> = {}): Input => ({
    pack: (options) => pack(tensors, { ...options, metadata }), tensors: Object.keys(tensors).length, bytes: bytes.length,
  });
  switch (extname(path)) {
    case '.npy': return from({ [basename(path, '.npy')]: npy.read(bytes) });
    case '.safetensors': {
      const file = safetensors.read(bytes);
      return from(file.tensors, file.metadata);
    }
    case '.gguf': {
      // Quantized tensors stay as their codes: requantizing them would add a second error to the first.
      const file = gguf.read(bytes, { codes: true });
      return from(file.tensors, ggufArchiveMetadata(file.metadata, file.metadataTypes));
    }
    case '.json': return readTfjsModel(path, bytes);
  }
  throw new TensorzipError('ARGUMENT', `${path}: expected a .safetensors, .npy, .gguf or TF.js model.json file`);
}
