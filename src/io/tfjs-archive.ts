// Whole TF.js models in a .tzip (docs/FORMAT.md, model kinds `tfjs-graph` and `tfjs-layers`): model.json without its
// weights manifest is the entry "model.json", the weights are the tensors in the manifest's order (quantized ones kept
// as their codes), and a reader rebuilds the manifest from the stored types.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { TENSOR_DTYPES } from '../format/dtypes';
import type { Archive, TensorInfo } from '../format/archive';
import { pack, type PackInput, type PackOptions } from '../format/pack';
import type { EntryInput } from '../format/encode-entry';
import type { Kernels } from '../wasm/kernels';
import { codesWeight, readTfjs, shardTfjs, tfjsDtypeOf, type TfjsModel, type TfjsWeightSpec } from './tfjs';
import { tfjsChannelAxes } from './tfjs-channel-axes';
import { isQuantizedTensorInput, type QuantizedTensorInput, type TensorInput } from '../format/encode-tensor';
import { decodeTfjsWeight } from '../codecs/quant/tfjs';
import { product } from '../codecs/shape';

/** The entry that holds model.json. */
export const TFJS_MODEL_ENTRY = 'model.json';
export const TFJS_KINDS: readonly string[] = ['tfjs-graph', 'tfjs-layers'];

/** What a TF.js loader needs: model.json without its manifest, the manifest's weights, and their bytes. */
export interface TfjsArtifacts {
  modelJson: Record<string, unknown>;
  weightSpecs: TfjsWeightSpec[];
  weightData: Uint8Array;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model kind of a model.json: its `format`, else its topology (a graph's `node` list, else a Keras model);
 *  null without a modelTopology (a bare weights manifest). */
export function tfjsModelKind(modelJson: Record<string, unknown>): 'tfjs-graph' | 'tfjs-layers' | null {
  const topology = modelJson.modelTopology;
  if (!isObject(topology)) return null;
  if (modelJson.format === 'graph-model') return 'tfjs-graph';
  if (modelJson.format === 'layers-model') return 'tfjs-layers';
  return Array.isArray(topology.node) ? 'tfjs-graph' : 'tfjs-layers';
}

/** Modes that quantize float16 weights too: the caller asked for fewer bits than float16 has, or ('auto') for the
 *  fewest bits that keep its quality, which float16 weights also meet with fewer. */
const BELOW_FLOAT16: readonly unknown[] = ['int8', 'int4', 'auto', undefined];

/** A whole TF.js model as one .tzip: its weights (codes kept, scales on the graph's channel axes), and model.json
 *  without its manifest as an entry with the model's kind. `options` go over these defaults. */
export function packTfjs(kernels: Kernels, model: TfjsModel, options: PackOptions = {}): Promise<Uint8Array> {
  const input = tfjsPackInput(kernels, model, options);
  return pack(kernels, input.tensors, input.options);
}

/** float16 weights (codes of float32 ones) as the float32 values they stand for; the other weights as they are. */
export function widenFloat16(kernels: Kernels, tensors: Record<string, TensorInput | QuantizedTensorInput>): Record<string, TensorInput | QuantizedTensorInput> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, isQuantizedTensorInput(t) && t.quantized.dtype === 'float16'
    ? { dtype: 'float32', shape: t.quantized.shape, data: decodeTfjsWeight(kernels, t.quantized.data as Uint16Array, { dtype: 'float16' }) }
    : t]));
}

/** What packTfjs gives pack(): the weights and the options that keep the rest of the model. */
export function tfjsPackInput(kernels: Kernels, model: TfjsModel, options: PackOptions = {}): PackInput {
  const read = readTfjs(kernels, model, { codes: true });
  const tensors = BELOW_FLOAT16.includes(options.quantize) ? widenFloat16(kernels, read) : read;
  const { weightsManifest: _, ...rest } = model.modelJson;
  const kind = tfjsModelKind(rest);
  const entry: Record<string, EntryInput> = kind === null ? {} : { [TFJS_MODEL_ENTRY]: { data: new TextEncoder().encode(JSON.stringify(rest)), mediaType: 'application/json' } };
  return {
    tensors,
    options: {
      ...options,
      channelAxes: options.channelAxes ?? tfjsChannelAxes(model.modelJson),
      entries: { ...entry, ...options.entries },
      model: options.model ?? (kind === null ? undefined : { kind, entry: TFJS_MODEL_ENTRY }),
    },
  };
}

/** TF.js codes as they are: uint8 / uint16 codes with their scale and min, float16 halves of float32 weights. */
const keepsCodes = (t: TensorInfo) => t.storedDtype === 'tfjs_uint8' || t.storedDtype === 'tfjs_uint16' || (t.storedDtype === 'float16' && t.dtype === 'float32');
/** Bytes of a weight in TF.js's weight data. */
const weightBytes = (t: TensorInfo) => {
  const count = product(t.shape);
  return t.storedDtype === 'tfjs_uint8' ? count : keepsCodes(t) ? 2 * count : count * TENSOR_DTYPES[t.dtype].bytes;
};

/** model.json without its manifest, from the model's entry; {} for an archive that declares no model. */
export async function tfjsModelJsonOf(archive: Archive): Promise<Record<string, unknown>> {
  if (archive.model === null) return {};
  if (!TFJS_KINDS.includes(archive.model.kind)) throw new TensorzipError('UNSUPPORTED', `tfjs: the archive holds a model of kind ${describeValue(archive.model.kind)}, not a TF.js model (${TFJS_KINDS.join(', ')})`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await archive.getEntry(archive.model.entry)));
  } catch (cause) {
    throw new TensorzipError('CORRUPT', `tfjs: the model's entry ${describeValue(archive.model.entry)} is not UTF-8 JSON`, { cause });
  }
  if (!isObject(json)) throw new TensorzipError('CORRUPT', `tfjs: the model's entry ${describeValue(archive.model.entry)} is not a JSON object`);
  const { weightsManifest: _, ...modelJson } = json; // the manifest is the archive's tensors
  return modelJson;
}

/**
 * A TF.js model from an archive: model.json from its entry, and the weights manifest rebuilt from its tensors in
 * order, each in one buffer as TF.js stores it (codes stay codes: nothing is widened). `onWeight` is called after
 * each weight with the bytes done and in all.
 */
export async function readTfjsArchive(archive: Archive, onWeight?: (done: number, total: number) => void): Promise<TfjsArtifacts> {
  archive.prefetchAll();
  const modelJson = await tfjsModelJsonOf(archive);
  let total = 0;
  for (let i = 0; i < archive.tensors.length; i++) total += weightBytes(archive.tensors[i]);
  // open() bounded each tensor by maxBytes; the sum is what TF.js's own loader holds in its shards.
  const weightData = new Uint8Array(total);
  const weightSpecs: TfjsWeightSpec[] = [];
  let at = 0;
  for (let i = 0; i < archive.tensors.length; i++) {
    const t = archive.tensors[i];
    const length = weightBytes(t);
    if (keepsCodes(t)) {
      // Decoded in place but for 16-bit codes after a weight of odd length (then a copy).
      const inPlace = t.storedDtype === 'tfjs_uint8' || at % 2 === 0;
      const codes = await archive.getCodes(t.name, inPlace ? { out: weightData.subarray(at, at + length) } : {});
      const { spec, data } = codesWeight(t.name, codes);
      weightSpecs.push(spec);
      if (!inPlace) weightData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else {
      weightSpecs.push({ name: t.name, shape: t.shape.slice(), dtype: tfjsDtypeOf(t.name, t.dtype) });
      const { array, bytes } = TENSOR_DTYPES[t.dtype];
      const count = length / bytes;
      // Decoded in place where the offset suits the array type; a copy after a weight of odd length.
      if (at % bytes === 0) await archive.get(t.name, { out: new array(weightData.buffer, at, count) as never });
      else {
        const { data } = await archive.get(t.name);
        weightData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      }
    }
    at += length;
    onWeight?.(at, total);
  }
  return { modelJson, weightSpecs, weightData };
}

/** model.json and shard files from an archive, as the converter writes them. */
export async function unpackTfjs(archive: Archive, options: { shardBytes?: number } = {}): Promise<TfjsModel> {
  const { modelJson, weightSpecs, weightData } = await readTfjsArchive(archive);
  return shardTfjs(modelJson, weightSpecs, weightData, options.shardBytes);
}
