// Compressed sparse rows for a rows × cols matrix of 1-, 2- or 4-byte elements, delta-coded:
//   row counts    `rows` unsigned LEB128 numbers (non-zeros per row, each ≤ cols)
//   values        nnz elements, row by row (nnz = the sum of the row counts)
//   column steps  nnz unsigned LEB128 numbers: column − previous column in the row (−1 before the first), so ≥ 1
// Unpack checks every number before it writes: a row count past cols, a step of 0 (columns not ascending), a column
// past the row, a number over 32 bits, missing or extra bytes. "Zero" is all bits zero, as in the bitmask format.

import { STATUS_ARGUMENT, STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { copyElement, isNonZero, validWidth } from './sparse_elements';

/** Writes `value` as LEB128 at `p` when it fits before `end`; returns the next position, or 0 when it does not fit. */
function writeVarint(p: usize, end: usize, value: u32): usize {
  while (value >= 0x80) {
    if (p >= end) return 0;
    store<u8>(p++, <u8>(value | 0x80));
    value >>= 7;
  }
  if (p >= end) return 0;
  store<u8>(p++, <u8>value);
  return p;
}

/** Where readVarint left off, and the number it read. */
let cursor: usize = 0;
let number: u32 = 0;

/** Reads one LEB128 number at `p` (at most 5 bytes, at most 32 bits) into `number`/`cursor`; returns a status. */
function readVarint(p: usize, end: usize): i32 {
  let value: u64 = 0;
  for (let shift: u64 = 0; shift < 35; shift += 7) {
    if (p >= end) return STATUS_TRUNCATED;
    const byte = <u64>load<u8>(p++);
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      if (value > <u64>u32.MAX_VALUE) return STATUS_CORRUPT;
      number = <u32>value;
      cursor = p;
      return 0;
    }
  }
  return STATUS_CORRUPT;
}

/** Packs a dense rows × cols matrix at `src` into `dst`; returns the bytes written. */
export function csrPack(src: usize, rows: usize, cols: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  const end = dst + dstCap;
  let p = dst;
  for (let r: usize = 0; r < rows; r++) {
    let nnz: u32 = 0;
    const row = src + r * cols * width;
    for (let c: usize = 0; c < cols; c++) nnz += <u32>isNonZero(row + c * width, width);
    p = writeVarint(p, end, nnz);
    if (p == 0) return STATUS_OUTPUT_FULL;
  }
  let values = p;
  const nnzTotal = <usize>countAll(src, rows * cols, width);
  let steps = values + nnzTotal * width;
  if (steps > end) return STATUS_OUTPUT_FULL;
  for (let r: usize = 0; r < rows; r++) {
    const row = src + r * cols * width;
    let previous: isize = -1;
    for (let c: usize = 0; c < cols; c++) {
      if (!isNonZero(row + c * width, width)) continue;
      copyElement(values, row + c * width, width);
      values += width;
      steps = writeVarint(steps, end, <u32>(<isize>c - previous));
      if (steps == 0) return STATUS_OUTPUT_FULL;
      previous = <isize>c;
    }
  }
  return <i32>(steps - dst);
}

function countAll(src: usize, count: usize, width: usize): usize {
  let nnz: usize = 0;
  for (let i: usize = 0; i < count; i++) nnz += <usize>isNonZero(src + i * width, width);
  return nnz;
}

/** Unpacks `srcLen` bytes of CSR at `src` into a dense rows × cols matrix at `dst`; returns rows × cols. */
export function csrUnpack(src: usize, srcLen: usize, rows: usize, cols: usize, width: usize, dst: usize, dstCap: usize): i32 {
  if (!validWidth(width)) return STATUS_ARGUMENT;
  const count = <u64>rows * cols;
  if (count > <u64>dstCap || count * width > <u64>i32.MAX_VALUE) return STATUS_OUTPUT_FULL;
  const end = src + srcLen;
  // First pass: validate everything, so bad input writes nothing.
  let p = src;
  let nnz: u64 = 0;
  for (let r: usize = 0; r < rows; r++) {
    const status = readVarint(p, end);
    if (status < 0) return status;
    if (<usize>number > cols) return STATUS_CORRUPT;
    nnz += number;
    p = cursor;
  }
  const values = p;
  if (<u64>(end - values) < nnz * width) return STATUS_TRUNCATED;
  const steps = values + <usize>nnz * width;
  p = steps;
  let q = src;
  for (let r: usize = 0; r < rows; r++) {
    readVarint(q, values);
    q = cursor;
    let column: i64 = -1;
    for (let k: u32 = 0, n = number; k < n; k++) {
      const status = readVarint(p, end);
      if (status < 0) return status;
      if (number == 0) return STATUS_CORRUPT; // columns must ascend
      column += number;
      if (column >= <i64>cols) return STATUS_CORRUPT;
      p = cursor;
    }
  }
  if (p != end) return STATUS_CORRUPT;
  // Second pass: scatter.
  memory.fill(dst, 0, <usize>count * width);
  let value = values;
  p = steps;
  q = src;
  for (let r: usize = 0; r < rows; r++) {
    readVarint(q, values);
    q = cursor;
    const row = dst + r * cols * width;
    let column: usize = -1;
    for (let k: u32 = 0, n = number; k < n; k++) {
      readVarint(p, end);
      p = cursor;
      column += number;
      copyElement(row + column * width, value, width);
      value += width;
    }
  }
  return <i32>count;
}
