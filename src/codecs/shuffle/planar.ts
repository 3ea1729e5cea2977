// Runs a shuffle kernel over a whole byte array a slice of elements at a time, so WebAssembly memory stays small.
// Both shuffles lay the output out as planes (one per byte, or one per bit, of the element), and each plane of a
// slice of elements is a contiguous piece of the matching plane of the whole: a slice's planes are moved one by one.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { allocateForOverwrite } from '../output-bytes';

/** Input bytes per pass; slices hold a multiple of 16 elements (whole SIMD steps and whole bit-plane bytes). */
const SLICE_BYTES = 256 * 1024;

export type ShuffleKernel = (src: number, len: number, dst: number, dstCap: number, typesize: number) => number;

export interface PlaneShape {
  /** Planes per byte of the element: 1 for the byte shuffle, 8 for the bitshuffle. */
  planesPerByte: number;
  /** The bitshuffle moves only a multiple of 8 elements; the rest is copied as it is. */
  elementMultiple: number;
}

/** (Un)shuffles `input` into a new array. `forward` true: elements → planes; false: planes → elements. */
export function runPlanar(
  kernels: Kernels, input: Uint8Array, typesize: number, shape: PlaneShape, kernel: ShuffleKernel, forward: boolean,
): Uint8Array {
  const output = allocateForOverwrite(input.length);
  const elements = Math.floor(input.length / typesize);
  const planar = elements - (elements % shape.elementMultiple);
  const planes = typesize * shape.planesPerByte;
  const planeBytes = planar / shape.planesPerByte; // bytes of one whole plane
  const sliceElements = Math.max(16, Math.floor(SLICE_BYTES / typesize / 16) * 16);
  kernels.reset();
  try {
    const src = kernels.alloc(Math.min(planar, sliceElements) * typesize);
    const dst = kernels.alloc(Math.min(planar, sliceElements) * typesize);
    for (let first = 0; first < planar; first += sliceElements) {
      const count = Math.min(sliceElements, planar - first);
      const bytes = count * typesize;
      const slicePlane = count / shape.planesPerByte; // bytes of one plane of this slice
      const at = first / shape.planesPerByte;
      let heap = kernels.heap;
      if (forward) heap.set(input.subarray(first * typesize, first * typesize + bytes), src);
      else for (let p = 0; p < planes; p++) heap.set(input.subarray(p * planeBytes + at, p * planeBytes + at + slicePlane), src + p * slicePlane);
      const written = kernel(src, bytes, dst, bytes, typesize);
      if (written !== bytes) throw new TensorzipError('ARGUMENT', `a shuffle kernel refused its arguments (status ${written})`);
      heap = kernels.heap;
      if (forward) for (let p = 0; p < planes; p++) output.set(heap.subarray(dst + p * slicePlane, dst + (p + 1) * slicePlane), p * planeBytes + at);
      else output.set(heap.subarray(dst, dst + bytes), first * typesize);
    }
  } finally {
    kernels.reset();
  }
  output.set(input.subarray(planar * typesize), planar * typesize);
  return output;
}
