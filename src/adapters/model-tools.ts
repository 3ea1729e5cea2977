// compare() and calibrate(): what a .tzip does to a model, measured on its tensors and, with a framework the caller
// passes in, on its outputs.
import type { Archive } from '../format/archive';
import type { Container } from '../format';
import type { TensorInput } from '../format/encode-tensor';
import type { Kernels } from '../wasm/kernels';
import { bindCompare, type CompareOptions, type Comparison } from './model-compare';
import { calibrate, type CalibrateModel, type CalibrateOptions, type Calibrated } from './calibrate';

export interface ModelTools {
  /**
   * What an archive did to a model. Per tensor: stored dtype, encoded bytes, bits per weight, and the error of the
   * decoded values against `original` (max |x − x̂|, RMSE, SQNR in dB, in float64), with totals; names on one side
   * only and shapes that differ are listed, not compared. `original` holds values, as safetensors.read, tfjs.read,
   * onnx.read and gguf.read give them. With `framework` (an archive packed from an ONNX model or a TF.js graph
   * model): the original's weights and the archive's decoded weights run in the archive's graph on the same inputs
   * (`inputs`, the rest generated from the model's signature), and each output's cosine, max abs error and argmax
   * agreement are in `outputs`.
   * @example
   * import * as ort from 'onnxruntime-node';
   * const { tensors } = onnx.read(modelBytes);
   * const archive = await open(await onnx.pack(modelBytes, { quantize: 'int8' }));
   * const report = await compare(tensors, archive, { framework: { ort } });
   * report.total.bitsPerWeight;                       // e.g. 8.4
   * report.outputs.minCosine;                         // e.g. 0.9998
   * // TF.js: { framework: { tf } } with @tensorflow/tfjs, or { tf: { ...tfjsCore, loadGraphModel } }
   */
  compare(original: Record<string, TensorInput>, archive: Archive, options?: CompareOptions): Promise<Comparison>;
  /**
   * Packs a whole model (ONNX, or a TF.js graph model) with each large float32 tensor at the cheapest setting of
   * CALIBRATION_LADDER (int4, int8, fp16, lossless) that keeps every output's cosine against the original's at
   * least `minOutputCosine` on the sample inputs: the framework measures how much each tensor's error moves the
   * outputs, and the bits go where they matter (the search: src/adapters/calibrate.ts). `report` gives the rules
   * chosen (pack()'s), each tensor's setting and bytes, the archive's outputs, and the cost: framework runs and
   * seconds. The other pack() options (entropy, sparse, chunkBytes, channelAxes, metadata) are passed on.
   * @example
   * import * as ort from 'onnxruntime-node';
   * const { bytes, report } = await calibrate({ onnx: modelBytes }, { framework: { ort }, minOutputCosine: 0.999 });
   * report.minOutputCosine; // ≥ 0.999
   * report.runs;            // e.g. 33
   */
  calibrate(model: CalibrateModel, options: CalibrateOptions): Promise<Calibrated>;
}

export function bindModelTools(kernels: () => Kernels, container: Pick<Container, 'compare' | 'open'>): ModelTools {
  return {
    compare: bindCompare(kernels, container.compare),
    calibrate: (model, options) => calibrate(kernels(), (bytes) => container.open(bytes), model, options),
  };
}
