import type { Kernels } from '../../wasm/kernels';
import { pack } from './pack';
import { prune } from './prune';
import { describe, unpack } from './unpack';
import type { PruneOptions, SparseArray, SparseDtype, SparseFormat, SparseInfo, SparsePackOptions, SparseUnpackOptions } from './types';

export type { PruneOptions, SparseArray, SparseDtype, SparseFormat, SparseInfo, SparsePackOptions, SparseUnpackOptions };

/** Pruned tensors (mostly zeros) stored near their information content. */
export interface Sparse {
  /**
   * Packs a tensor into a self-describing byte array (dtype, shape and format in a 12 + 4·rank byte header). The
   * default format 'auto' takes the smallest of 'dense', 'bitmask' (⌈n/8⌉ mask bytes + the non-zeros) and 'csr'
   * (delta-coded compressed rows: wins below ~10% density). "Zero" means all bits zero: −0.0 and NaN are kept, so
   * unpack gives back every bit.
   * @example
   * const pruned = sparse.prune(weights, { sparsity: 0.7 });
   * const bytes = sparse.pack(pruned, { shape: [768, 768] });   // ~0.3·4 + 1/8 bytes per element: 3x smaller
   * sparse.describe(bytes).format;                              // 'bitmask'
   */
  pack(data: SparseArray, options?: SparsePackOptions): Uint8Array;
  /**
   * The dense tensor back from sparse.pack's bytes, in the array type of its dtype (Uint16Array for float16 and
   * bfloat16), written into `out` when given. Throws TRUNCATED, CORRUPT (a mask that disagrees with the values, CSR
   * columns out of range or not ascending, a non-zero count that does not match) or LIMIT (past maxOutputSize).
   * @example
   * const weights = sparse.unpack(bytes) as Float32Array;
   */
  unpack(bytes: Uint8Array, out?: SparseArray, options?: SparseUnpackOptions): SparseArray;
  /**
   * The header of sparse.pack's bytes: format, dtype, shape, non-zero count, size.
   * @example
   * sparse.describe(bytes); // { format: 'bitmask', dtype: 'float32', shape: [768, 768], nnz: 176947, packedBytes: 781593 }
   */
  describe(bytes: Uint8Array): SparseInfo;
  /**
   * A copy of float32 weights with the smallest magnitudes set to zero: `{ sparsity: 0.7 }` zeroes
   * round(0.7·n) elements (the lower index first among equal magnitudes), `{ threshold: 1e-3 }` zeroes every
   * |x| < float32(1e-3), `{ pattern: '2:4' }` keeps the 2 largest of each 4 consecutive elements (n a multiple of 4).
   * @example
   * sparse.prune(new Float32Array([0.1, -3, 0.02, 2]), { sparsity: 0.5 }); // Float32Array [0, -3, 0, 2]
   */
  prune(data: Float32Array, options: PruneOptions): Float32Array;
}

export function bindSparse(kernels: () => Kernels): Sparse {
  return {
    pack: (data, options) => pack(kernels(), data, options),
    unpack: (bytes, out, options) => unpack(kernels(), bytes, out, options),
    describe: (bytes) => describe(bytes),
    prune: (data, options) => prune(data, options),
  };
}
