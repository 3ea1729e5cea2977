// The delta filter for integer arrays (the rule is in assembly/delta.ts), a bounded slice at a time.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';

/** Integer arrays the delta filter takes. */
export type IntegerArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Differences between neighbouring integers: slowly changing sequences (indices, offsets, counters) become small
 *  numbers that LZ4 compresses well. */
export interface Delta {
  /**
   * out[0] = x[0], out[i] = x[i] − x[i−1], wrapping around in the array's own type (so every array round-trips).
   * Returns a new array of the same type.
   * @example
   * delta.encode(new Uint32Array([100, 101, 103, 106])); // Uint32Array [100, 1, 2, 3]
   */
  encode<T extends IntegerArray>(data: T): T;
  /**
   * The running sum: the inverse of encode.
   * @example
   * delta.decode(new Uint32Array([100, 1, 2, 3])); // Uint32Array [100, 101, 103, 106]
   */
  decode<T extends IntegerArray>(data: T): T;
}

const SLICE_ELEMENTS = 65536;
const INTEGER_TYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

type Element = number & bigint; // what an IntegerArray element reads as, for code that treats all kinds alike

function run<T extends IntegerArray>(kernels: Kernels, data: T, encode: boolean): T {
  const type = INTEGER_TYPES.find((t) => data instanceof t) as unknown as { new (n: number): T; new (b: ArrayBuffer, o: number, n: number): T } | undefined;
  if (type === undefined) {
    const found = data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data;
    throw new TensorzipError('ARGUMENT', `delta.${encode ? 'encode' : 'decode'} data: expected an integer TypedArray (Int8Array … BigUint64Array), found ${found}`);
  }
  const width = data.BYTES_PER_ELEMENT;
  const output = new type(data.length);
  const kernel = encode ? kernels.exports.deltaEncode : kernels.exports.deltaDecode;
  const slice = Math.min(data.length, SLICE_ELEMENTS);
  kernels.reset();
  try {
    const src = kernels.alloc(slice * width);
    const dst = kernels.alloc(slice * width);
    for (let first = 0; first < data.length; first += slice) {
      const count = Math.min(slice, data.length - first);
      const input = new type(kernels.exports.memory.buffer, src, count);
      input.set(data.subarray(first, first + count) as never);
      // A slice's first element continues the running sum of the previous slice's output.
      if (!encode && first > 0) input[0] = ((input[0] as Element) + (output[first - 1] as Element)) as Element;
      const written = kernel(src, count, dst, count, width);
      if (written !== count) throw new TensorzipError('ARGUMENT', `the delta kernel refused its arguments (status ${written})`);
      // …and its first difference is taken against the previous slice's last input.
      if (encode && first > 0) new type(kernels.exports.memory.buffer, dst, 1)[0] = ((data[first] as Element) - (data[first - 1] as Element)) as Element;
      output.set(new type(kernels.exports.memory.buffer, dst, count) as never, first);
    }
  } finally {
    kernels.reset();
  }
  return output;
}

export function bindDelta(kernels: () => Kernels): Delta {
  return {
    encode: (data) => run(kernels(), data, true),
    decode: (data) => run(kernels(), data, false),
  };
}
