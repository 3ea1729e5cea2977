// Byte and bit shuffle filters (Blosc semantics; the layouts are in assembly/shuffle.ts and assembly/bitshuffle.ts).
import type { Kernels } from '../../wasm/kernels';
import { asBytes, integerOption } from '../as-bytes';
import { runPlanar, type PlaneShape } from './planar';

const BYTE_PLANES: PlaneShape = { planesPerByte: 1, elementMultiple: 1 };
const BIT_PLANES: PlaneShape = { planesPerByte: 8, elementMultiple: 8 };

/** Filters that regroup the bytes (or bits) of fixed-size elements so LZ4 finds the repeats in them. */
export interface Shuffle {
  /**
   * Blosc byte shuffle: byte j of element i moves to j·n + i (n = ⌊length / typesize⌋), so all first bytes come
   * first, then all second bytes, …; the length mod typesize bytes at the end stay as they are. typesize 1–16.
   * Any ArrayBufferView is read as its bytes.
   * @example
   * const planes = shuffle.shuffle(new Float32Array([1, 2, -0.5]), 4);
   * // Uint8Array [0, 0, 0,  0, 0, 0,  0x80, 0, 0,  0x3F, 0x40, 0xBF]
   * const frame = lz4.compress(planes);   // float weights: 1.0x without the shuffle, ~1.07x with it
   */
  shuffle(data: ArrayBufferView | ArrayBuffer, typesize: number): Uint8Array;
  /**
   * The inverse of shuffle.
   * @example
   * const floats = new Float32Array(shuffle.unshuffle(planes, 4).buffer);
   */
  unshuffle(data: ArrayBufferView | ArrayBuffer, typesize: number): Uint8Array;
  /**
   * Blosc2 bitshuffle: of the n elements, the first n − n mod 8 become 8·typesize bit planes (plane 8·j + k holds
   * bit k of byte j of every element, least significant bit first); the rest of the bytes stay as they are.
   * @example
   * shuffle.bitshuffle(new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1]), 1); // Uint8Array [0xFF, 0, 0, 0, 0, 0, 0, 0]
   */
  bitshuffle(data: ArrayBufferView | ArrayBuffer, typesize: number): Uint8Array;
  /**
   * The inverse of bitshuffle.
   * @example
   * shuffle.bitunshuffle(new Uint8Array([0xFF, 0, 0, 0, 0, 0, 0, 0]), 1); // Uint8Array [1, 1, 1, 1, 1, 1, 1, 1]
   */
  bitunshuffle(data: ArrayBufferView | ArrayBuffer, typesize: number): Uint8Array;
}

export function bindShuffle(kernels: () => Kernels): Shuffle {
  const run = (data: unknown, typesize: number, name: string, shape: PlaneShape, forward: boolean) => {
    const k = kernels();
    const bytes = asBytes(data, `shuffle.${name} data`);
    integerOption(typesize, `shuffle.${name} typesize`, 1, 16);
    const kernel = shape === BYTE_PLANES
      ? forward ? k.exports.byteShuffle : k.exports.byteUnshuffle
      : forward ? k.exports.bitShuffle : k.exports.bitUnshuffle;
    return runPlanar(k, bytes, typesize, shape, kernel, forward);
  };
  return {
    shuffle: (data, typesize) => run(data, typesize, 'shuffle', BYTE_PLANES, true),
    unshuffle: (data, typesize) => run(data, typesize, 'unshuffle', BYTE_PLANES, false),
    bitshuffle: (data, typesize) => run(data, typesize, 'bitshuffle', BIT_PLANES, true),
    bitunshuffle: (data, typesize) => run(data, typesize, 'bitunshuffle', BIT_PLANES, false),
  };
}
