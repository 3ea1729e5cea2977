// sparse.unpack and sparse.describe: the header is checked against its limits before any memory is taken, the
// payload by its kernel before anything is written, and the non-zero count against the header afterwards (for a
// bitmask, the values its set bits select).
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { Kernels } from '../../wasm/kernels';
import { asBytes } from '../as-bytes';
import { DEFAULT_MAX_OUTPUT_SIZE, MAX_OUTPUT_SIZE } from '../lz4/limits';
import { product } from '../shape';
import { ARRAY_TYPE, matrixOf } from './elements';
import { DTYPE_WIDTH, readHeader, type SparseHeader } from './header';
import { checkPayloadSize } from './payload-size';
import { newArray } from '../output-bytes';
import type { SparseArray, SparseInfo, SparseUnpackOptions } from './types';

export function describe(bytes: Uint8Array): SparseInfo {
  const input = asBytes(bytes, 'sparse.describe bytes');
  const { format, dtype, shape, nnz } = readHeader(input);
  return { format, dtype, shape, nnz, packedBytes: input.length };
}

/** Without the caller's maxOutputSize, a CSR tensor may decode to at most 4 MiB plus this many bytes per input byte:
 *  enough for weights pruned to 99.9% (a non-zero costs ~5 bytes and stands for ~4,000), while a few hostile bytes
 *  cannot ask for the full default limit. CSR is the one layout whose rows of zeros cost a byte whatever their length. */
const CSR_DEFAULT_EXPANSION = 1024;

function checkLimits(header: SparseHeader, inputBytes: number, options: SparseUnpackOptions): number {
  const limit = options.maxOutputSize
    ?? (header.format === 'csr' ? Math.min(DEFAULT_MAX_OUTPUT_SIZE, (4 << 20) + CSR_DEFAULT_EXPANSION * inputBytes) : DEFAULT_MAX_OUTPUT_SIZE);
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_OUTPUT_SIZE) {
    throw new TensorzipError('ARGUMENT', `sparse.unpack maxOutputSize: expected an integer from 0 to ${MAX_OUTPUT_SIZE}, found ${describeValue(limit)}`);
  }
  const count = product(header.shape);
  const bytes = count * DTYPE_WIDTH[header.dtype];
  if (bytes > limit) {
    throw new TensorzipError('LIMIT', `sparse.unpack: the tensor [${header.shape.join(', ')}] of ${header.dtype} takes ${bytes} bytes, over maxOutputSize (${limit}${options.maxOutputSize === undefined ? ', the default' : ''})`);
  }
  if (header.nnz > count) throw new TensorzipError('CORRUPT', `sparse.unpack: ${header.nnz} non-zeros declared in ${count} elements`, { offset: 8 });
  if (header.format === '2:4' && count % 4 !== 0) throw new TensorzipError('CORRUPT', `sparse.unpack: a 2:4 tensor of ${count} elements (not a multiple of 4)`);
  return count;
}

function kernelError(status: number, format: string): TensorzipError {
  if (status === KERNEL_STATUS.TRUNCATED) return new TensorzipError('TRUNCATED', `sparse.unpack: the ${format} payload ends early`);
  if (status === KERNEL_STATUS.CORRUPT) {
    const why = format === 'bitmask' ? 'the mask does not match the values (popcount vs value count, or bits set past the end)'
      : format === 'csr' ? 'a row count, column step or column index is out of range or not ascending, or bytes are left over'
      : 'a position pair is not two ascending indices in 0..3';
    return new TensorzipError('CORRUPT', `sparse.unpack: ${why}`);
  }
  return new TensorzipError('ARGUMENT', `sparse.unpack: the ${format} kernel refused its arguments (status ${status})`);
}

export function unpack(kernels: Kernels, bytes: Uint8Array, out?: SparseArray, options: SparseUnpackOptions = {}): SparseArray {
  const input = asBytes(bytes, 'sparse.unpack bytes');
  const header = readHeader(input);
  const count = checkLimits(header, input.length, options);
  const width = DTYPE_WIDTH[header.dtype];
  const type = ARRAY_TYPE[header.dtype];
  if (out !== undefined && (!(out instanceof type) || out.length !== count)) {
    throw new TensorzipError('ARGUMENT', `sparse.unpack out: expected a ${type.name} of ${count} elements for ${header.dtype} [${header.shape.join(', ')}], found ${(out as object)?.constructor?.name} of ${(out as SparseArray)?.length}`);
  }
  const payload = input.subarray(header.payloadOffset);
  const { rows, cols } = matrixOf(header.shape, count);
  checkPayloadSize(header, payload, count, width, rows, cols);
  const output = out ?? newArray(type, count);
  const outputBytes = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  kernels.reset();
  try {
    const nnz = header.format === 'bitmask'
      ? expandBitmask(kernels, payload, count, width, outputBytes)
      : unpackWhole(kernels, header, payload, count, width, outputBytes);
    if (nnz !== header.nnz) throw new TensorzipError('CORRUPT', `sparse.unpack: the header declares ${header.nnz} non-zeros, the payload holds ${nnz}`);
    return output;
  } finally {
    kernels.reset();
  }
}

/** Elements per piece of a bitmask expansion: 256 KiB of float32, so each piece's output is still in L2 when it is
 *  counted and copied out (measured at 64 MiB: 1 Mi-element pieces 4.0 GB/s, 64 Ki 5.0). */
const PIECE = 65_536;

/** Expands mask + values a piece at a time into `output`; returns the number of values the mask selects (its
 *  popcount). WebAssembly memory holds the mask and one piece's values and output: each value is copied in just
 *  before it is used. A value stored as zero under a set bit decodes as the zero it is; the writer never stores one. */
function expandBitmask(kernels: Kernels, payload: Uint8Array, count: number, width: number, output: Uint8Array): number {
  const k = kernels.exports;
  const maskBytes = Math.ceil(count / 8);
  const piece = Math.min(count, PIECE);
  const mask = kernels.alloc(maskBytes);
  const values = kernels.alloc(piece * width);
  const dst = kernels.alloc(piece * width);
  kernels.heap.set(payload.subarray(0, maskBytes), mask);
  let next = maskBytes; // the next value's offset in the payload
  let nnz = 0;
  for (let first = 0; first < count; first += PIECE) {
    const n = Math.min(PIECE, count - first);
    const wanted = k.maskPopcount(mask + first / 8, Math.ceil(n / 8)) * width;
    const available = Math.min(wanted, payload.length - next);
    kernels.heap.set(payload.subarray(next, next + available), values);
    const used = k.bitmaskExpand(mask + first / 8, n, values, Math.floor(available / width), width, dst, n);
    if (used < 0) throw kernelError(used, 'bitmask');
    next += used * width;
    nnz += used;
    output.set(kernels.heap.subarray(dst, dst + n * width), first * width);
  }
  if (next !== payload.length) throw new TensorzipError('CORRUPT', `sparse.unpack: ${payload.length - next} bytes past the values the mask selects`);
  return nnz;
}

/** Unpacks the other formats in one kernel call; returns the non-zero count. */
function unpackWhole(kernels: Kernels, header: SparseHeader, payload: Uint8Array, count: number, width: number, output: Uint8Array): number {
  const k = kernels.exports;
  const src = kernels.alloc(payload.length);
  const dst = kernels.alloc(count * width);
  kernels.heap.set(payload, src);
  let status: number;
  if (header.format === 'dense') {
    kernels.heap.copyWithin(dst, src, src + payload.length);
    status = count;
  } else if (header.format === 'csr') {
    const { rows, cols } = matrixOf(header.shape, count);
    status = k.csrUnpack(src, payload.length, rows, cols, width, dst, count);
  } else {
    status = k.unpack24(src, payload.length, count, width, dst, count);
  }
  if (status < 0) throw kernelError(status, header.format);
  output.set(kernels.heap.subarray(dst, dst + count * width));
  return k.countNonZero(dst, count, width);
}
