// What `tensorzip pack` reads: a .safetensors, .npy or .gguf file, with the metadata each format carries (kept as the
// archive's metadata so that unpack can give it back), or a whole model: a TF.js model.json with its shards beside it,
// a .onnx file with its external data files. `compare` reads the same files as values.
import { basename, extname } from 'node:path';
import { gguf, npy, onnx, safetensors, tfjs, TensorzipError, type CalibrateModel, type PackInput, type PackOptions, type QuantizedTensorInput, type TensorInput, type TfjsModel } from '../index';
import { listedPath, readFile } from './files';
import { ggufArchiveMetadata } from './gguf-metadata';

export interface Input {
  /** What pack() (or a sharded writer) takes for what was read, with the command's options. */
  packInput(options: PackOptions): PackInput;
  /** The tensors' values (quantized GGUF and TF.js weights dequantized), for compare. */
  tensors(): Record<string, TensorInput>;
  /** Bytes of every file read (an ONNX model's external data files are read by pack() and tensors()). */
  readonly bytes: number;
  /** The whole model, for calibrate(); undefined for files of tensors only. */
  readonly model?: CalibrateModel;
}

/** A whole ONNX model, with the external data files it names beside it. */
function readOnnxModel(path: string, model: Uint8Array): Input {
  let bytes = model.length;
  const externalData = (location: string) => {
    const file = readFile(listedPath(path, location, 'the model names an external data file'));
    bytes += file.length;
    return file;
  };
  return {
    packInput: (options) => onnx.packInput(model, { ...options, externalData }), tensors: () => onnx.read(model, { externalData }).tensors, get bytes() { return bytes; },
    model: { onnx: model, externalData },
  };
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
  for (const p of paths) shards[p] = readFile(listedPath(path, p, 'model.json lists a shard path'));
  const bytes = json.length + Object.values(shards).reduce((n, s) => n + s.length, 0);
  // The whole model: its topology as an entry, quantized weights as their codes (uint8 stays uint8), as GGUF's do.
  return { packInput: (options) => tfjs.packInput({ modelJson, shards }, options), tensors: () => tfjs.read({ modelJson, shards }), bytes, model: { tfjs: { modelJson, shards } } };
}

export function readInput(path: string): Input {
  const bytes = readFile(path);
  const from = (tensors: Record<string, TensorInput | QuantizedTensorInput>, values: () => Record<string, TensorInput>, metadata: Record<string, string> = {}): Input => ({
    packInput: (options) => ({ tensors, options: { ...options, metadata } }), tensors: values, bytes: bytes.length,
  });
  switch (extname(path)) {
    case '.npy': {
      const tensors = { [basename(path, '.npy')]: npy.read(bytes) };
      return from(tensors, () => tensors);
    }
    case '.safetensors': {
      const file = safetensors.read(bytes);
      return from(file.tensors, () => file.tensors, file.metadata);
    }
    case '.gguf': {
      // Quantized tensors stay as their codes: requantizing them would add a second error to the first.
      const file = gguf.read(bytes, { codes: true });
      return from(file.tensors, () => gguf.read(bytes).tensors, ggufArchiveMetadata(file.metadata, file.metadataTypes));
    }
    case '.json': return readTfjsModel(path, bytes);
    case '.onnx': return readOnnxModel(path, bytes);
  }
  throw new TensorzipError('ARGUMENT', `${path}: expected a .safetensors, .npy, .gguf, .onnx or TF.js model.json file`);
}
