// The fixed parts of a .tzip file (docs/FORMAT.md): the 32-byte prefix and the 32-byte footer.
import { TensorzipError } from '../errors';

export const PREFIX_BYTES = 32;
export const FOOTER_BYTES = 32;
export const ALIGNMENT = 64;
export const MAJOR_VERSION = 1;
/** The version this reader implements. Writers write 6 only when a file uses what 1.6 adds (the predict stage), else 5
 *  when it uses what 1.5 adds (the rans_lanes stage), else 4 when it uses what 1.4 adds (the rans stage, encryption),
 *  else 3, so that older readers read it. */
export const MINOR_VERSION = 6;
/** The minor version of files that use nothing newer than 1.5. */
export const MINOR_VERSION_1_5 = 5;
/** The minor version of files that use nothing newer than 1.4. */
export const MINOR_VERSION_1_4 = 4;
/** The minor version of files that use nothing newer than 1.3. */
export const MINOR_VERSION_1_3 = 3;
/** Prefix flag bits (1.3): the index is stored compressed (index-compression.ts), chunks may start at any offset. */
export const FLAG_COMPRESSED_INDEX = 1;
export const FLAG_PACKED_CHUNKS = 2;
/** Flag bit 2 (1.4): the archive is encrypted (seal-header.ts, seal.ts). */
export const FLAG_SEALED = 4;
const KNOWN_FLAGS = FLAG_COMPRESSED_INDEX | FLAG_PACKED_CHUNKS | FLAG_SEALED;
const MAGIC = [0x54, 0x5a, 0x49, 0x50]; // "TZIP"
const END_MAGIC = [0x50, 0x49, 0x5a, 0x54]; // "PIZT"

/** Where the index is: offset, length, xxh32. */
export interface IndexLocation {
  offset: number;
  length: number;
  checksum: number;
}

type Hash = (bytes: Uint8Array) => number;

export function alignUp(n: number, alignment = ALIGNMENT): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Parameter blocks (float32 scales, float64 TF.js scale and min) start at multiples of 8, so a reader can view them
 *  in place where the file's bytes are aligned; only chunks need 64. */
export const PARAMS_ALIGNMENT = 8;

/** What the prefix says: the index location (null when only the footer gives it) and the flag bits. */
export interface Prefix {
  index: IndexLocation | null;
  flags: number;
}

export function writePrefix(target: Uint8Array, index: IndexLocation | null, flags: number, minor: number, hash: Hash): void {
  const view = new DataView(target.buffer, target.byteOffset, PREFIX_BYTES);
  target.set(MAGIC, 0);
  view.setUint8(4, MAJOR_VERSION);
  view.setUint8(5, minor);
  view.setUint16(6, flags, true);
  view.setBigUint64(8, BigInt(index?.offset ?? 0), true);
  view.setBigUint64(16, BigInt(index?.length ?? 0), true);
  view.setUint32(24, index?.checksum ?? 0, true);
  view.setUint32(28, hash(target.subarray(0, 28)), true);
}

export function writeFooter(target: Uint8Array, index: IndexLocation, hash: Hash): void {
  const view = new DataView(target.buffer, target.byteOffset, FOOTER_BYTES);
  view.setBigUint64(0, BigInt(index.offset), true);
  view.setBigUint64(8, BigInt(index.length), true);
  view.setUint32(16, index.checksum, true);
  view.setUint32(20, 0, true);
  view.setUint32(24, hash(target.subarray(0, 24)), true);
  target.set(END_MAGIC, 28);
}

function safeU64(view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TensorzipError('CORRUPT', `open: ${what} ${value} is past any file size`, { offset: at });
  return Number(value);
}

/** Reads the prefix: the index location it gives (null when only the footer gives it) and its flags. */
export function readPrefix(prefix: Uint8Array, hash: Hash): Prefix {
  if (prefix.length < PREFIX_BYTES) throw new TensorzipError('TRUNCATED', `open: a .tzip file starts with a ${PREFIX_BYTES}-byte prefix, found ${prefix.length} bytes`);
  if (MAGIC.some((b, i) => prefix[i] !== b)) {
    throw new TensorzipError('CORRUPT', `open: expected the magic "TZIP", found ${[...prefix.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, { offset: 0 });
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES);
  if (view.getUint8(4) !== MAJOR_VERSION) {
    throw new TensorzipError('UNSUPPORTED', `open: format version ${view.getUint8(4)}.${view.getUint8(5)}; this reader reads version ${MAJOR_VERSION}.x`, { offset: 4 });
  }
  if (hash(prefix.subarray(0, 28)) !== view.getUint32(28, true)) throw new TensorzipError('CHECKSUM', 'open: the prefix checksum does not match', { offset: 28 });
  const flags = view.getUint16(6, true);
  const unknown = flags & ~KNOWN_FLAGS;
  if (unknown !== 0) {
    const bits = [...Array(16).keys()].filter((b) => (unknown >> b) & 1).join(', ');
    throw new TensorzipError('UNSUPPORTED', `open: unknown flag bits are set (bit ${bits}); this reader (format ${MAJOR_VERSION}.${MINOR_VERSION}) knows bits 0, 1 and 2`, { offset: 6 });
  }
  const offset = safeU64(view, 8, 'the index offset');
  const length = safeU64(view, 16, 'the index length');
  const checksum = view.getUint32(24, true);
  if (offset === 0) {
    if (length !== 0 || checksum !== 0) throw new TensorzipError('CORRUPT', 'open: the prefix gives an index length or checksum without an offset', { offset: 16 });
    return { index: null, flags };
  }
  return { index: { offset, length, checksum }, flags };
}

export function readFooter(footer: Uint8Array, footerOffset: number, hash: Hash): IndexLocation {
  if (footer.length < FOOTER_BYTES) throw new TensorzipError('TRUNCATED', `open: a .tzip file ends with a ${FOOTER_BYTES}-byte footer`);
  if (END_MAGIC.some((b, i) => footer[28 + i] !== b)) throw new TensorzipError('CORRUPT', 'open: the file does not end with "PIZT" (truncated or not a .tzip file)', { offset: footerOffset + 28 });
  const view = new DataView(footer.buffer, footer.byteOffset, FOOTER_BYTES);
  if (hash(footer.subarray(0, 24)) !== view.getUint32(24, true)) throw new TensorzipError('CHECKSUM', 'open: the footer checksum does not match', { offset: footerOffset + 24 });
  if (view.getUint32(20, true) !== 0) throw new TensorzipError('CORRUPT', 'open: reserved footer bytes are not zero', { offset: footerOffset + 20 });
  return { offset: safeU64(view, 0, 'the index offset'), length: safeU64(view, 8, 'the index length'), checksum: view.getUint32(16, true) };
}
