// TF.js weights: a model.json whose `weightsManifest` lists groups of shard files, each group's weights stored one
// after another across its shards (the converter splits at 4 MB). Quantized weights (uint8 / uint16 / float16) are
// read bit for bit as tfjs-core does and handed out as float32; written, they carry the manifest's quantization entry.
import { TensorzipError } from '../errors';
import type { TfjsQuantDtype, TfjsQuantization } from '../codecs/quant';
import { decodeTfjsWeight, encodeTfjsWeight } from '../codecs/quant/tfjs';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import type { TensorInput } from '../format/pack';
import type { Kernels } from '../wasm/kernels';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: TfjsQuantization;
}

export interface TfjsModel {
  /** model.json, parsed: `modelTopology`, `format`, … and `weightsManifest: [{ paths, weights }]`. */
  modelJson: { weightsManifest: { paths: string[]; weights: WeightSpec[] }[]; [key: string]: unknown };
  /** The shard files by the paths model.json lists. */
  shards: Record<string, Uint8Array>;
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

export function readTfjs(kernels: Kernels, model: TfjsModel): Record<string, TensorInput> {
  const manifest = model?.modelJson?.weightsManifest;
  if (!Array.isArray(manifest)) throw corrupt('model.json has no weightsManifest array');
  const tensors: Record<string, TensorInput> = {};
  for (const [g, group] of manifest.entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw corrupt(`weightsManifest[${g}] needs paths and weights`);
    const shards = group.paths.map((path) => {
      const shard = model.shards[path];
      if (!(shard instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', `tfjs.read: the shard "${path}" was not given`);
      return shard;
    });
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    shards.reduce((at, s) => (bytes.set(s, at), at + s.length), 0);
    let at = 0;
    for (const spec of group.weights) {
      if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt(`a weight in group ${g} has no name or a bad shape`);
      const count = spec.shape.reduce((a, d) => a * d, 1);
      const q = spec.quantization;
      const stored = q ? (q.dtype === 'uint8' ? 1 : 2) : TENSOR_DTYPES[TFJS_DTYPES[spec.dtype]]?.bytes;
      if (stored === undefined) throw new TensorzipError('UNSUPPORTED', `tfjs.read: weight "${spec.name}" has dtype ${JSON.stringify(spec.dtype)}`);
      if (at + count * stored > bytes.length) throw new TensorzipError('TRUNCATED', `tfjs.read: weight "${spec.name}" needs bytes ${at}–${at + count * stored}, the shards hold ${bytes.length}`);
      const raw = new Uint8Array(bytes.subarray(at, at + count * stored));
      at += count * stored;
      if (q) {
        const codes = q.dtype === 'uint8' ? raw : new Uint16Array(raw.buffer, 0, count);
        if (spec.dtype === 'float32') {
          tensors[spec.name] = { dtype: 'float32', shape: spec.shape, data: decodeTfjsWeight(kernels, codes, q) };
        } else if (spec.dtype === 'int32' && q.dtype !== 'float16') {
          tensors[spec.name] = { dtype: 'int32', shape: spec.shape, data: decodeTfjsInt32(codes, q, spec.name) };
        } else {
          throw new TensorzipError('UNSUPPORTED', `tfjs.read: weight "${spec.name}" of dtype ${spec.dtype} quantized as ${String(q.dtype)}`);
        }
      } else {
        const dtype = TFJS_DTYPES[spec.dtype];
        tensors[spec.name] = { dtype, shape: spec.shape, data: new TENSOR_DTYPES[dtype].array(raw.buffer, 0, count) as TensorArray };
      }
    }
    if (at !== bytes.length) throw corrupt(`group ${g}'s shards hold ${bytes.length - at} bytes past its weights`);
  }
  return tensors;
}

// Quantized int32 weights (the converter writes them for integer constants): tfjs-core rounds q · scale + min with
// Math.round, half toward +Infinity, in float64. They are few and small, so plain JS does it.
function decodeTfjsInt32(codes: Uint8Array | Uint16Array, q: TfjsQuantization, name: string): Int32Array {
  const { scale, min } = q;
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
    throw corrupt(`quantized weight "${name}" needs a finite scale and min`);
  }
  return Int32Array.from(codes, (v) => Math.round(v * scale + min));
}

export function writeTfjs(kernels: Kernels, tensors: Record<string, TensorInput>, options: TfjsWriteOptions = {}): TfjsModel {
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  if (!Number.isSafeInteger(shardBytes) || shardBytes < 1) throw new TensorzipError('ARGUMENT', `tfjs.write shardBytes: expected a positive integer, found ${String(shardBytes)}`);
  const weights: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const tfjsDtype = Object.keys(TFJS_DTYPES).find((k) => TFJS_DTYPES[k] === t.dtype);
    if (tfjsDtype === undefined) throw new TensorzipError('UNSUPPORTED', `tfjs.write: tensor "${name}" is ${t.dtype}; TF.js weights are float32, int32 or bool`);
    const spec: WeightSpec = { name, shape: [...t.shape], dtype: tfjsDtype };
    let data: ArrayBufferView = t.data;
    if (options.quantize && t.dtype === 'float32') {
      const q = encodeTfjsWeight(kernels, t.data as Float32Array, options.quantize);
      spec.quantization = q.quantization;
      data = q.data;
    }
    weights.push(spec);
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  const count = Math.max(1, Math.ceil(all.length / shardBytes));
  const shards: Record<string, Uint8Array> = {};
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `group1-shard${i + 1}of${count}.bin`;
    paths.push(path);
    shards[path] = all.slice(i * shardBytes, (i + 1) * shardBytes);
  }
  return { modelJson: { ...(options.modelJson ?? {}), weightsManifest: [{ paths, weights }] }, shards };
}
