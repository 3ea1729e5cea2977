// The inputs compare() and calibrate() feed a model: the caller's tensors, checked against the model's inputs, and
// for every input the caller leaves out a tensor made from its signature — each symbolic dimension (a batch, a
// sequence length) SYMBOLIC_DIM long; floats uniform in [0, 1) from a seeded generator (images and audio both sit
// there or near it), integers 0 (a valid token id, index or pad), bools false. The same seed gives the same inputs.
import { TensorzipError } from '../errors';
import { checkShape, product } from '../codecs/shape';
import { describeValue } from '../codecs/describe-value';
import { checkTensorData, isTensorDtype, TENSOR_DTYPES } from '../format/dtypes';
import type { TensorInput } from '../format/encode-tensor';
import { encodeFloat16 } from '../codecs/quant/float16';
import type { Kernels } from '../wasm/kernels';
import type { ModelInput } from './model-runner';

/** The length a generated input takes along a dimension the model leaves open. */
export const SYMBOLIC_DIM = 1;
/** Elements a generated input may hold (64 Mi: a 4096² RGBA image); more is LIMIT. */
const MAX_GENERATED_ELEMENTS = 1 << 26;

/** A seeded generator of floats in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function generate(kernels: Kernels, input: ModelInput, seed: number, what: string): TensorInput {
  if (input.dtype === null || input.shape === null) {
    throw new TensorzipError('UNSUPPORTED', `${what}: the model's input ${describeValue(input.name)} has ${input.dtype === null ? 'a type' : 'no shape'} tensorzip cannot make a sample of; give it in inputs`);
  }
  const shape = input.shape.map((d) => d ?? SYMBOLIC_DIM);
  const count = product(shape);
  if (count > MAX_GENERATED_ELEMENTS) throw new TensorzipError('LIMIT', `${what}: input ${describeValue(input.name)} [${shape.join(', ')}] would hold ${count} elements; give it in inputs`);
  const dtype = input.dtype;
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16') {
    const next = uniform(seed);
    const values = Float32Array.from({ length: count }, next);
    return { dtype, shape, data: dtype === 'float16' ? encodeFloat16(kernels, values) : dtype === 'float64' ? Float64Array.from(values) : values };
  }
  return { dtype, shape, data: new TENSOR_DTYPES[dtype].array(count) };
}

/** Checks the caller's inputs against the model's (ARGUMENT: a name it does not take, another dtype, a shape that
 *  differs in a fixed dimension) and fills in the rest; `seed` makes the generated ones. */
export function sampleInputs(kernels: Kernels, model: readonly ModelInput[], given: unknown, seed: number, what: string): Record<string, TensorInput> {
  if (given !== undefined && (given === null || typeof given !== 'object')) throw new TensorzipError('ARGUMENT', `${what} inputs: expected tensors by input name, found ${describeValue(given)}`);
  const byName = new Map(model.map((i) => [i.name, i]));
  const feeds: Record<string, TensorInput> = Object.create(null);
  for (const [name, t] of Object.entries(given ?? {}) as [string, TensorInput][]) {
    const where = `${what} inputs[${describeValue(name)}]`;
    const input = byName.get(name);
    if (input === undefined) throw new TensorzipError('ARGUMENT', `${where}: the model takes no such input; it takes ${model.map((i) => describeValue(i.name)).join(', ')}`);
    if (!isTensorDtype(t?.dtype)) throw new TensorzipError('ARGUMENT', `${where}: expected { dtype, shape, data }, found ${describeValue(t?.dtype ?? t)}`);
    const shape = checkShape(t.shape, `${where} shape`);
    checkTensorData(t.data, t.dtype, product(shape), where);
    if (input.dtype !== null && t.dtype !== input.dtype) throw new TensorzipError('ARGUMENT', `${where}: the model takes ${input.dtype}, found ${t.dtype}`);
    const fixed = input.shape;
    if (fixed !== null && (fixed.length !== shape.length || fixed.some((d, k) => d !== null && d !== shape[k]))) {
      throw new TensorzipError('ARGUMENT', `${where}: the model takes shape [${fixed.map((d) => d ?? '?').join(', ')}], found [${shape.join(', ')}]`);
    }
    feeds[name] = { dtype: t.dtype, shape, data: t.data };
  }
  for (const [k, input] of model.entries()) if (!(input.name in feeds)) feeds[input.name] = generate(kernels, input, seed + k, what);
  return feeds;
}
