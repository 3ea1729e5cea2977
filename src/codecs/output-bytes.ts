// Where every byte array tensorzip returns is allocated.
import { TensorzipError } from '../errors';
import type { Kernels } from '../wasm/kernels';

interface NodeBuffer {
  allocUnsafeSlow(length: number): Uint8Array;
}

/** Below this size a zero-filled array is cheaper than Node's unfilled one (measured: 32 B 0.03 vs 0.9 µs; the two
 *  meet near 4 KiB; 1 MiB 142 vs 21 µs). */
const UNFILLED_FROM = 4096;

/**
 * A new Uint8Array of `length` bytes, owning its whole ArrayBuffer, that the caller fills completely before anyone
 * else sees it. Under Node, from 4 KiB up, it comes from Buffer.allocUnsafeSlow, which skips the zero fill the caller
 * would overwrite anyway (measured on a 755 KB LZ4 decode: 329 → 299 µs); otherwise it is an ordinary new
 * Uint8Array. Either way the caller gets a plain Uint8Array, never a Buffer or a view into a shared pool.
 */
export function allocateForOverwrite(length: number): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: Partial<NodeBuffer> }).Buffer;
  if (length >= UNFILLED_FROM && typeof nodeBuffer?.allocUnsafeSlow === 'function') {
    return allocating(length, () => new Uint8Array(nodeBuffer.allocUnsafeSlow!(length).buffer, 0, length));
  }
  return allocating(length, () => new Uint8Array(length));
}

/** A new array of `length` elements of `type`, owning its whole ArrayBuffer, that the caller fills completely: from
 *  4 KiB up allocateForOverwrite's bytes, below an ordinary array (one object, not a view of a byte array). */
export function newArrayForOverwrite<T extends ArrayBufferView>(type: { new (length: number): T; new (buffer: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number }, length: number): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  return bytes >= UNFILLED_FROM ? new type(allocateForOverwrite(bytes).buffer, 0, length) : newArray(type, length);
}

/** A new zero-filled array of `length` elements of `type`. */
export function newArray<T extends ArrayBufferView>(type: { new (length: number): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return allocating(length * type.BYTES_PER_ELEMENT, () => new type(length));
}

/** `allocate()`, with the RangeError of a runtime that cannot allocate `bytes` turned into LIMIT. */
export function allocating<T>(bytes: number, allocate: () => T): T {
  try {
    return allocate();
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause;
    throw new TensorzipError('LIMIT', `could not allocate ${bytes} bytes for the result`, { cause });
  }
}

/** A copy of `bytes` in a new array of exactly its length. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = allocateForOverwrite(bytes.length);
  copy.set(bytes);
  return copy;
}

/** A new Float32Array for a decoder's result, filled completely by the caller: retained in the kernels' memory when
 *  they keep results (an arena's), otherwise as allocateForOverwrite gives it. */
export function newFloat32Result(kernels: Kernels, length: number): Float32Array {
  if (kernels.keepsResults) return new Float32Array(kernels.exports.memory.buffer, kernels.retain(length * 4), length);
  return newArrayForOverwrite(Float32Array, length);
}
