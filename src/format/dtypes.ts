// The tensor dtypes a .tzip file holds (docs/FORMAT.md), with their element sizes and array types.
import { TensorzipError } from '../errors';

export type TensorDtype =
  | 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32'
  | 'int64' | 'uint64' | 'bool' | 'float8e4m3fn' | 'float8e5m2';

export type TensorArray =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

type ArrayType = { new (length: number): TensorArray; new (buffer: ArrayBufferLike, offset: number, length: number): TensorArray; name: string; BYTES_PER_ELEMENT: number };

export const TENSOR_DTYPES: Record<TensorDtype, { bytes: number; array: ArrayType }> = {
  float32: { bytes: 4, array: Float32Array }, float16: { bytes: 2, array: Uint16Array }, bfloat16: { bytes: 2, array: Uint16Array },
  float64: { bytes: 8, array: Float64Array }, int8: { bytes: 1, array: Int8Array }, uint8: { bytes: 1, array: Uint8Array },
  int16: { bytes: 2, array: Int16Array }, uint16: { bytes: 2, array: Uint16Array }, int32: { bytes: 4, array: Int32Array },
  uint32: { bytes: 4, array: Uint32Array }, int64: { bytes: 8, array: BigInt64Array }, uint64: { bytes: 8, array: BigUint64Array },
  bool: { bytes: 1, array: Uint8Array }, float8e4m3fn: { bytes: 1, array: Uint8Array }, float8e5m2: { bytes: 1, array: Uint8Array },
};

export function isTensorDtype(dtype: unknown): dtype is TensorDtype {
  return typeof dtype === 'string' && Object.hasOwn(TENSOR_DTYPES, dtype);
}

/** Checks that `data` is the array type of `dtype` with `count` elements. */
export function checkTensorData(data: unknown, dtype: TensorDtype, count: number, what: string): TensorArray {
  const { array } = TENSOR_DTYPES[dtype];
  if (!(data instanceof array)) {
    const found = data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data;
    throw new TensorzipError('ARGUMENT', `${what}: a ${dtype} tensor takes a ${array.name}, found ${found}`);
  }
  if (data.length !== count) throw new TensorzipError('ARGUMENT', `${what}: the shape holds ${count} elements, the data has ${data.length}`);
  return data;
}
