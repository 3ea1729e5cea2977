// Tensor shapes, as every codec checks them.
import { TensorzipError } from '../errors';
import { describeValue } from './describe-value';

/** Checks that `shape` lists non-negative integers (whose product is `length`, when given); returns a copy. */
export function checkShape(shape: unknown, what: string, length?: number): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new TensorzipError('ARGUMENT', `${what}: expected an array of non-negative integers, found ${describeValue(shape)}`);
  }
  const size = product(shape as number[]);
  if (length !== undefined && size !== length) {
    throw new TensorzipError('ARGUMENT', `${what} [${shape.join(', ')}] holds ${size} elements, the data has ${length}`);
  }
  return [...(shape as number[])];
}

/** The number of elements of a shape. A loop: it runs per tensor and per chunk decoded, in V8's first tiers. */
export function product(dims: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) n *= dims[i];
  return n;
}
