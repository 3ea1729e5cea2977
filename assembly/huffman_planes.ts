// The huffman stage of a chunk pipeline: its bytes are (planes − 1) u32 byte lengths of blocks 0 … planes − 2, then
// the entropy blocks (huffman_format.ts) one after another, the last taking the rest. It decodes to the blocks'
// decoded bytes, one after another, each block decoded straight into its place in the output; entropy blocks two at a
// time (huffmanDecodePair), with the statuses of one after the other.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap). Status: fewer bytes than
// the length table, or lengths that pass the stage's bytes, are TRUNCATED; a block's own status passes through, and
// blocks that decode to more than dstCap are OUTPUT_FULL. Bytes of the output may be written before a status.

import { STATUS_ARGUMENT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { huffmanDecode, huffmanDecodePair } from './huffman_decode';
import { huffmanContextDecode } from './huffman_context_decode';
import { ransDecode } from './rans_decode';
import { ransLanesDecode } from './rans_lanes_decode';

/** The most planes a stage has: one per byte of a 16-byte element. */
const MAX_PLANES: u32 = 16;

/** Decodes a huffman stage of `planes` blocks; returns the bytes written to dst or a status. */
export function huffmanPlanesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, planes: u32): i32 {
  return planesDecode(src, srcLen, dst, dstCap, planes, BLOCK_ENTROPY);
}

/** Decodes a huffman_ctx stage (1.3): the same layout, its blocks context blocks (huffman_context_decode.ts). */
export function huffmanContextPlanesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, planes: u32): i32 {
  return planesDecode(src, srcLen, dst, dstCap, planes, BLOCK_CONTEXT);
}

/** Decodes a rans stage (1.4): the same layout, its blocks rANS blocks (rans_decode.ts). */
export function ransPlanesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, planes: u32): i32 {
  return planesDecode(src, srcLen, dst, dstCap, planes, BLOCK_RANS);
}

/** Decodes a rans_lanes stage (1.5): the same layout, its blocks rans_lanes blocks (rans_lanes_decode.ts). */
export function ransLanesPlanesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, planes: u32): i32 {
  return planesDecode(src, srcLen, dst, dstCap, planes, BLOCK_RANS_LANES);
}

/** The kinds of block a stage holds. */
const BLOCK_ENTROPY = 0;
const BLOCK_CONTEXT = 1;
const BLOCK_RANS = 2;
const BLOCK_RANS_LANES = 3;

function planesDecode(src: usize, srcLen: usize, dst: usize, dstCap: usize, planes: u32, kind: i32): i32 {
  if (planes == 0 || planes > MAX_PLANES) return STATUS_ARGUMENT;
  const table = <usize>(planes - 1) << 2;
  if (srcLen < table) return STATUS_TRUNCATED;
  let at = src + table;
  let left = <u64>(srcLen - table);
  let written: usize = 0;
  for (let p: u32 = 0; p < planes; p++) {
    const length = p < planes - 1 ? <u64>load<u32>(src + (<usize>p << 2)) : left;
    if (length > left) return STATUS_TRUNCATED;
    if (kind == BLOCK_ENTROPY && p + 1 < planes) {
      // Two blocks at once (their streams side by side); the second's length is checked after the first decodes.
      const lengthB = p + 1 < planes - 1 ? <u64>load<u32>(src + (<usize>(p + 1) << 2)) : left - length;
      const pair = lengthB > left - length
        ? <i64>huffmanDecode(at, <usize>length, dst + written, dstCap - written)
        : huffmanDecodePair(at, <usize>length, at + <usize>length, <usize>lengthB, dst + written, dstCap - written);
      if (pair < 0) return <i32>pair;
      if (lengthB > left - length) return STATUS_TRUNCATED;
      written += <usize>pair;
      at += <usize>(length + lengthB);
      left -= length + lengthB;
      p++;
      continue;
    }
    const size = kind == BLOCK_RANS_LANES ? ransLanesDecode(at, <usize>length, dst + written, dstCap - written)
      : kind == BLOCK_RANS ? ransDecode(at, <usize>length, dst + written, dstCap - written)
      : kind == BLOCK_CONTEXT ? huffmanContextDecode(at, <usize>length, dst + written, dstCap - written)
      : huffmanDecode(at, <usize>length, dst + written, dstCap - written);
    if (size < 0) return size;
    written += <usize>size;
    at += <usize>length;
    left -= length;
  }
  return written > <usize>0x7fffffff ? STATUS_OUTPUT_FULL : <i32>written;
}
