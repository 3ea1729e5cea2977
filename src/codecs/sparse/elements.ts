// Which array type holds each sparse dtype, and which dtype an array holds.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { SparseArray, SparseDtype } from './types';

type ArrayType = { new (length: number): SparseArray; name: string; BYTES_PER_ELEMENT: number };

export const ARRAY_TYPE: Record<SparseDtype, ArrayType> = {
  float32: Float32Array, float16: Uint16Array, bfloat16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
};

const NATURAL: [ArrayType, SparseDtype][] = [
  [Float32Array, 'float32'], [Uint16Array, 'uint16'], [Int8Array, 'int8'], [Uint8Array, 'uint8'],
  [Int16Array, 'int16'], [Int32Array, 'int32'], [Uint32Array, 'uint32'],
];

/** The dtype of `data`: its own type, or `declared` when that is stored in the same array type (float16 in a
 *  Uint16Array). */
export function dtypeOf(data: unknown, declared: SparseDtype | undefined, what: string): SparseDtype {
  const natural = NATURAL.find(([type]) => data instanceof type);
  if (natural === undefined) {
    const found = data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data;
    throw new TensorzipError('ARGUMENT', `${what}: expected a Float32Array, Uint16Array (float16/bfloat16 bits), Int8Array, Uint8Array, Int16Array, Int32Array or Uint32Array, found ${found}`);
  }
  if (declared === undefined) return natural[1];
  if (typeof declared !== 'string' || !Object.hasOwn(ARRAY_TYPE, declared) || !(data instanceof ARRAY_TYPE[declared])) {
    throw new TensorzipError('ARGUMENT', `${what}: dtype ${describeValue(declared)} is not stored in a ${natural[0].name}`);
  }
  return declared;
}

/** The bytes of any typed array, without copying. */
export function bytesOf(data: SparseArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** CSR views a tensor as rows × cols: rows = the first dimension (1 for rank 0 and 1), cols = the rest. */
export function matrixOf(shape: readonly number[], count: number): { rows: number; cols: number } {
  const rows = shape.length >= 2 ? shape[0] : 1;
  return { rows, cols: rows === 0 ? 0 : count / rows };
}
