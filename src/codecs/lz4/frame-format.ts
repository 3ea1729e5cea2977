// The LZ4 frame format, v1.6.1 (lz4/lz4 doc/lz4_Frame_format.md): magic numbers, the frame descriptor, block
// sizes. Writing and parsing the descriptor both live here, so its rules are stated once.
import { TensorzipError } from '../../errors';

export const FRAME_MAGIC = 0x184d2204;
export const LEGACY_MAGIC = 0x184c2102;
export const SKIPPABLE_MAGIC_MIN = 0x184d2a50;
export const SKIPPABLE_MAGIC_MAX = 0x184d2a5f;
/** Legacy frames cut the input into blocks of exactly 8 MiB (the last may be shorter). */
export const LEGACY_BLOCK_SIZE = 8 * 1024 * 1024;

/** Block maximum sizes by BD id 4..7. */
export const BLOCK_SIZES: readonly number[] = [65536, 262144, 1048576, 4194304];
const FIRST_BLOCK_ID = 4;

const FLG_VERSION = 0x40;
const FLG_VERSION_MASK = 0xc0;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;

export interface FrameDescriptor {
  independentBlocks: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  /** The declared decoded size, when the frame records it (may exceed 2^53 only as Infinity). */
  contentSize: number | undefined;
  blockMaxSize: number;
}

/** Reads a little-endian u32. The caller has checked that 4 bytes are there. */
export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >>> 8;
  bytes[at + 2] = value >>> 16;
  bytes[at + 3] = value >>> 24;
}

/** Writes magic + descriptor at `at` and returns its length; `hash` is xxh32 with seed 0. */
export function writeDescriptor(
  out: Uint8Array,
  at: number,
  d: FrameDescriptor,
  hash: (bytes: Uint8Array) => number,
): number {
  writeU32(out, at, FRAME_MAGIC);
  let p = at + 4;
  const start = p;
  out[p++] =
    FLG_VERSION |
    (d.independentBlocks ? FLG_BLOCK_INDEPENDENCE : 0) |
    (d.blockChecksum ? FLG_BLOCK_CHECKSUM : 0) |
    (d.contentSize !== undefined ? FLG_CONTENT_SIZE : 0) |
    (d.contentChecksum ? FLG_CONTENT_CHECKSUM : 0);
  out[p++] = (FIRST_BLOCK_ID + BLOCK_SIZES.indexOf(d.blockMaxSize)) << 4;
  if (d.contentSize !== undefined) {
    writeU32(out, p, d.contentSize % 2 ** 32);
    writeU32(out, p + 4, Math.floor(d.contentSize / 2 ** 32));
    p += 8;
  }
  out[p] = (hash(out.subarray(start, p)) >>> 8) & 0xff;
  return p + 1 - at;
}

/**
 * Parses the descriptor that follows the magic at `at` (which the caller has matched). Returns it with the position
 * of the first block. Refuses what the spec says a decoder must refuse.
 */
export function parseDescriptor(
  bytes: Uint8Array,
  at: number,
  hash: (bytes: Uint8Array) => number,
): { descriptor: FrameDescriptor; end: number } {
  const start = at + 4;
  if (bytes.length < start + 3) truncated(at, 'frame descriptor');
  const flg = bytes[start];
  const bd = bytes[start + 1];
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION) {
    throw new TensorzipError('UNSUPPORTED', `LZ4 frame at byte ${at}: version ${(flg >> 6) & 3} (only version 1 exists)`, { offset: start });
  }
  if (flg & FLG_RESERVED || bd & BD_RESERVED) {
    throw new TensorzipError('CORRUPT', `LZ4 frame at byte ${at}: reserved bits are set in the descriptor (FLG 0x${hex(flg)}, BD 0x${hex(bd)})`, { offset: start });
  }
  const blockId = bd >> 4;
  if (blockId < FIRST_BLOCK_ID) {
    throw new TensorzipError('CORRUPT', `LZ4 frame at byte ${at}: block maximum size id ${blockId} (expected 4 to 7)`, { offset: start + 1 });
  }
  let p = start + 2;
  let contentSize: number | undefined;
  if (flg & FLG_CONTENT_SIZE) {
    if (bytes.length < p + 9) truncated(at, 'frame descriptor');
    contentSize = readU32(bytes, p) + readU32(bytes, p + 4) * 2 ** 32;
    p += 8;
  }
  if (flg & FLG_DICT_ID) {
    if (bytes.length < p + 5) truncated(at, 'frame descriptor');
    throw new TensorzipError('UNSUPPORTED', `LZ4 frame at byte ${at}: it needs dictionary ${readU32(bytes, p)}; decoding with a dictionary is not supported`, { offset: p });
  }
  const expected = (hash(bytes.subarray(start, p)) >>> 8) & 0xff;
  if (bytes[p] !== expected) {
    throw new TensorzipError('CHECKSUM', `LZ4 frame at byte ${at}: header checksum is 0x${hex(bytes[p])}, the descriptor hashes to 0x${hex(expected)}`, { offset: p });
  }
  return {
    descriptor: {
      independentBlocks: (flg & FLG_BLOCK_INDEPENDENCE) !== 0,
      blockChecksum: (flg & FLG_BLOCK_CHECKSUM) !== 0,
      contentChecksum: (flg & FLG_CONTENT_CHECKSUM) !== 0,
      contentSize,
      blockMaxSize: BLOCK_SIZES[blockId - FIRST_BLOCK_ID],
    },
    end: p + 1,
  };
}

export function hex(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}

function truncated(at: number, what: string): never {
  throw new TensorzipError('TRUNCATED', `LZ4 frame at byte ${at}: the input ends inside the ${what}`, { offset: at });
}
