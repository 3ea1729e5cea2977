// Values that come from a file (names, dtypes, JSON): looked up, counted and quoted without trusting them — a name
// like "__proto__" or "constructor" must not reach Object.prototype, and a value nested a million deep must not be
// walked by String() or JSON.stringify inside an error message.
import { TensorzipError } from '../errors';

/** Tensors larger than this many elements are refused (LIMIT): JS arrays of 2^31 elements and more are not portable. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** table[key] when key is one of the table's own string keys, else undefined (never an inherited property). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** An empty object without a prototype: any string can be a key of it, "__proto__" included. */
export const nullObject = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** A short, bounded description of any value for an error message (≤ 60 characters; never recurses). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.slice(0, 40)); // escapes can make 40 characters six times longer
    return value.length > 40 || shown.length > 60 ? `${shown.slice(0, 58)}…` : shown;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/**
 * Elements of a shape whose dimensions are already known to be non-negative safe integers; LIMIT over
 * MAX_TENSOR_ELEMENTS (checked as it multiplies, so no product overflows unnoticed).
 */
export function elementCount(shape: readonly number[], what: string): number {
  if (shape.includes(0)) return 0;
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) throw new TensorzipError('LIMIT', `${what} has more than ${MAX_TENSOR_ELEMENTS} elements`);
  }
  return count;
}
