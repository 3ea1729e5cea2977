// GGML blocks (Q8_0, Q4_0, Q4_1; Q4_K read-only) along the last axis, a chunk of blocks per kernel call.
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { KernelExports, Kernels } from '../../wasm/kernels';
import { allocateForOverwrite } from '../output-bytes';
import { ChunkOutput } from '../chunk-output';

export type GgmlDtype = 'q8_0' | 'q4_0' | 'q4_1' | 'q4_k';

type BlockKernel = (src: number, blocks: number, dst: number, dstCap: number) => number;

interface GgmlType {
  /** Values per block. */
  values: number;
  /** Bytes per block. */
  bytes: number;
  encode: ((k: KernelExports) => BlockKernel) | null;
  decode: (k: KernelExports) => BlockKernel;
}

export const GGML_TYPES: Record<GgmlDtype, GgmlType> = {
  q8_0: { values: 32, bytes: 34, encode: (k) => k.ggmlEncodeQ8_0, decode: (k) => k.ggmlDecodeQ8_0 },
  q4_0: { values: 32, bytes: 18, encode: (k) => k.ggmlEncodeQ4_0, decode: (k) => k.ggmlDecodeQ4_0 },
  q4_1: { values: 32, bytes: 20, encode: (k) => k.ggmlEncodeQ4_1, decode: (k) => k.ggmlDecodeQ4_1 },
  q4_k: { values: 256, bytes: 144, encode: null, decode: (k) => k.ggmlDecodeQ4_K },
};

/** About 16 Ki values per call. */
const CHUNK_VALUES = 16384;

/** Checks that blocks tile the last axis of `shape`; returns the number of blocks. */
export function ggmlBlocks(dtype: GgmlDtype, shape: readonly number[]): number {
  const { values } = GGML_TYPES[dtype];
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (last % values !== 0) {
    throw new TensorzipError('ARGUMENT', `${dtype} blocks hold ${values} values: the last dimension (${last}) must be a multiple of ${values}`);
  }
  return shape.reduce((n, d) => n * d, 1) / values;
}

export function encodeGgml(kernels: Kernels, data: Float32Array, dtype: GgmlDtype, blocks: number): Uint8Array {
  const type = GGML_TYPES[dtype];
  if (type.encode === null) throw new TensorzipError('UNSUPPORTED', `${dtype} is decode-only (its encoder is an iterative search)`);
  const encode = type.encode(kernels.exports);
  const output = allocateForOverwrite(blocks * type.bytes);
  const input = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const perChunk = CHUNK_VALUES / type.values;
  kernels.reset();
  try {
    const src = kernels.alloc(CHUNK_VALUES * 4);
    const dst = kernels.alloc(perChunk * type.bytes);
    for (let b = 0; b < blocks; b += perChunk) {
      const count = Math.min(perChunk, blocks - b);
      const heap = kernels.heap;
      heap.set(input.subarray(b * type.values * 4, (b + count) * type.values * 4), src);
      const written = encode(src, count, dst, perChunk * type.bytes);
      if (written === KERNEL_STATUS.ARGUMENT) {
        throw new TensorzipError('ARGUMENT', `${dtype}: a block's scale overflows float16 (values too large for GGML blocks)`);
      }
      output.set(heap.subarray(dst, dst + written), b * type.bytes);
    }
  } finally {
    kernels.reset();
  }
  return output;
}

export function decodeGgml(kernels: Kernels, bytes: Uint8Array, dtype: GgmlDtype, blocks: number, out: Float32Array): void {
  const type = GGML_TYPES[dtype];
  if (bytes.length !== blocks * type.bytes) {
    throw new TensorzipError(bytes.length < blocks * type.bytes ? 'TRUNCATED' : 'ARGUMENT',
      `${dtype}: ${blocks} blocks take ${blocks * type.bytes} bytes, the data has ${bytes.length}`);
  }
  const decode = type.decode(kernels.exports);
  const output = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const perChunk = CHUNK_VALUES / type.values;
  kernels.reset();
  try {
    const src = kernels.alloc(perChunk * type.bytes);
    const dst = new ChunkOutput(kernels, output, CHUNK_VALUES * 4, bytes);
    for (let b = 0; b < blocks; b += perChunk) {
      const count = Math.min(perChunk, blocks - b);
      kernels.heap.set(bytes.subarray(b * type.bytes, (b + count) * type.bytes), src);
      const written = decode(src, count, dst.at(b * type.values * 4), count * type.values);
      if (written === KERNEL_STATUS.CORRUPT) {
        throw new TensorzipError('CORRUPT', `${dtype}: a block scale in blocks ${b}–${b + count - 1} is Inf or NaN`, { offset: b * type.bytes });
      }
      dst.commit(b * type.values * 4, written * 4);
    }
  } finally {
    kernels.reset();
  }
}
