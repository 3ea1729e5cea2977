interface Base64Decoders {
  /** Uint8Array.fromBase64 (TC39, in Chromium 140+, Firefox 133+, Safari 18.2+). */
  fromBase64?: (text: string) => Uint8Array;
}
interface NodeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
}

/**
 * Decodes base64 natively where the runtime can (Uint8Array.fromBase64, else Node's Buffer), else with `atob`, which
 * Node ≥ 16, Deno and every browser provide, and a loop. Node's atob and the loop took 12–30 ms on a cold start for the
 * 65 KB of the kernels' base64; Buffer takes 0.3 ms.
 */
export function decodeBase64(text: string): Uint8Array {
  const fromBase64 = (Uint8Array as Base64Decoders).fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(text);
  const nodeBuffer = (globalThis as { Buffer?: Partial<NodeBuffer> }).Buffer;
  if (typeof nodeBuffer?.from === 'function') {
    const buffer = nodeBuffer.from(text, 'base64');
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
