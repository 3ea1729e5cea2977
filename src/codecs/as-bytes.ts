import { TensorzipError } from '../errors';
import { describeValue } from './describe-value';

/** Views any byte source (Uint8Array, other TypedArray or DataView, ArrayBuffer) as a Uint8Array without copying. */
export function asBytes(data: unknown, what: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const found = data === null ? 'null' : typeof data === 'object' ? data.constructor?.name ?? 'object' : typeof data;
  throw new TensorzipError('ARGUMENT', `${what}: expected a Uint8Array (or another ArrayBufferView / ArrayBuffer), found ${found}`);
}

/** Checks that `value` is an integer in [min, max] and returns it. */
export function integerOption(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TensorzipError('ARGUMENT', `${name}: expected an integer from ${min} to ${max}, found ${describeValue(value)}`);
  }
  return value;
}
