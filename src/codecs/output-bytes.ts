// Where every byte array tensorzip returns is allocated.

interface NodeBuffer {
  allocUnsafeSlow(length: number): Uint8Array;
}

/**
 * A new Uint8Array of `length` bytes, owning its whole ArrayBuffer, that the caller fills completely before anyone
 * else sees it. Under Node it comes from Buffer.allocUnsafeSlow, which skips the zero fill the caller would overwrite
 * anyway (measured on a 755 KB LZ4 decode: 329 → 299 µs); elsewhere it is an ordinary new Uint8Array. Either way the
 * caller gets a plain Uint8Array, never a Buffer or a view into a shared pool.
 */
export function allocateForOverwrite(length: number): Uint8Array {
  const nodeBuffer = (globalThis as { Buffer?: Partial<NodeBuffer> }).Buffer;
  if (typeof nodeBuffer?.allocUnsafeSlow === 'function') {
    return new Uint8Array(nodeBuffer.allocUnsafeSlow(length).buffer, 0, length);
  }
  return new Uint8Array(length);
}

/** A copy of `bytes` in a new array of exactly its length. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = allocateForOverwrite(bytes.length);
  copy.set(bytes);
  return copy;
}
