// tensorzip's public entry: re-exports only.
export { init, createEngine, lz4, entropy, quant, shuffle, delta, sparse, pipeline, pack, open, compare, calibrate, createWriter, createShardedWriter, sign, createDatasetWriter, openDataset, tfjs, gguf, onnx, transformers, type Engine, type EngineOptions } from './engine';
export { createArena, type Arena, type ArenaOptions, type ArenaQuant } from './arena';
export type { Shuffle } from './codecs/shuffle';
export type { Entropy, EntropyDecodeOptions } from './codecs/entropy';
export type { Pipeline, PipelineStage, ChunkTarget } from './codecs/pipeline';
export type { ArchiveSource, SourceOptions } from './io/sources';
export { cacheStore, type CacheStore } from './io/cache-stores';
export { generateKeyPair, type KeyInput, type SignatureAlgorithm } from './io/keys';
export { generateSecretKey, type DecryptOptions, type EncryptOptions, type SecretKeyInput } from './format/seal-keys';
export { clearCache } from './io/cached-source';
export type { TfjsWeightSpec } from './io/tfjs';
export type { TfjsAdapter, TfjsHandlerOptions, TfjsIOHandler, TfjsModelArtifacts } from './adapters/tfjs';
export type { TensorArrays } from './format/archive';
export type { OnnxAdapter, OrtLike } from './adapters/onnx';
export type { ModelTools } from './adapters/model-tools';
export type { CompareOptions, Comparison, OutputsComparison, SampleInputInfo } from './adapters/model-compare';
export type { OutputComparison } from './adapters/output-metrics';
export type { Framework, OrtRunLike, OrtTensorLike, TfRunLike, TfTensorLike, TfGraphModelLike } from './adapters/frameworks';
export type { CalibrateModel, CalibrateOptions, Calibrated, CalibratedTensor, CalibrationOutput, CalibrationReport, CalibrationSetting } from './adapters/calibrate';
export type { TransformersAdapter, TransformersCache, TransformersPackOptions } from './adapters/transformers';
export { safetensors, npy, type Onnx, type OnnxFiles, type OnnxModel, type OnnxReadOptions, type OnnxWriteOptions, type Gguf, type GgufCodes, type GgufReadOptions, type GgufReader, type Safetensors, type Tfjs, type TfjsModel, type TfjsReadOptions, type TfjsWriteOptions } from './io';
export type { ContainerWriter, ShardedWriter, ShardedWriterOptions, ByteSink, WriterOptions } from './format';
export type { OpenAnyOptions, ShardOptions } from './io/open-any';
export type { Datasets } from './io/datasets';
export { toTfDataset, type TfDatasetOptions, type TfDataLike } from './adapters/tfjs-dataset';
export { samplesFrom, type SamplesFrom, type ImportedSamples } from './io/dataset-import';
export type { DatasetWriter, DatasetFieldInput, DatasetWriterOptions, ShardTarget } from './dataset/writer';
export type { Dataset, DatasetTensor, BatchOptions, BatchIterator, DatasetOpenOptions } from './dataset/reader';
export type { DatasetField, DatasetManifest } from './dataset/schema';
export type { SampleValue } from './dataset/sample-values';
export { qualityTarget } from './format/plan';
export type {
  Archive, CompareTotal, Container, EntryInfo, EntryInput, ModelInfo, OpenOptions, PackInput, PackOptions, QuantizedTensorInput, QuantizeMode, Tensor, TensorArray, TensorComparison, TensorDtype, TensorInfo,
  TensorInput,
} from './format';
export type { Delta, IntegerArray } from './codecs/delta';
export type {
  Sparse, PruneOptions, SparseArray, SparseDtype, SparseFormat, SparseInfo, SparsePackOptions, SparseUnpackOptions,
} from './codecs/sparse';
export type {
  Quant, Fp8Options, ChooseOptions, QuantDtype, QuantizedInput, QuantizedTensor, QuantizeOptions, QuantStats,
  StoredQuantDtype, TfjsCodes, TfjsCodesDtype, TfjsQuantDtype, TfjsQuantization, TfjsWeight,
} from './codecs/quant';
export { TensorzipError, isTensorzipError, type TensorzipErrorCode } from './errors';
export {
  DEFAULT_MAX_OUTPUT_SIZE,
  type Lz4,
  type CompressOptions,
  type DecompressOptions,
  type CompressBlockOptions,
  type DecompressBlockOptions,
} from './codecs/lz4';
