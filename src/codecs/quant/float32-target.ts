import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { newFloat32Result } from '../output-bytes';
import { expectArray } from './expect-array';

/** Where a decoder writes `length` float32 values: `out` when given (a Float32Array of exactly that length, else
 *  ARGUMENT naming `what`), otherwise a new result. */
export function float32Target(kernels: Kernels, out: unknown, length: number, what: string): Float32Array {
  if (out === undefined) return newFloat32Result(kernels, length);
  const target = expectArray(out, Float32Array, what);
  if (target.length !== length) throw new TensorzipError('ARGUMENT', `${what}: expected ${length} elements, found ${target.length}`);
  return target;
}
