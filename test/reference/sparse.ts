// Readable references for the sparse payload layouts (assembly/sparse_*.ts headers), over arrays of element bit
// patterns (numbers); "zero" is the bit pattern 0.

function varint(value: number): number[] {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return out;
}

function elementBytes(value: number, width: number): number[] {
  return Array.from({ length: width }, (_, b) => Math.floor(value / 2 ** (8 * b)) % 256);
}

/** ⌈n/8⌉ mask bytes (bit i%8 of byte ⌊i/8⌋ ⇔ element i ≠ 0), then the non-zero elements. */
export function referenceBitmask(bits: number[], width: number): Uint8Array {
  const mask = new Array<number>(Math.ceil(bits.length / 8)).fill(0);
  const values: number[] = [];
  bits.forEach((v, i) => {
    if (v !== 0) {
      mask[i >> 3] |= 1 << (i & 7);
      values.push(...elementBytes(v, width));
    }
  });
  return Uint8Array.from([...mask, ...values]);
}

/** Row counts (LEB128), values row by row, column steps (LEB128, column − previous column, −1 before the first). */
export function referenceCsr(bits: number[], rows: number, cols: number, width: number): Uint8Array {
  const counts: number[] = [];
  const values: number[] = [];
  const steps: number[] = [];
  for (let r = 0; r < rows; r++) {
    let count = 0;
    let previous = -1;
    for (let c = 0; c < cols; c++) {
      const v = bits[r * cols + c];
      if (v === 0) continue;
      count++;
      values.push(...elementBytes(v, width));
      steps.push(...varint(c - previous));
      previous = c;
    }
    counts.push(...varint(count));
  }
  return Uint8Array.from([...counts, ...values, ...steps]);
}

/** Per group of 4: a nibble i0 | i1 << 2 (the non-zeros' indices, topped up with the lowest free ones), then the two
 *  elements. */
export function referenceTwoOfFour(bits: number[], width: number): Uint8Array {
  const groups = bits.length / 4;
  const positions = new Array<number>(Math.ceil(groups / 2)).fill(0);
  const values: number[] = [];
  for (let g = 0; g < groups; g++) {
    const kept = [0, 1, 2, 3].filter((i) => bits[4 * g + i] !== 0);
    for (let i = 0; kept.length < 2; i++) if (!kept.includes(i)) kept.push(i);
    kept.sort((a, b) => a - b);
    positions[g >> 1] |= (kept[0] | (kept[1] << 2)) << (4 * (g & 1));
    for (const i of kept) values.push(...elementBytes(bits[4 * g + i], width));
  }
  return Uint8Array.from([...positions, ...values]);
}
