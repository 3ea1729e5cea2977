// Public types of the sparse codecs.

/** Element types sparse packing takes. float16 and bfloat16 travel as Uint16Array (their raw bits). */
export type SparseDtype = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32';

/** Arrays sparse packing takes and returns. */
export type SparseArray = Float32Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array;

/** How the non-zeros are stored: all elements (`dense`), a bit per element + the non-zeros (`bitmask`), compressed
 *  sparse rows (`csr`), or 2 of every 4 elements with their positions (`2:4`). */
export type SparseFormat = 'dense' | 'bitmask' | 'csr' | '2:4';

export interface SparsePackOptions {
  /** The tensor's shape (default: [length]). CSR uses rows = shape[0] and columns = the rest. */
  shape?: readonly number[];
  /** Default 'auto': the smallest of dense, bitmask and CSR. '2:4' needs every group of 4 to hold ≤ 2 non-zeros. */
  format?: SparseFormat | 'auto';
  /** What a Uint16Array holds: 'float16', 'bfloat16' or (default) 'uint16'. Other arrays name their own type. */
  dtype?: SparseDtype;
}

export interface SparseUnpackOptions {
  /** Refuse (LIMIT) a tensor of more bytes than this. Default 256 MiB (DEFAULT_MAX_OUTPUT_SIZE). Every count in the
   *  header is checked against the payload before the output is allocated. CSR, whose rows of zeros take a byte each
   *  whatever their length, defaults to at most 4 MiB + 1024 bytes per input byte: pass `maxOutputSize` to decode a
   *  sparser matrix. */
  maxOutputSize?: number;
}

/** What a packed tensor holds, read from its header. */
export interface SparseInfo {
  format: SparseFormat;
  dtype: SparseDtype;
  shape: number[];
  /** Elements that are not zero (all bits zero; −0.0 and NaN count as non-zero). */
  nnz: number;
  /** Bytes of the packed form, header included. */
  packedBytes: number;
}

/** Which elements sparse.prune sets to zero: a share of the smallest magnitudes, everything below a magnitude, or
 *  all but the 2 largest of each group of 4. */
export type PruneOptions = { sparsity: number } | { threshold: number } | { pattern: '2:4' };
