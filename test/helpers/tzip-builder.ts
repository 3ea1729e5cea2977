// Builds .tzip files from a hand-written index (docs/FORMAT.md, index first), with every checksum right, so a test can
// hand the reader any index it likes and reach the checks past the checksums.
import { referenceXxh32 } from '../reference/xxh32';

/** Where the data area starts in a file built by tzipFile with an index of `indexBytes` bytes. */
export const dataStart = (indexBytes: number) => Math.ceil((32 + indexBytes) / 64) * 64;

/**
 * A .tzip file: prefix, `index` (an object serialized with JSON.stringify, or the JSON text itself), then `data` at
 * the next multiple of 64, then the footer. `index` may be a function of the data area's offset, to place chunks.
 * `flags` go in the prefix (format 1.3); `storedIndex` replaces the index's bytes (a compressed index, say).
 */
export function tzipFile(index: unknown | ((dataAt: number) => unknown), data: Uint8Array = new Uint8Array(0), options: { flags?: number; storedIndex?: Uint8Array } = {}): Uint8Array {
  const text = (at: number) => {
    const value = typeof index === 'function' ? index(at) : index;
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  // The index's length moves the data area; settle it (offsets only grow, so this ends).
  let at = 64;
  const encode = () => options.storedIndex ?? new TextEncoder().encode(text(at));
  let json = encode();
  while (dataStart(json.length) !== at) {
    at = dataStart(json.length);
    json = encode();
  }
  const file = new Uint8Array(at + data.length + 32);
  const view = new DataView(file.buffer);
  const checksum = referenceXxh32(json);
  file.set([0x54, 0x5a, 0x49, 0x50, 1, 0], 0);
  view.setUint16(6, options.flags ?? 0, true);
  view.setBigUint64(8, 32n, true);
  view.setBigUint64(16, BigInt(json.length), true);
  view.setUint32(24, checksum, true);
  view.setUint32(28, referenceXxh32(file.subarray(0, 28)), true);
  file.set(json, 32);
  file.set(data, at);
  const f = file.length - 32;
  view.setBigUint64(f, 32n, true);
  view.setBigUint64(f + 8, BigInt(json.length), true);
  view.setUint32(f + 16, checksum, true);
  view.setUint32(f + 24, referenceXxh32(file.subarray(f, f + 24)), true);
  file.set([0x50, 0x49, 0x5a, 0x54], f + 28);
  return file;
}

/** Chunks one after another, each at a multiple of 64 from the data area's start: the data area and the offsets. */
export function placeChunks(chunks: Uint8Array[]): { data: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  let end = 0;
  for (const c of chunks) {
    offsets.push(end);
    end = Math.ceil((end + c.length) / 64) * 64;
  }
  const data = new Uint8Array(end);
  chunks.forEach((c, k) => data.set(c, offsets[k]));
  return { data, offsets };
}

/** One tensor's index entry, lossless unless `stored` says otherwise. */
export function tensorEntry(name: string, dtype: string, shape: number[], chunks: number[][], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, dtype, shape, stored: { dtype, axis: null, blockSize: null, params: null }, pipeline: [],
    chunkElements: Math.max(1, shape.reduce((n, d) => n * d, 1)), chunks, stats: null, ...extra,
  };
}
