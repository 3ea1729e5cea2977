// A model's graph (an ONNX model without tensor data, or a TF.js graph model.json without its manifest) loaded into
// the caller's framework with a given set of weights, so that compare() and calibrate() run the same graph with the
// original weights and with the weights a .tzip decodes to.
import { TensorzipError, type TensorzipErrorCode } from '../errors';
import { decodeFloat16 } from '../codecs/quant/float16';
import type { TensorInput } from '../format/encode-tensor';
import type { TensorDtype } from '../format/dtypes';
import type { Kernels } from '../wasm/kernels';
import { writeOnnx } from '../io/onnx-write';
import { onnxInputs, type ModelInput } from '../io/onnx-signature';
import { tfjsWeights } from '../io/tfjs';
import { tfjsArtifacts } from './tfjs';
import { frameworkFor, type OrtRunLike, type TfRunLike, type TfTensorLike } from './frameworks';

export type { ModelInput };

/** One output of one run, its values widened to float64. */
export interface ModelOutput {
  name: string;
  shape: number[];
  values: Float64Array;
}

export interface LoadedModel {
  inputs: ModelInput[];
  run(feeds: Record<string, TensorInput>): Promise<ModelOutput[]>;
  dispose(): Promise<void>;
}

/** The graph a model's weights run in. */
export type ModelGraph = { kind: 'onnx'; model: Uint8Array } | { kind: 'tfjs'; modelJson: Record<string, unknown> };

/** Loads `graph` with `weights` (values by tensor name) into a fresh session or GraphModel. */
export type ModelLoader = (weights: Record<string, TensorInput>) => Promise<LoadedModel>;

const ORT_TYPES: Partial<Record<TensorDtype, string>> = {
  float32: 'float32', float16: 'float16', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool',
};

function ortLoader(kernels: Kernels, ort: OrtRunLike, model: Uint8Array): ModelLoader {
  const inputs = onnxInputs(model);
  return async (weights) => {
    const session = await ort.InferenceSession.create(writeOnnx({ model, tensors: weights }, {}, 'CORRUPT').model);
    return {
      inputs,
      async run(feeds) {
        const tensors: Record<string, unknown> = {};
        for (const [name, t] of Object.entries(feeds)) {
          const type = ORT_TYPES[t.dtype];
          if (type === undefined) throw new TensorzipError('UNSUPPORTED', `input ${name}: ONNX Runtime takes no ${t.dtype} tensors`);
          tensors[name] = new ort.Tensor(type, t.data, t.shape);
        }
        const out = await session.run(tensors);
        return Object.entries(out).map(([name, t]) => ({
          name, shape: [...t.dims],
          values: t.type === 'float16' && t.data instanceof Uint16Array ? Float64Array.from(decodeFloat16(kernels, t.data)) : Float64Array.from(t.data as ArrayLike<number | bigint>, Number),
        }));
      },
      dispose: async () => { await session.release?.(); },
    };
  };
}

const TF_DTYPES: Record<string, TensorDtype> = { float32: 'float32', int32: 'int32', bool: 'bool' };

function tfLoader(kernels: Kernels, tf: TfRunLike, modelJson: Record<string, unknown>): ModelLoader {
  return async (weights) => {
    const { weights: specs, data } = tfjsWeights(kernels, weights);
    const model = await tf.loadGraphModel({ load: async () => tfjsArtifacts(modelJson, specs, data) });
    const inputs = model.inputs.map((i) => ({
      name: i.name, dtype: TF_DTYPES[i.dtype] ?? null, shape: i.shape === undefined ? null : i.shape.map((d) => (d >= 0 ? d : null)),
    }));
    const names = model.outputs.map((o) => o.name);
    return {
      inputs,
      async run(feeds) {
        const tensors = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, tf.tensor(t.data, [...t.shape], t.dtype)]));
        try {
          let out: TfTensorLike | TfTensorLike[];
          try {
            out = model.execute(tensors, names);
          } catch {
            out = await model.executeAsync(tensors, names); // control flow or dynamic shapes
          }
          const list = Array.isArray(out) ? out : [out];
          const result: ModelOutput[] = [];
          for (const [k, t] of list.entries()) {
            result.push({ name: names[k], shape: [...t.shape], values: Float64Array.from(await t.data()) });
            t.dispose();
          }
          return result;
        } finally {
          for (const t of Object.values(tensors)) t.dispose();
        }
      },
      dispose: async () => model.dispose(),
    };
  };
}

export function modelLoader(kernels: Kernels, framework: unknown, graph: ModelGraph, what: string): ModelLoader {
  const f = frameworkFor(framework, graph.kind, what);
  return graph.kind === 'onnx' ? ortLoader(kernels, f as OrtRunLike, graph.model) : tfLoader(kernels, f as TfRunLike, graph.modelJson);
}

/** Loads `weights`, runs the feeds `feedsOf` makes for the model's inputs once, and frees the model. An error of the
 *  framework's own (an input it rejects, weights that break an operator) becomes a TensorzipError of `code`. */
export async function runModel(load: ModelLoader, weights: Record<string, TensorInput>, feedsOf: (inputs: ModelInput[]) => Record<string, TensorInput>, code: TensorzipErrorCode, what: string): Promise<{ feeds: Record<string, TensorInput>; outputs: ModelOutput[] }> {
  return withLoaded(load, weights, code, what, async (loaded) => {
    const feeds = feedsOf(loaded.inputs);
    return { feeds, outputs: await loaded.run(feeds) };
  });
}

/** The model loaded once with `weights`, run on each of `feeds` in turn: the outputs of each. */
export function runModelOnEach(load: ModelLoader, weights: Record<string, TensorInput>, feeds: readonly Record<string, TensorInput>[], code: TensorzipErrorCode, what: string): Promise<ModelOutput[][]> {
  return withLoaded(load, weights, code, what, async (loaded) => {
    const outputs: ModelOutput[][] = [];
    for (const feed of feeds) outputs.push(await loaded.run(feed));
    return outputs;
  });
}

/** `use` on the model loaded with `weights`, disposed after; the framework's errors as TensorzipError `code`. */
async function withLoaded<T>(load: ModelLoader, weights: Record<string, TensorInput>, code: TensorzipErrorCode, what: string, use: (loaded: LoadedModel) => Promise<T>): Promise<T> {
  const wrap = (err: unknown) => (err instanceof TensorzipError ? err : new TensorzipError(code, `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
  let loaded: LoadedModel;
  try {
    loaded = await load(weights);
  } catch (err) {
    throw wrap(err);
  }
  try {
    return await use(loaded);
  } catch (err) {
    throw wrap(err);
  } finally {
    await loaded.dispose();
  }
}
