// TF.js weights: a model.json whose `weightsManifest` lists groups of shard files, each group's weights stored one
// after another across its shards (the converter splits at 4 MB). Quantized weights (uint8 / uint16 / float16) are
// read bit for bit as tfjs-core does and handed out as float32; written, they carry the manifest's quantization entry.
import { TensorzipError } from '../errors';
import type { TfjsQuantDtype, TfjsQuantization } from '../codecs/quant';
import { decodeTfjsWeight, encodeTfjsWeight } from '../codecs/quant/tfjs';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import { isQuantizedTensorInput } from '../format/encode-tensor';
import type { QuantizedTensorInput, TensorInput } from '../format/pack';
import type { Kernels } from '../wasm/kernels';
import { describeValue } from '../codecs/describe-value';
import { elementCount, nullObject, ownEntry } from './untrusted';

/** A weight of a TF.js weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: TfjsQuantization;
}

/** A weight as tensorzip writes it into a manifest (or a TF.js loader's weightSpecs): a dtype TF.js stores. */
export interface TfjsWeightSpec extends WeightSpec {
  dtype: 'float32' | 'int32' | 'bool';
}

export interface TfjsModel {
  /** model.json, parsed: `modelTopology`, `format`, … and `weightsManifest: [{ paths, weights }]`. */
  modelJson: { weightsManifest: { paths: string[]; weights: WeightSpec[] }[]; [key: string]: unknown };
  /** The shard files by the paths model.json lists. */
  shards: Record<string, Uint8Array>;
}

export interface TfjsReadOptions {
  /** Quantized float32 weights as their codes (`{ quantized }`, which pack() stores as they are): uint8 / uint16 as
   *  tfjs_uint8 / tfjs_uint16 with the manifest's scale and min, float16 as float16 halves. Quantized int32 weights
   *  still come back as int32. */
  codes?: boolean;
}

export interface TfjsWriteOptions {
  /** Quantize float32 weights as the converter's --quantize_uint8 / _uint16 / _float16 flags do. */
  quantize?: TfjsQuantDtype;
  /** Bytes per shard file (default 4 MiB, as the converter). */
  shardBytes?: number;
  /** model.json fields to keep (modelTopology, format, generatedBy, …). */
  modelJson?: Record<string, unknown>;
}

const TFJS_DTYPES: Record<string, TensorDtype> = { float32: 'float32', int32: 'int32', bool: 'bool' };
const corrupt = (message: string) => new TensorzipError('CORRUPT', `tfjs.read: ${message}`);

export function readTfjs(kernels: Kernels, model: TfjsModel, options: TfjsReadOptions = {}): Record<string, TensorInput | QuantizedTensorInput> {
  if (typeof model?.shards !== 'object' || model.shards === null) throw new TensorzipError('ARGUMENT', 'tfjs.read: expected { modelJson, shards }');
  const manifest: unknown = model.modelJson?.weightsManifest;
  if (!Array.isArray(manifest)) throw corrupt('model.json has no weightsManifest array');
  const tensors = nullObject<TensorInput | QuantizedTensorInput>();
  const seenPaths = new Set<string>();
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g] as { paths?: unknown; weights?: unknown } | null;
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw corrupt(`weightsManifest[${g}] needs paths and weights`);
    const shards = group.paths.map((path: unknown) => {
      if (typeof path !== 'string') throw corrupt(`weightsManifest[${g}] lists a path that is ${describeValue(path)}`);
      // Once each: a shard listed again would be copied again, so a short manifest could ask for any amount of memory.
      if (seenPaths.has(path)) throw corrupt(`model.json lists the shard ${describeValue(path)} twice`);
      seenPaths.add(path);
      const shard = ownEntry(model.shards, path);
      if (!(shard instanceof Uint8Array)) throw new TensorzipError('TRUNCATED', `tfjs.read: the model lacks the shard ${describeValue(path)} that model.json lists`);
      return shard;
    });
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    shards.reduce((at, s) => (bytes.set(s, at), at + s.length), 0);
    let at = 0;
    for (const spec of group.weights as unknown[]) {
      const { name, shape, dtype, quantization: q } = checkSpec(spec, g);
      const quoted = describeValue(name);
      if (Object.hasOwn(tensors, name)) throw corrupt(`two weights are named ${quoted}`);
      const count = elementCount(shape, `tfjs.read: weight ${quoted}`);
      const stored = q ? (q.dtype === 'uint8' ? 1 : 2) : TENSOR_DTYPES[dtype].bytes;
      if (at + count * stored > bytes.length) throw new TensorzipError('TRUNCATED', `tfjs.read: weight ${quoted} needs bytes ${at}–${at + count * stored}, the shards hold ${bytes.length}`);
      const raw = new Uint8Array(bytes.subarray(at, at + count * stored));
      at += count * stored;
      if (!q) {
        tensors[name] = { dtype, shape, data: new TENSOR_DTYPES[dtype].array(raw.buffer, 0, count) as TensorArray };
        continue;
      }
      const codes = q.dtype === 'uint8' ? raw : new Uint16Array(raw.buffer, 0, count);
      if (dtype === 'float32' && options.codes) {
        tensors[name] = { quantized: q.dtype === 'float16'
          ? { dtype: 'float16', shape, data: codes, scale: null, zeroPoint: null, axis: null, blockSize: null }
          : { dtype: q.dtype === 'uint8' ? 'tfjs_uint8' : 'tfjs_uint16', shape, data: codes, scale: q.scale!, min: q.min! } };
      } else if (dtype === 'float32') {
        tensors[name] = { dtype: 'float32', shape, data: decodeTfjsWeight(kernels, codes, q) };
      } else if (dtype === 'int32' && q.dtype !== 'float16') {
        tensors[name] = { dtype: 'int32', shape, data: decodeTfjsInt32(codes, q) };
      } else {
        throw new TensorzipError('UNSUPPORTED', `tfjs.read: weight ${quoted} of dtype ${dtype} quantized as ${q.dtype}`);
      }
    }
    if (at !== bytes.length) throw corrupt(`group ${g}'s shards hold ${bytes.length - at} bytes past its weights`);
  }
  return tensors;
}

/** One weightsManifest entry, checked: a name, a shape of counts, a dtype TF.js stores and a well-formed quantization. */
function checkSpec(spec: unknown, g: number): { name: string; shape: number[]; dtype: TensorDtype; quantization?: TfjsQuantization } {
  const { name, shape, dtype, quantization } = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  if (typeof name !== 'string') throw corrupt(`a weight in group ${g} has the name ${describeValue(name)}`);
  const quoted = describeValue(name);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt(`weight ${quoted} has a bad shape`);
  const ours = ownEntry(TFJS_DTYPES, dtype);
  if (ours === undefined) throw new TensorzipError(typeof dtype === 'string' ? 'UNSUPPORTED' : 'CORRUPT', `tfjs.read: weight ${quoted} has dtype ${describeValue(dtype)}`);
  if (quantization === undefined || quantization === null) return { name, shape, dtype: ours }; // tfjs-core: `!= null`
  const q = (typeof quantization === 'object' && quantization !== null ? quantization : {}) as Record<string, unknown>;
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') {
    throw new TensorzipError(typeof q.dtype === 'string' ? 'UNSUPPORTED' : 'CORRUPT', `tfjs.read: weight ${quoted} is quantized as ${describeValue(q.dtype)}`);
  }
  // tfjs-core needs min and scale for the integer codes; anything non-finite would fill the tensor with NaN.
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (q.dtype !== 'float16' && !(finite(q.min) && finite(q.scale))) throw corrupt(`quantized weight ${quoted} needs a finite scale and min`);
  return { name, shape, dtype: ours, quantization: q as unknown as TfjsQuantization };
}

// Quantized int32 weights (the converter writes them for integer constants): tfjs-core rounds q · scale + min with
// Math.round, half toward +Infinity, in float64. They are few and small, so plain JS does it.
function decodeTfjsInt32(codes: Uint8Array | Uint16Array, q: TfjsQuantization): Int32Array {
  const { scale, min } = q as Required<TfjsQuantization>;
  return Int32Array.from(codes, (v) => Math.round(v * scale + min));
}

/** Codes a TF.js manifest can hold as they are: tfjs_uint8 / tfjs_uint16 with their scale and min, float16 halves. */
export function codesWeight(name: string, { quantized: q }: QuantizedTensorInput): { spec: TfjsWeightSpec; data: ArrayBufferView } {
  const shape = [...q.shape];
  if (q.dtype === 'tfjs_uint8' || q.dtype === 'tfjs_uint16') {
    const dtype = q.dtype === 'tfjs_uint8' ? 'uint8' : 'uint16';
    return { spec: { name, shape, dtype: 'float32', quantization: { dtype, scale: q.scale, min: q.min, original_dtype: 'float32' } }, data: q.data };
  }
  if (q.dtype === 'float16') return { spec: { name, shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }, data: q.data };
  throw new TensorzipError('UNSUPPORTED', `tfjs.write: tensor ${describeValue(name)} is ${describeValue(q.dtype)} codes; TF.js holds uint8, uint16 and float16 ones`);
}

/** Each weight as a TF.js manifest lists it, and their bytes one after another: float32, int32 and bool tensors as
 *  they are (float32 optionally quantized as the converter does), codes as they are with their quantization. */
export function tfjsWeights(kernels: Kernels, tensors: Record<string, TensorInput | QuantizedTensorInput>, quantize?: TfjsQuantDtype): { weights: TfjsWeightSpec[]; data: Uint8Array } {
  const weights: TfjsWeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (isQuantizedTensorInput(t)) {
      const { spec, data } = codesWeight(name, t);
      weights.push(spec);
      parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      continue;
    }
    const spec: TfjsWeightSpec = { name, shape: [...t.shape], dtype: tfjsDtypeOf(name, t.dtype) };
    let data: ArrayBufferView = t.data;
    if (quantize && t.dtype === 'float32') {
      const q = encodeTfjsWeight(kernels, t.data as Float32Array, quantize);
      spec.quantization = q.quantization;
      data = q.data;
    }
    weights.push(spec);
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return { weights, data: all };
}

/** The TF.js dtype of a weight: float32, int32 or bool (UNSUPPORTED otherwise). */
export function tfjsDtypeOf(name: string, dtype: TensorDtype): TfjsWeightSpec['dtype'] {
  const tfjsDtype = (Object.keys(TFJS_DTYPES) as TfjsWeightSpec['dtype'][]).find((k) => TFJS_DTYPES[k] === dtype);
  if (tfjsDtype === undefined) throw new TensorzipError('UNSUPPORTED', `tfjs.write: tensor ${describeValue(name)} is ${dtype}; TF.js weights are float32, int32 or bool`);
  return tfjsDtype;
}

/** model.json with one weights group over `data`, cut into shard files of `shardBytes` as the converter names them. */
export function shardTfjs(modelJson: Record<string, unknown>, weights: WeightSpec[], data: Uint8Array, shardBytes = 4 * 1024 * 1024): TfjsModel {
  if (!Number.isSafeInteger(shardBytes) || shardBytes < 1) throw new TensorzipError('ARGUMENT', `tfjs.write shardBytes: expected a positive integer, found ${String(shardBytes)}`);
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  const shards: Record<string, Uint8Array> = {};
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `group1-shard${i + 1}of${count}.bin`;
    paths.push(path);
    shards[path] = data.slice(i * shardBytes, (i + 1) * shardBytes);
  }
  return { modelJson: { ...modelJson, weightsManifest: [{ paths, weights }] }, shards };
}

export function writeTfjs(kernels: Kernels, tensors: Record<string, TensorInput | QuantizedTensorInput>, options: TfjsWriteOptions = {}): TfjsModel {
  const { weights, data } = tfjsWeights(kernels, tensors, options.quantize);
  return shardTfjs(options.modelJson ?? {}, weights, data, options.shardBytes);
}
