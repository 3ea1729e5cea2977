// compare() with a framework: the per-tensor table (format/compare.ts), and the outputs of the original's weights
// and of the archive's decoded weights, run in the archive's own graph on the same sample inputs.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { TensorDtype } from '../format/dtypes';
import type { TensorInput } from '../format/encode-tensor';
import type { CompareOptions as TensorCompareOptions, Comparison as TensorsComparison } from '../format/compare';
import type { Container } from '../format';
import type { Kernels } from '../wasm/kernels';
import type { Framework } from './frameworks';
import type { ModelTools } from './model-tools';
import { archiveGraph } from './archive-graph';
import { modelLoader, runModel, type ModelLoader } from './model-runner';
import { sampleInputs } from './sample-inputs';
import { compareOutputs, minCosine, type OutputComparison } from './output-metrics';

export interface CompareOptions extends TensorCompareOptions {
  /** Run both models and compare their outputs: `{ ort }` (onnxruntime-node / -web) for an archive packed from an
   *  ONNX model, `{ tf }` (see TfRunLike) for one packed from a TF.js graph model. */
  framework?: Framework;
  /** Sample inputs by the model's input name; inputs left out are generated from the model's signature (see
   *  `seed`). Another dtype, or a shape that differs in a fixed dimension, is ARGUMENT. */
  inputs?: Record<string, TensorInput>;
  /** Seeds the generated inputs (default 1): floats uniform in [0, 1), integers 0, bools false, each symbolic
   *  dimension 1 long. */
  seed?: number;
}

/** A model input as it was fed to both models. */
export interface SampleInputInfo {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** Made from the model's signature, not given. */
  generated: boolean;
}

export interface OutputsComparison {
  inputs: SampleInputInfo[];
  outputs: OutputComparison[];
  /** The lowest output cosine (NaN when any is NaN). */
  minCosine: number;
}

export interface Comparison extends TensorsComparison {
  /** With `framework`: the outputs compared; null when the archive and the original hold different tensors (names
   *  on one side only, shapes that differ), as the two models then do not run the same graph. */
  outputs?: OutputsComparison | null;
}

export function checkSeed(seed: unknown, what: string): number {
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new TensorzipError('ARGUMENT', `${what} seed: expected an integer, found ${describeValue(seed)}`);
  return (seed as number | undefined) ?? 1;
}

/** The code for the framework's failure on the original model: the caller's inputs, or inputs made for it. */
export const referenceFailure = (given: unknown) => (given === undefined ? 'UNSUPPORTED' : 'ARGUMENT');
export const REFERENCE_FAILED = 'the framework could not run the original model on the sample inputs (generated inputs give each symbolic dimension 1 element: give inputs)';

/** Runs the original's weights and the archive's decoded weights through `load`, on the same inputs. */
export async function runBoth(kernels: Kernels, load: ModelLoader, original: Record<string, TensorInput>, decoded: Record<string, TensorInput>, given: unknown, seed: number, what: string): Promise<OutputsComparison> {
  const reference = await runModel(load, original, (inputs) => sampleInputs(kernels, inputs, given, seed, what), referenceFailure(given), `${what}: ${REFERENCE_FAILED}`);
  const feeds = reference.feeds;
  const archived = await runModel(load, decoded, () => feeds, 'CORRUPT', `${what}: the archive's weights do not run`);
  const outputs = compareOutputs(reference.outputs, archived.outputs);
  const givenNames = new Set(Object.keys((given as object | undefined) ?? {}));
  const inputs = Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape], generated: !givenNames.has(name) }));
  return { inputs, outputs, minCosine: minCosine(outputs) };
}

export function bindCompare(kernels: () => Kernels, compareTensors: Container['compare']): ModelTools['compare'] {
  return async (original, archive, options = {}) => {
    const report: Comparison = await compareTensors(original, archive, options);
    if (options?.framework === undefined) return report;
    const seed = checkSeed(options.seed, 'compare');
    const load = modelLoader(kernels(), options.framework, await archiveGraph(archive, 'compare'), 'compare');
    const same = report.onlyInOriginal.length + report.onlyInArchive.length + report.shapeMismatches.length === 0;
    report.outputs = same ? await runBoth(kernels(), load, original, await archive.getAll(), options.inputs, seed, 'compare') : null;
    return report;
  };
}
