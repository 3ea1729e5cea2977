import { readNpy, writeNpy } from './npy';
import { readSafetensors, writeSafetensors, type Safetensors } from './safetensors';
import { pack, type PackInput, type PackOptions, type QuantizedTensorInput, type TensorInput } from '../format/pack';
import type { Archive } from '../format/archive';
import { packTfjs, tfjsPackInput, unpackTfjs } from './tfjs-archive';
import type { Kernels } from '../wasm/kernels';
import { readTfjs, writeTfjs, type TfjsModel, type TfjsReadOptions, type TfjsWriteOptions } from './tfjs';
import { readGguf, type Gguf, type GgufCodes, type GgufReadOptions } from './gguf';
import { tfjsChannelAxes } from './tfjs-channel-axes';
import { readOnnx, type OnnxModel, type OnnxReadOptions } from './onnx-read';
import { writeOnnx, type OnnxFiles, type OnnxWriteOptions } from './onnx-write';
import { onnxChannelAxes } from './onnx-channel-axes';
import { onnxPackInput, unpackOnnx } from './onnx-archive';

export type { Gguf, GgufCodes, GgufReadOptions, OnnxFiles, OnnxModel, OnnxReadOptions, OnnxWriteOptions, Safetensors, TfjsModel, TfjsReadOptions, TfjsWriteOptions };

/** Hugging Face safetensors files. */
export const safetensors = {
  /**
   * Tensors and metadata from a .safetensors file, with the reference implementation's checks (header ≤ 100 MB,
   * tensors tiling the data exactly). F16/BF16 arrive as Uint16Array, F8_E4M3/F8_E5M2 as Uint8Array codes.
   * `tensors` and `metadata` are objects without a prototype, so any name is a key ("__proto__" too); a name given
   * twice is CORRUPT, a tensor over 2^31 − 1 elements LIMIT. Any Uint8Array view is read, a Node Buffer included.
   * @example
   * const { tensors, metadata } = safetensors.read(new Uint8Array(await (await fetch(url)).arrayBuffer()));
   */
  read: (bytes: Uint8Array): Safetensors => readSafetensors(bytes),
  /**
   * A .safetensors file, laid out as the reference writer does (larger elements first, then by name; header padded
   * to a multiple of 8 bytes).
   * @example
   * const bytes = safetensors.write({ w: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) } });
   */
  write: (tensors: Record<string, TensorInput>, metadata?: Record<string, string>): Uint8Array => writeSafetensors(tensors, metadata),
};

/** ONNX models (.onnx, with or without an external data file). */
export interface Onnx {
  /**
   * The tensors of an ONNX model and the model without their data. Tensors: the initializers of the graph and of its
   * subgraphs (If, Loop, Scan), and the `value` of Constant nodes, from raw_data, the typed fields (float_data,
   * int32_data, …) or `externalData`. FLOAT16, BFLOAT16 and FLOAT8 arrive as their codes (Uint16Array, Uint8Array),
   * INT4/UINT4 as one int8/uint8 element per value; strings and other types stay in `model`. Names: an initializer's
   * name, a Constant's output name, prefixed in a subgraph by `<node>/<attribute>/` (docs/FORMAT.md, model kind
   * `onnx`). A damaged model is CORRUPT or TRUNCATED, subgraphs nested past 32 LIMIT, a tensor over 2^31 − 1
   * elements LIMIT; an external file `externalData` lacks is TRUNCATED.
   * @example
   * const { model, tensors } = onnx.read(bytes);
   * const file = await pack(tensors, { channelAxes: onnx.channelAxes(model) });
   * const big = onnx.read(modelBytes, { externalData: { 'model.onnx.data': dataBytes } });
   */
  read(bytes: Uint8Array, options?: OnnxReadOptions): OnnxModel;
  /**
   * A .onnx file from a model without tensor data and its tensors (as `onnx.read` gives them), the values in
   * raw_data, or with `{ externalData: 'model.onnx.data' }` in that external file. Every tensor must match its
   * TensorProto's type and dims, and every TensorProto without data must be given (ARGUMENT otherwise).
   * @example
   * const { model } = onnx.write(onnx.read(bytes));                 // inline: one file
   * const files = onnx.write(m, { externalData: 'model.onnx.data' });
   * await ort.InferenceSession.create(files.model, { externalData: [files.externalData] });
   */
  write(model: OnnxModel, options?: OnnxWriteOptions): OnnxFiles;
  /**
   * The channel axis of each tensor, read from the operators that use it, for `pack`'s `channelAxes`: Conv weights
   * (OIHW) → 0, ConvTranspose → 1, MatMul by input (A → rows, B → columns), Gemm by transA/transB, Gather tables →
   * their gather axis, LSTM/GRU/RNN W and R → 1 (one scale per gate row). Tensors no operator explains are left out.
   * @example
   * const { model, tensors } = onnx.read(bytes);
   * onnx.channelAxes(model); // { 'conv1.weight': 0, 'fc.weight': 0, … }
   */
  channelAxes(model: Uint8Array): Record<string, number>;
  /**
   * A whole ONNX model as one .tzip (format 1.2, model kind `onnx`): its tensors as `onnx.read` gives them
   * (float16 / bfloat16 / int8 initializers stay as they are; float32 ones follow `quantize`), per-channel scales on
   * the axes `onnx.channelAxes` reads from the graph, and the model without their data as the entry "model.onnx".
   * `options` are pack()'s, plus `externalData` as onnx.read takes it, and go over these defaults.
   * @example
   * const bytes = await onnx.pack(modelBytes, { quantize: 'lossless' });
   * const session = await onnx.createSession(ort, bytes); // or (await onnx.unpack(await open(bytes))).model
   */
  pack(model: Uint8Array, options?: PackOptions & OnnxReadOptions): Promise<Uint8Array>;
  /**
   * What `onnx.pack` hands to pack(): the model's tensors, and pack()'s options with the model's entry, kind and
   * channel axes — for a writer of your own, such as createShardedWriter (add `options.entries` with addEntry).
   * @example
   * const { tensors, options } = onnx.packInput(modelBytes, { quantize: 'int8' });
   * const file = await pack(tensors, options); // the same file as onnx.pack(modelBytes, { quantize: 'int8' })
   */
  packInput(model: Uint8Array, options?: PackOptions & OnnxReadOptions): PackInput;
  /**
   * The .onnx file (and, with `{ externalData: 'model.onnx.data' }`, its external data file) of an archive packed
   * from an ONNX model, as `onnx.write` makes it: lossless archives give the original initializers bit for bit. An
   * archive of another model kind or of none is UNSUPPORTED, tensors that do not match the model CORRUPT.
   * @example
   * const { model } = await onnx.unpack(await open('model.tzip'));
   * await writeFile('model.onnx', model);
   */
  unpack(archive: Archive, options?: OnnxWriteOptions): Promise<OnnxFiles>;
}

export function bindOnnx(kernels: () => Kernels): Onnx {
  return {
    read: (bytes, options) => readOnnx(bytes, options),
    write: (model, options) => writeOnnx(model, options),
    channelAxes: (model) => onnxChannelAxes(model),
    pack: async (model, options) => {
      const input = onnxPackInput(model, options);
      return pack(kernels(), input.tensors, input.options);
    },
    packInput: (model, options) => onnxPackInput(model, options),
    unpack: (archive, options) => unpackOnnx(archive, options),
  };
}


/** NumPy .npy files. */
export const npy = {
  /**
   * One array from a .npy file (versions 1–3; little-endian C-order numbers and bool); over 2^31 − 1 elements LIMIT.
   * @example
   * const { dtype, shape, data } = npy.read(bytes); // 'float32', [2, 3], Float32Array(6)
   */
  read: (bytes: Uint8Array): TensorInput => readNpy(bytes),
  /**
   * A .npy file (version 1.0, or 2.0 for a huge header), as numpy.save writes it.
   * @example
   * const bytes = npy.write({ dtype: 'int32', shape: [3], data: new Int32Array([1, 2, 3]) });
   */
  write: (tensor: TensorInput): Uint8Array => writeNpy(tensor),
};

/** TF.js weights: model.json (weightsManifest) and its .bin shards. */
export interface Tfjs {
  /**
   * Every weight of a TF.js model as a tensor. Quantized weights (uint8, uint16, float16) come back as float32,
   * bit for bit as tfjs-core decodes them. The result has no prototype (any weight name is a key). A damaged
   * model.json is CORRUPT (a weight named twice, a shard listed twice, a bad quantization) or UNSUPPORTED; a shard
   * model.json lists but `shards` lacks, or shards too short, TRUNCATED; a weight over 2^31 − 1 elements LIMIT.
   * @example
   * const tensors = tfjs.read({ modelJson, shards: { 'group1-shard1of1.bin': bytes } });
   */
  read(model: TfjsModel): Record<string, TensorInput>;
  /**
   * The same, with uint8 / uint16 / float16-quantized float32 weights as their codes (tfjs_uint8 / tfjs_uint16 with
   * the manifest's scale and min, float16 halves), for pack() to keep as they are: the .tzip decodes them to the
   * same float32 bits as tfjs-core, and `tfjs.write` writes tfjs_* codes back as uint8 / uint16 weights.
   * @example
   * const file = await pack(tfjs.read({ modelJson, shards }, { codes: true })); // uint8 weights stay uint8
   */
  read(model: TfjsModel, options: TfjsReadOptions): Record<string, TensorInput | QuantizedTensorInput>;
  /**
   * model.json's weightsManifest and the shard files for `tensors` (float32, int32, bool), optionally quantized as
   * the converter does; `tf.loadLayersModel` / `tf.io.decodeWeights` read them. Codes (`{ quantized }`: tfjs_uint8,
   * tfjs_uint16, float16, as `tfjs.read(model, { codes: true })` or `archive.getCodes` give them) are written as
   * they are, with their quantization entry: a model read with codes writes back to the same weight bytes.
   * @example
   * const { modelJson, shards } = tfjs.write(tensors, { quantize: 'uint8', modelJson: { modelTopology, format: 'layers-model' } });
   */
  write(tensors: Record<string, TensorInput | QuantizedTensorInput>, options?: TfjsWriteOptions): TfjsModel;
  /**
   * The channel axis of each weight, read from the model's graph, for `pack`'s `channelAxes`: convolution kernels
   * (HWIO) → 3, depthwise kernels (HWCM) → 2, transposed convolutions (HWOI) → 2, MatMul and Dense kernels by their
   * transposes. Graph models (`modelTopology.node`) and layers models (Keras layers) are read; weights the graph does
   * not explain are left out, and pack() chooses their axis from the data.
   * @example
   * const tensors = tfjs.read({ modelJson, shards });
   * const bytes = await pack(tensors, { channelAxes: tfjs.channelAxes(modelJson) });
   * (await open(bytes)).tensors.map((t) => [t.name, t.storedAxis]); // [['conv/kernel', 3], ['dw/kernel', 2], …]
   */
  channelAxes(modelJson: TfjsModel['modelJson']): Record<string, number>;
  /**
   * A whole TF.js model as one .tzip (format 1.2): the weights as `tfjs.read(model, { codes: true })` gives them
   * (uint8 / uint16 / float16 weights stay codes), per-channel scales on the axes `tfjs.channelAxes` reads from the
   * graph, and model.json without its weights manifest as the entry "model.json" of model kind `tfjs-graph` or
   * `tfjs-layers` (its `format`, else its topology). A model.json without modelTopology packs its weights only.
   * `options` are pack()'s and go over these defaults; `quantize: 'int8'` or `'int4'` quantizes float16 weights too
   * (uint8 / uint16 codes stay as they are).
   * @example
   * const bytes = await tfjs.pack({ modelJson, shards: { 'group1-shard1of1.bin': shard } }, { quantize: 'lossless' });
   * const model = await tf.loadGraphModel(tfjs.ioHandler(bytes)); // or tfjs.unpack(await open(bytes))
   */
  pack(model: TfjsModel, options?: PackOptions): Promise<Uint8Array>;
  /**
   * What `tfjs.pack` hands to pack(): the weights (codes kept), and pack()'s options with model.json as an entry,
   * the model kind and the channel axes — for a writer of your own, such as createShardedWriter.
   * @example
   * const { tensors, options } = tfjs.packInput({ modelJson, shards });
   * const file = await pack(tensors, options); // the same file as tfjs.pack({ modelJson, shards })
   */
  packInput(model: TfjsModel, options?: PackOptions): PackInput;
  /**
   * The TF.js model an archive holds, as model.json and shard files the converter would write: model.json from the
   * model's entry, its weights manifest rebuilt from the tensors in order (docs/FORMAT.md, model kinds). TF.js codes
   * and float16 halves are written as they are stored; other weights as their decoded float32 / int32 / bool values.
   * An archive of another model kind is UNSUPPORTED; one without a model gives model.json with the manifest only.
   * @example
   * const { modelJson, shards } = await tfjs.unpack(await open('model.tzip'));
   */
  unpack(archive: Archive, options?: { shardBytes?: number }): Promise<TfjsModel>;
}

export function bindTfjs(kernels: () => Kernels): Tfjs {
  return {
    read: ((model: TfjsModel, options?: TfjsReadOptions) => readTfjs(kernels(), model, options)) as Tfjs['read'],
    write: (tensors, options) => writeTfjs(kernels(), tensors, options),
    channelAxes: (modelJson) => tfjsChannelAxes(modelJson),
    pack: async (model, options) => packTfjs(kernels(), model, options),
    packInput: (model, options) => tfjsPackInput(kernels(), model, options),
    unpack: (archive, options) => unpackTfjs(archive, options),
  };
}

/** GGUF (llama.cpp) files, read only. */
export interface GgufReader {
  /**
   * Metadata and tensors of a GGUF v2/v3 file: F32, F16, BF16, Q8_0, Q4_0, Q4_1 and Q4_K tensors as float32, I8–I64
   * and F64 as their own types; shapes in NumPy order (GGML lists dimensions the other way round). `metadata` and
   * `tensors` have no prototype (any name is a key); a name or key given twice is CORRUPT, as is a
   * `general.alignment` that is not a power of two; a tensor over 2^31 − 1 elements is LIMIT.
   * @example
   * const { metadata, tensors } = gguf.read(bytes);
   * metadata['general.architecture']; // 'llama'
   */
  read(bytes: Uint8Array): Gguf;
  /**
   * The same, with F16, BF16 and GGML-block tensors as their stored codes, for pack() to keep without requantizing.
   * @example
   * const { tensors } = gguf.read(bytes, { codes: true });
   * const file = await pack(tensors); // Q4_0 stays Q4_0
   */
  read(bytes: Uint8Array, options: GgufReadOptions): GgufCodes;
}

export function bindGguf(kernels: () => Kernels): GgufReader {
  return { read: ((bytes: Uint8Array, options?: GgufReadOptions) => readGguf(kernels(), bytes, options)) as GgufReader['read'] };
}
