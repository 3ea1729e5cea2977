// A slow, plain reader of a .tzip file's index, written from docs/FORMAT.md ("Prefix", "Footer", "The compressed
// index (1.3)"), not from src/: the location from the footer, the checksum, then — with prefix flag bit 0 — the u32
// decoded length and the entropy block holding one LZ4 block, each decoded by the reference decoders. Throws a plain
// Error on anything it does not expect.
import { referenceDecode } from './huffman';
import { referenceDecodeBlock } from './lz4-block';
import { referenceXxh32 } from './xxh32';

export interface ReferenceIndex {
  /** The prefix's flag bits. */
  flags: number;
  /** Where the stored index is, and its length as stored. */
  offset: number;
  storedLength: number;
  /** The JSON index's bytes, decompressed when flag bit 0 says so. */
  json: Uint8Array;
  index: { tensors: Record<string, unknown>[]; entries?: Record<string, unknown>[]; model?: unknown; metadata?: Record<string, string> };
}

export function referenceReadIndex(file: Uint8Array): ReferenceIndex {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footer = file.length - 32;
  const offset = Number(view.getBigUint64(footer, true));
  const storedLength = Number(view.getBigUint64(footer + 8, true));
  const stored = file.subarray(offset, offset + storedLength);
  if (referenceXxh32(stored) !== view.getUint32(footer + 16, true)) throw new Error('index checksum');
  const flags = view.getUint16(6, true);
  if (flags & ~3) throw new Error(`unknown flag bits 0x${flags.toString(16)}`);
  let json = stored;
  if (flags & 1) {
    const decodedLength = view.getUint32(offset, true);
    const lz4 = referenceDecode(stored.subarray(4)).decoded;
    json = referenceDecodeBlock(lz4, decodedLength);
    if (json.length !== decodedLength) throw new Error(`the compressed index decodes to ${json.length} bytes, not ${decodedLength}`);
  }
  return { flags, offset, storedLength, json, index: JSON.parse(new TextDecoder().decode(json)) };
}
