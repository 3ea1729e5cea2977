// The frameworks compare() and calibrate() run models with, as the caller passes them in ({ ort } or { tf }): only
// the few members tensorzip calls, so onnxruntime-node / -web and @tensorflow/tfjs (or tfjs-core with
// tfjs-converter's loadGraphModel) all fit, and none is imported here.
import { TensorzipError } from '../errors';
import type { TensorArray } from '../format/dtypes';

/** An ONNX Runtime tensor as run() gives it back. */
export interface OrtTensorLike {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/** What tensorzip uses of an onnxruntime package. */
export interface OrtRunLike {
  InferenceSession: { create(model: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>; release?(): Promise<void> }> };
  Tensor: new (type: string, data: TensorArray, dims: readonly number[]) => unknown;
}

/** A TF.js tensor. */
export interface TfTensorLike {
  shape: number[];
  dtype: string;
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

/** A TF.js GraphModel, as tfjs-converter's loadGraphModel gives it. */
export interface TfGraphModelLike {
  inputs: { name: string; shape?: number[]; dtype: string }[];
  outputs: { name: string }[];
  /** Graphs without control flow or dynamic shapes. */
  execute(inputs: Record<string, TfTensorLike>, outputs?: string[]): TfTensorLike | TfTensorLike[];
  /** The others (execute() throws on them). */
  executeAsync(inputs: Record<string, TfTensorLike>, outputs?: string[]): Promise<TfTensorLike | TfTensorLike[]>;
  dispose(): void;
}

/** What tensorzip uses of TF.js: `@tensorflow/tfjs` as it is, or `{ ...tfjsCore, loadGraphModel }` from the split
 *  packages (tfjs-core with a backend, and tfjs-converter). */
export interface TfRunLike {
  tensor(values: TensorArray, shape: number[], dtype: string): TfTensorLike;
  loadGraphModel(handler: { load(): Promise<object> }): Promise<TfGraphModelLike>;
}

/** The framework that runs the models: `{ ort }` for ONNX models, `{ tf }` for TF.js graph models. */
export type Framework = { ort: OrtRunLike } | { tf: TfRunLike };

/** The framework checked against the model's kind (ARGUMENT when it is not one, or not the model's). */
export function frameworkFor(framework: unknown, kind: 'onnx' | 'tfjs', what: string): OrtRunLike | TfRunLike {
  const f = framework as { ort?: Partial<OrtRunLike>; tf?: Partial<TfRunLike> } | null;
  if (kind === 'onnx') {
    if (typeof f?.ort?.InferenceSession?.create !== 'function' || typeof f.ort.Tensor !== 'function') {
      throw new TensorzipError('ARGUMENT', `${what} framework: an ONNX model runs with { ort } (onnxruntime-node or onnxruntime-web)`);
    }
    return f.ort as OrtRunLike;
  }
  if (typeof f?.tf?.tensor !== 'function' || typeof f.tf.loadGraphModel !== 'function') {
    throw new TensorzipError('ARGUMENT', `${what} framework: a TF.js model runs with { tf } (@tensorflow/tfjs, or { ...tfjsCore, loadGraphModel } from tfjs-converter)`);
  }
  return f.tf as TfRunLike;
}
