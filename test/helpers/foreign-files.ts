// safetensors and .npy files laid out by hand, byte by byte, for headers no writer would produce.
/** A safetensors file with this header text and data, laid out by hand. */
export function safetensorsFile(header: string, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A version 1.0 .npy file with this header dict and data, laid out by hand. */
export function npyFile(dict: string, data = new Uint8Array(0)): Uint8Array {
  const header = new TextEncoder().encode(`${dict}\n`);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(header, 10);
  out.set(data, 10 + header.length);
  return out;
}
