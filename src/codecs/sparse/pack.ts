// sparse.pack: the header (header.ts) and the payload of the chosen format, made by its kernel.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import type { Kernels } from '../../wasm/kernels';
import { allocateForOverwrite } from '../output-bytes';
import { checkShape } from '../shape';
import { bytesOf, dtypeOf, matrixOf } from './elements';
import { DTYPE_WIDTH, FORMATS, headerBytes, MAX_RANK, writeHeader } from './header';
import type { SparseArray, SparseFormat, SparsePackOptions } from './types';

const MAX_ELEMENTS = 2 ** 32 - 1;

export function pack(kernels: Kernels, data: SparseArray, options: SparsePackOptions = {}): Uint8Array {
  const dtype = dtypeOf(data, options.dtype, 'sparse.pack data');
  const width = DTYPE_WIDTH[dtype];
  const count = data.length;
  const shape = options.shape === undefined ? [count] : checkShape(options.shape, 'sparse.pack shape', count);
  if (shape.length > MAX_RANK || shape.some((d) => d > MAX_ELEMENTS) || count > MAX_ELEMENTS) {
    throw new TensorzipError('ARGUMENT', `sparse.pack: a shape of rank ≤ ${MAX_RANK} and at most ${MAX_ELEMENTS} elements, found [${shape.join(', ')}]`);
  }
  const requested = options.format ?? 'auto';
  if (requested !== 'auto' && !FORMATS.includes(requested)) {
    throw new TensorzipError('ARGUMENT', `sparse.pack format: expected 'auto', ${FORMATS.map((f) => `'${f}'`).join(', ')}, found ${describeValue(requested)}`);
  }
  if (requested === '2:4' && count % 4 !== 0) {
    throw new TensorzipError('ARGUMENT', `sparse.pack: the 2:4 format needs a multiple of 4 elements, found ${count}`);
  }
  const { rows, cols } = matrixOf(shape, count);
  const k = kernels.exports;
  kernels.reset();
  try {
    const src = kernels.alloc(count * width);
    kernels.heap.set(bytesOf(data), src);
    const nnz = k.countNonZero(src, count, width);
    const bitmaskBytes = Math.ceil(count / 8) + nnz * width;

    const run = (format: SparseFormat): { at: number; length: number } => {
      if (format === 'dense') return { at: src, length: count * width };
      // Capacities: exact for bitmask and 2:4; for CSR at most 5 bytes per LEB128 number.
      const cap = format === 'bitmask' ? bitmaskBytes
        : format === '2:4' ? Math.ceil(count / 8) + (count / 2) * width
        : rows * 5 + nnz * (width + 5);
      const at = kernels.alloc(cap);
      const written = format === 'bitmask' ? k.bitmaskPack(src, count, width, at, cap)
        : format === '2:4' ? k.pack24(src, count, width, at, cap)
        : k.csrPack(src, rows, cols, width, at, cap);
      if (written < 0) {
        if (format === '2:4') {
          throw new TensorzipError('ARGUMENT', "sparse.pack: the data is not 2:4 sparse (a group of 4 holds more than 2 non-zeros); prune it first with sparse.prune(data, { pattern: '2:4' })");
        }
        throw new TensorzipError('ARGUMENT', `sparse.pack: the ${format} kernel refused its arguments (status ${written})`);
      }
      return { at, length: written };
    };

    let format: SparseFormat = requested === 'auto' ? (bitmaskBytes < count * width ? 'bitmask' : 'dense') : requested;
    let payload = run(format);
    // CSR takes at least one byte per row and per column step: try it only when that could beat the best so far.
    if (requested === 'auto' && rows + nnz * (width + 1) < payload.length) {
      const csr = run('csr');
      if (csr.length < payload.length) {
        format = 'csr';
        payload = csr;
      }
    }

    const output = allocateForOverwrite(headerBytes(shape.length) + payload.length);
    writeHeader(output, { format, dtype, shape, nnz });
    output.set(kernels.heap.subarray(payload.at, payload.at + payload.length), headerBytes(shape.length));
    return output;
  } finally {
    kernels.reset();
  }
}
