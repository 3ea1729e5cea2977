// The self-describing header of sparse.pack's output (version 1), little-endian:
//   0  4 bytes  magic "TZSP"
//   4  u8       version (1)
//   5  u8       format: 0 dense, 1 bitmask, 2 csr, 3 2:4
//   6  u8       dtype: 1 float32, 2 float16, 3 bfloat16, 4 int8, 5 uint8, 6 int16, 7 uint16, 8 int32, 9 uint32
//   7  u8       rank (≤ 32)
//   8  u32      nnz: elements that are not zero
//  12  u32      dims[rank]
// then the payload, in the layout of its format's kernel (assembly/sparse_*.ts; dense: the elements).
import { TensorzipError } from '../../errors';
import type { SparseDtype, SparseFormat } from './types';

const MAGIC = [0x54, 0x5a, 0x53, 0x50];
const VERSION = 1;
export const MAX_RANK = 32;
export const FORMATS: readonly SparseFormat[] = ['dense', 'bitmask', 'csr', '2:4'];
export const DTYPES: readonly SparseDtype[] = ['float32', 'float16', 'bfloat16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32'];

export const DTYPE_WIDTH: Record<SparseDtype, number> = {
  float32: 4, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4,
};

export interface SparseHeader {
  format: SparseFormat;
  dtype: SparseDtype;
  shape: number[];
  nnz: number;
  /** Where the payload starts. */
  payloadOffset: number;
}

export function headerBytes(rank: number): number {
  return 12 + 4 * rank;
}

export function writeHeader(target: Uint8Array, header: Omit<SparseHeader, 'payloadOffset'>): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  target.set(MAGIC, 0);
  view.setUint8(4, VERSION);
  view.setUint8(5, FORMATS.indexOf(header.format));
  view.setUint8(6, DTYPES.indexOf(header.dtype) + 1);
  view.setUint8(7, header.shape.length);
  view.setUint32(8, header.nnz, true);
  header.shape.forEach((d, i) => view.setUint32(12 + 4 * i, d, true));
}

export function readHeader(bytes: Uint8Array): SparseHeader {
  if (bytes.length < 12) throw new TensorzipError('TRUNCATED', `sparse.unpack: expected a header of at least 12 bytes, found ${bytes.length} bytes`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TensorzipError('CORRUPT', `sparse.unpack: expected the magic "TZSP", found ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, { offset: 0 });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== VERSION) throw new TensorzipError('UNSUPPORTED', `sparse.unpack: format version ${version} (this version reads ${VERSION})`, { offset: 4 });
  const format = FORMATS[view.getUint8(5)];
  if (format === undefined) throw new TensorzipError('CORRUPT', `sparse.unpack: unknown format id ${view.getUint8(5)}`, { offset: 5 });
  const dtype = DTYPES[view.getUint8(6) - 1];
  if (dtype === undefined) throw new TensorzipError('CORRUPT', `sparse.unpack: unknown dtype id ${view.getUint8(6)}`, { offset: 6 });
  const rank = view.getUint8(7);
  if (rank > MAX_RANK) throw new TensorzipError('CORRUPT', `sparse.unpack: rank ${rank} is over the limit of ${MAX_RANK}`, { offset: 7 });
  const payloadOffset = headerBytes(rank);
  if (bytes.length < payloadOffset) throw new TensorzipError('TRUNCATED', `sparse.unpack: expected ${payloadOffset} header bytes for rank ${rank}, found ${bytes.length}`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(12 + 4 * i, true));
  return { format, dtype, shape, nnz: view.getUint32(8, true), payloadOffset };
}
