// The payload a sparse header promises, checked against the bytes there before anything is allocated. The most
// output one payload byte can stand for (the maximum expansion), from each layout:
//   dense    1 (the elements themselves);
//   bitmask  8 elements per mask byte, so 8 × width bytes;
//   2:4      under 2 (a group of 4 elements keeps 2 values and half a position byte);
//   csr      unbounded: a row of zeros is one byte whatever its length.
// Dense, bitmask and 2:4 payloads have sizes fixed by the header. CSR's row counts and column steps are read and
// checked here (as assembly/sparse_csr.ts reads them), so that only a valid CSR payload may ask for a large output
// (up to maxOutputSize).
import { TensorzipError } from '../../errors';
import type { SparseHeader } from './header';

const truncated = (message: string) => new TensorzipError('TRUNCATED', `sparse.unpack: ${message}`);
const corrupt = (message: string) => new TensorzipError('CORRUPT', `sparse.unpack: ${message}`);

/** Checks that `payload` is what `header` describes (count elements of `width` bytes, header.nnz non-zeros). */
export function checkPayloadSize(header: SparseHeader, payload: Uint8Array, count: number, width: number, rows: number, cols: number): void {
  const { format, nnz } = header;
  if (format === 'csr') return checkCsr(payload, rows, cols, width, nnz);
  const expected = format === 'dense' ? count * width
    : format === 'bitmask' ? Math.ceil(count / 8) + nnz * width
    : Math.ceil(count / 8) + (count / 2) * width; // 2:4: half a position byte and 2 values per group of 4
  if (payload.length < expected) throw truncated(`the ${format} payload of ${count} elements (${nnz} non-zero) takes ${expected} bytes, found ${payload.length}`);
  if (payload.length > expected) throw corrupt(`${payload.length - expected} bytes past the ${format} payload of ${count} elements`);
}

/** Row counts (LEB128, each ≤ cols, summing to nnz), nnz values, then per row ascending column steps ending inside
 *  the row, and nothing after. */
function checkCsr(payload: Uint8Array, rows: number, cols: number, width: number, nnz: number): void {
  if (payload.length < rows + nnz * (width + 1)) throw truncated(`a ${rows}-row CSR payload with ${nnz} non-zeros takes at least ${rows + nnz * (width + 1)} bytes, found ${payload.length}`);
  let p = 0;
  const read = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= payload.length) throw truncated('the CSR payload ends inside a number');
      const byte = payload[p++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0xffffffff) throw corrupt('a CSR number is over 32 bits');
        return value;
      }
    }
    throw corrupt('a CSR number is over 32 bits');
  };
  const counts: number[] = [];
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const n = read();
    if (n > cols) throw corrupt(`row ${r} has ${n} non-zeros in ${cols} columns`);
    counts.push(n);
    total += n;
  }
  if (total !== nnz) throw corrupt(`the header declares ${nnz} non-zeros, the row counts add up to ${total}`);
  p += nnz * width;
  for (let r = 0; r < rows; r++) {
    let column = -1;
    for (let k = 0; k < counts[r]; k++) {
      const step = read();
      column += step;
      if (step === 0 || column >= cols) throw corrupt(`row ${r}: a column step is 0 or passes the last column`);
    }
  }
  if (p !== payload.length) throw corrupt(`${payload.length - p} bytes past the CSR payload`);
}
