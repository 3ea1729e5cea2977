// Slow, plain decoders of the two byte stages of format 1.1, written from docs/FORMAT.md ("The huffman stage",
// "The palette stage"), not from the kernels. Each throws an Error whose message starts with TRUNCATED or CORRUPT.
import { referenceDecode } from './huffman';

function fail(kind: 'TRUNCATED' | 'CORRUPT', why: string): never {
  throw new Error(`${kind}: ${why}`);
}

const u32 = (bytes: Uint8Array, at: number) => bytes[at] + bytes[at + 1] * 2 ** 8 + bytes[at + 2] * 2 ** 16 + bytes[at + 3] * 2 ** 24;

/** The huffman stage: (planes − 1) u32 block lengths, then the blocks, the last taking the rest; their decoded
 *  bytes one after another. A block whose bytes would pass `limit` in all throws LIMIT (referenceDecode's order). */
export function referenceHuffmanStage(bytes: Uint8Array, planes: number, limit = Infinity): Uint8Array {
  if (bytes.length < 4 * (planes - 1)) fail('TRUNCATED', `no room for ${planes - 1} block lengths`);
  const lengths: number[] = [];
  let at = 4 * (planes - 1);
  for (let p = 0; p < planes - 1; p++) lengths.push(u32(bytes, 4 * p));
  lengths.push(Math.max(0, bytes.length - at - lengths.reduce((a, b) => a + b, 0)));
  const parts: Uint8Array[] = [];
  for (const length of lengths) {
    if (at + length > bytes.length) fail('TRUNCATED', `a block of ${length} bytes at ${at} passes the stage's ${bytes.length} bytes`);
    parts.push(referenceDecode(bytes.subarray(at, at + length), limit - parts.reduce((n, p) => n + p.length, 0)).decoded);
    at += length;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

/** The palette stage of `width`-byte elements: K, K table entries, then one index per element (a byte when
 *  K ≤ 256, else a u16), each naming the entry whose bytes it decodes to. */
export function referencePaletteStage(bytes: Uint8Array, width: number): Uint8Array {
  if (bytes.length < 4) fail('TRUNCATED', 'no room for K');
  const entries = u32(bytes, 0);
  if (entries < 1 || entries > 65536) fail('CORRUPT', `K = ${entries}`);
  const table: Uint8Array[] = [];
  for (let k = 0; k < entries; k++) {
    const start = 4 + k * width;
    if (start + width > bytes.length) fail('TRUNCATED', `the table ends at entry ${k}`);
    table.push(bytes.subarray(start, start + width));
  }
  const indexBytes = entries <= 256 ? 1 : 2;
  const rest = bytes.subarray(4 + entries * width);
  if (rest.length % indexBytes !== 0) fail('CORRUPT', 'a partial index');
  const out: number[] = [];
  for (let i = 0; i < rest.length; i += indexBytes) {
    const index = indexBytes === 1 ? rest[i] : rest[i] + 256 * rest[i + 1];
    if (index >= entries) fail('CORRUPT', `index ${index} of a table of ${entries}`);
    out.push(...table[index]);
  }
  return Uint8Array.from(out);
}

/** Blosc byte unshuffle, the inverse of out[j·n + i] = in[i·T + j] (the len mod T tail as it is). */
function unshuffle(input: Uint8Array, typesize: number): Uint8Array {
  const n = Math.floor(input.length / typesize);
  const out = Uint8Array.from(input);
  for (let i = 0; i < n; i++) for (let j = 0; j < typesize; j++) out[i * typesize + j] = input[j * n + i];
  return out;
}

/** Decodes a chunk through `pipeline` (huffman, palette and shuffle stages), the last stage first. */
export function referenceStages(chunk: Uint8Array, pipeline: readonly Record<string, unknown>[]): Uint8Array {
  return pipeline.reduceRight((bytes, stage) => {
    if (stage.codec === 'huffman') return referenceHuffmanStage(bytes, stage.planes as number);
    if (stage.codec === 'palette') return referencePaletteStage(bytes, stage.width as number);
    if (stage.codec === 'shuffle') return unshuffle(bytes, stage.typesize as number);
    throw new Error(`the reference has no ${String(stage.codec)} stage`);
  }, chunk);
}
