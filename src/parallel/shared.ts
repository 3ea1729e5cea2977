// Arrays every worker reads (a tensor's scales and zero points) go over once as shared memory, where the runtime has
// it (Node, Deno, cross-origin isolated pages): posting a view of a SharedArrayBuffer shares it, where posting an
// ordinary array copies it for every chunk.

/** A copy of `array` in a SharedArrayBuffer, or `array` itself where the runtime has none. */
export function shareable<T extends Float32Array | Int8Array | Uint8Array>(array: T): T {
  if (typeof SharedArrayBuffer !== 'function') return array;
  const type = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const shared = new type(new SharedArrayBuffer(array.byteLength));
  shared.set(array as never);
  return shared;
}
