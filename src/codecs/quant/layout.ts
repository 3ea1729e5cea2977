// Which scale each element of a tensor uses, in the terms of assembly/affine.ts: the tensor viewed as
// [outer, axisLength, inner]; element (o, a, i) takes parameter o·outerStride + ⌊a / blockSize⌋·axisStride +
// i·innerStride.
import { TensorzipError } from '../../errors';
import { describeValue } from '../describe-value';
import { product } from '../shape';

export interface AffineLayout {
  outer: number;
  axisLength: number;
  inner: number;
  blockSize: number;
  outerStride: number;
  axisStride: number;
  innerStride: number;
  paramCount: number;
  /** The shape of the scale tensor (ONNX: scalar, 1-D per axis, or the tensor's shape with the axis blocked). */
  paramShape: number[];
  /** As the user sees it: the normalized axis, or null per tensor; the block size, or null when not blocked. */
  axis: number | null;
  block: number | null;
}

/** The layout of per-tensor (no axis), per-axis (axis) or blocked (axis and blockSize) parameters. */
export function affineLayout(shape: readonly number[], axis: number | undefined, blockSize: number | undefined): AffineLayout {
  const size = product(shape);
  if (axis === undefined && blockSize === undefined) {
    return { outer: 1, axisLength: 1, inner: size, blockSize: 1, outerStride: 0, axisStride: 0, innerStride: 0,
      paramCount: 1, paramShape: [], axis: null, block: null };
  }
  const rank = shape.length;
  const at = axis ?? rank - 1;
  if (!Number.isInteger(at) || at < -rank || at >= rank) {
    throw new TensorzipError('ARGUMENT', `axis ${describeValue(axis ?? at)} is out of range for a tensor of rank ${rank}`);
  }
  const k = at < 0 ? at + rank : at;
  const outer = product(shape.slice(0, k));
  const axisLength = shape[k];
  const inner = product(shape.slice(k + 1));
  if (blockSize === undefined) {
    if (inner === 1) {
      // Per-axis on the innermost axis: each row of the tensor takes the whole scale vector, element by element.
      return { outer, axisLength: 1, inner: axisLength, blockSize: 1, outerStride: 0, axisStride: 0, innerStride: 1,
        paramCount: axisLength, paramShape: [axisLength], axis: k, block: null };
    }
    return { outer, axisLength, inner, blockSize: 1, outerStride: 0, axisStride: 1, innerStride: 0,
      paramCount: axisLength, paramShape: [axisLength], axis: k, block: null };
  }
  if (!Number.isSafeInteger(blockSize) || blockSize < 1 || axisLength % blockSize !== 0) {
    throw new TensorzipError('ARGUMENT', `blockSize ${describeValue(blockSize)} does not divide dimension ${k} (${axisLength})`);
  }
  const blocks = axisLength / blockSize;
  const paramShape = [...shape];
  paramShape[k] = blocks;
  return { outer, axisLength, inner, blockSize, outerStride: blocks * inner, axisStride: inner, innerStride: 1,
    paramCount: outer * blocks * inner, paramShape, axis: k, block: blockSize };
}

/** The (o, a, i) coordinates of element `e`. */
export function position(layout: AffineLayout, e: number): [number, number, number] {
  const row = Math.floor(e / layout.inner);
  return [Math.floor(row / layout.axisLength), row % layout.axisLength, e % layout.inner];
}

function paramIndex(layout: AffineLayout, o: number, a: number, i: number): number {
  return o * layout.outerStride + Math.floor(a / layout.blockSize) * layout.axisStride + i * layout.innerStride;
}

/** The parameters elements [start, start + count) use, as a range [lo, hi) of parameter indices (count > 0). */
export function paramRange(layout: AffineLayout, start: number, count: number): [number, number] {
  const [o0, a0, i0] = position(layout, start);
  const [o1, a1, i1] = position(layout, start + count - 1);
  if (layout.outerStride === 0 && o1 !== o0) return [0, layout.paramCount];
  // Indices grow with (o, ⌊a / blockSize⌋) and, within one of those, with i; rows in between take every i.
  const oneRow = o0 === o1 && a0 === a1;
  return [paramIndex(layout, o0, a0, oneRow ? i0 : 0), paramIndex(layout, o1, a1, oneRow ? i1 : layout.inner - 1) + 1];
}

/** Calls visit(element, param) for every element in order (for scans in JavaScript). */
export function forEachParam(layout: AffineLayout, visit: (e: number, p: number) => void): void {
  let e = 0;
  for (let o = 0; o < layout.outer; o++) {
    for (let a = 0; a < layout.axisLength; a++) {
      const base = paramIndex(layout, o, a, 0);
      for (let i = 0; i < layout.inner; i++) visit(e++, base + i * layout.innerStride);
    }
  }
}
