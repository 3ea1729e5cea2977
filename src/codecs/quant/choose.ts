// quant.choose: the smallest quantization of a tensor whose error stays within a budget.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { expectArray } from './expect-array';
import { GGML_TYPES } from './ggml';
import { affineLayout } from './layout';
import { checkShape } from '../shape';
import { quantize } from './quantize';
import type { QuantizedTensor, QuantizeOptions } from './types';

export interface ChooseOptions {
  /** Dimensions of the tensor; default `[data.length]`. Block candidates run along the last axis. */
  shape?: readonly number[];
  /** The axis of the per-axis candidates (rank ≥ 2): the output channels, 0 by default. */
  axis?: number;
  /** Largest |x − x̂| allowed. */
  maxAbsError?: number;
  /** Smallest signal-to-quantization-noise ratio allowed, in dB. */
  minSqnrDb?: number;
}

/** Block size of the 4-bit affine candidate, as ONNX Runtime's 4-bit MatMul quantizer uses by default. */
const INT4_BLOCK = 32;

/** The candidates that apply to `shape`, each with the bytes it stores (codes, scales, zero points). */
function candidates(shape: number[], size: number, channelAxis: number): { options: QuantizeOptions; bytes: number }[] {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  const list: { options: QuantizeOptions; bytes: number }[] = [];
  const affine = (options: QuantizeOptions, codeBits: number, zeroPoints: boolean) => {
    const params = affineLayout(shape, options.axis, options.blockSize).paramCount;
    list.push({ options, bytes: Math.ceil(size * codeBits / 8) + params * (zeroPoints ? 5 : 4) });
  };
  if (last % INT4_BLOCK === 0) affine({ dtype: 'int4', blockSize: INT4_BLOCK }, 4, false);
  for (const dtype of ['q4_0', 'q4_1', 'q8_0'] as const) {
    const { values, bytes } = GGML_TYPES[dtype];
    if (last % values === 0) list.push({ options: { dtype }, bytes: size / values * bytes });
  }
  const axis = shape.length >= 2 ? channelAxis : undefined;
  affine({ dtype: 'int8', axis }, 8, false);
  affine({ dtype: 'uint8', axis }, 8, true);
  list.push({ options: { dtype: 'float8e4m3fn' }, bytes: size }, { options: { dtype: 'float8e5m2' }, bytes: size });
  list.push({ options: { dtype: 'float16' }, bytes: size * 2 }, { options: { dtype: 'bfloat16' }, bytes: size * 2 });
  list.push({ options: { dtype: 'float32' }, bytes: size * 4 });
  // Stable: among equal sizes the order above decides (integers before fp8, float16 before bfloat16).
  return list.sort((a, b) => a.bytes - b.bytes);
}

function budget(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
    throw new TensorzipError('ARGUMENT', `quant.choose ${name}: expected a number, found ${String(value)}`);
  }
  return value;
}

export function choose(kernels: Kernels, data: Float32Array, options: ChooseOptions): QuantizedTensor {
  const input = expectArray(data, Float32Array, 'quant.choose data');
  const shape = checkShape(options?.shape ?? [input.length], 'quant.choose shape', input.length);
  const maxAbsError = budget(options?.maxAbsError, 'maxAbsError');
  const minSqnrDb = budget(options?.minSqnrDb, 'minSqnrDb');
  if (maxAbsError === undefined && minSqnrDb === undefined) {
    throw new TensorzipError('ARGUMENT', 'quant.choose: give a budget, maxAbsError and/or minSqnrDb');
  }
  const axis = options.axis ?? 0;
  if (!Number.isInteger(axis) || axis < -shape.length || axis >= Math.max(1, shape.length)) {
    throw new TensorzipError('ARGUMENT', `quant.choose axis: expected an integer in ${-shape.length}..${shape.length - 1}, found ${String(options.axis)}`);
  }
  for (const { options: scheme } of candidates(shape, input.length, axis)) {
    let q: QuantizedTensor;
    try {
      q = quantize(kernels, input, { ...scheme, shape });
    } catch (err) {
      // A format the values overflow (float16 past 65504, fp8, GGML's float16 scales) is no candidate.
      if (err instanceof TensorzipError && err.code === 'ARGUMENT' && scheme.dtype !== 'float32') continue;
      throw err;
    }
    const { stats } = q;
    if ((maxAbsError === undefined || stats.maxAbsError <= maxAbsError) && (minSqnrDb === undefined || stats.sqnrDb >= minSqnrDb)) return q;
  }
  throw new TensorzipError('ARGUMENT', 'quant.choose: no candidate, float32 included, meets the budget');
}
