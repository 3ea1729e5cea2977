// The fused chunk decoder: runs a whole decode pipeline — e.g. LZ4 → unshuffle → sparse unpack → dequantize — in
// one call, stage after stage between two scratch buffers, the last stage writing into the caller's output.
//
// The pipeline is data: `stages` records of 8 int32 at `program`, [op, p0 … p6], ops below (numbers never reused).
// Each stage reads the previous stage's bytes and returns how many it wrote; a negative status stops the run and is
// returned as it is. Every stage kernel checks its own input, so a damaged chunk ends in a status, never in a read
// or write outside src, the scratch buffers (scratchCap bytes each) or dst (dstCap bytes).

import { STATUS_ARGUMENT, STATUS_CORRUPT } from './status';
import { lz4DecompressBlock } from './lz4_block_decode';
import { byteUnshuffle } from './shuffle';
import { bitUnshuffle } from './bitshuffle';
import { deltaDecode } from './delta';
import { predictDecode } from './predict';
import { bitmaskUnpack } from './sparse_bitmask';
import { csrUnpack } from './sparse_csr';
import { unpack24 } from './sparse_24';
import { unpackNibbles } from './nibbles';
import { dequantizeLinear } from './affine';
import { f16ToF32, bf16ToF32 } from './float16';
import { fp8E4M3ToF32, fp8E5M2ToF32 } from './fp8';
import { ggmlDecodeQ8_0, ggmlDecodeQ4_0, ggmlDecodeQ4_1, ggmlDecodeQ4_K } from './ggml';
import { huffmanContextPlanesDecode, huffmanPlanesDecode, ransLanesPlanesDecode, ransPlanesDecode } from './huffman_planes';
import { paletteDecode } from './palette';
import { regroupDecode } from './regroup';
import { dequantizeTfjs } from './tfjs';
import { sideHashBegin, sideHashDigest } from './side_hash';

/** Bytes of one stage record. */
export const STAGE_BYTES: usize = 32;

const OP_LZ4_BLOCK = 1; //          raw LZ4 block → its bytes
const OP_BYTE_UNSHUFFLE = 2; //     p0 typesize
const OP_BIT_UNSHUFFLE = 3; //      p0 typesize
const OP_DELTA = 4; //              p0 width (1, 2, 4, 8)
const OP_SPARSE_BITMASK = 5; //     p0 count, p1 width
const OP_SPARSE_CSR = 6; //         p0 rows, p1 cols, p2 width
const OP_SPARSE_24 = 7; //          p0 count, p1 width
const OP_UNPACK_NIBBLES = 8; //     p0 count, p1 signed
const OP_DEQUANTIZE_LINEAR = 9; //  p0 layout record, p1 scales, p2 zero points, p3 signed (int8/uint8 codes → f32)
const OP_FLOAT16 = 10; //           f16 → f32
const OP_BFLOAT16 = 11; //          bf16 → f32
const OP_FP8_E4M3 = 12; //          → f32
const OP_FP8_E5M2 = 13; //          → f32
const OP_GGML_Q8_0 = 14; //         blocks → f32
const OP_GGML_Q4_0 = 15;
const OP_GGML_Q4_1 = 16;
const OP_GGML_Q4_K = 17;
const OP_HUFFMAN = 18; //           p0 planes (1–16)
const OP_PALETTE = 19; //           p0 width (2, 4, 8)
const OP_TFJS_UINT8 = 20; //       p0 → float64 scale, then float64 min (TF.js codes → f32)
const OP_TFJS_UINT16 = 21; //      p0 as OP_TFJS_UINT8
const OP_REGROUP = 22; //          p0 groups (2, 4, 8, 16), p1 channels, p2 run
const OP_HUFFMAN_CONTEXT = 23; //  p0 planes (1–16)
const OP_RANS = 24; //             p0 planes (1–16)
const OP_RANS_LANES = 25; //       p0 planes (1–16)
const OP_PREDICT = 26; //          p0 lag (1–65,536), p1 weight (1–4)

/** Scales an element-count result to bytes, passing statuses through. */
// @ts-ignore: decorator
@inline function bytes(result: i32, width: i32): i32 {
  return result < 0 ? result : result * width;
}

/** Runs one stage from (src, len) into (dst, cap); returns the bytes written or a status. */
function runStage(record: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const op = load<i32>(record);
  const p0 = load<u32>(record, 4);
  const p1 = load<u32>(record, 8);
  const p2 = load<u32>(record, 12);
  const p3 = load<u32>(record, 16);
  switch (op) {
    case OP_LZ4_BLOCK: return lz4DecompressBlock(src, len, dst, cap, 0, 0);
    case OP_BYTE_UNSHUFFLE: return byteUnshuffle(src, len, dst, cap, p0);
    case OP_BIT_UNSHUFFLE: return bitUnshuffle(src, len, dst, cap, p0);
    case OP_DELTA: {
      if (p0 == 0 || p0 > 8 || len % p0 != 0) return p0 == 0 || p0 > 8 ? STATUS_ARGUMENT : STATUS_CORRUPT;
      return bytes(deltaDecode(src, len / p0, dst, cap / p0, p0), p0);
    }
    case OP_SPARSE_BITMASK: return bytes(bitmaskUnpack(src, len, p0, p1, dst, cap / max<u32>(p1, 1)), p1);
    case OP_SPARSE_CSR: return bytes(csrUnpack(src, len, p0, p1, p2, dst, cap / max<u32>(p2, 1)), p2);
    case OP_SPARSE_24: return bytes(unpack24(src, len, p0, p1, dst, cap / max<u32>(p1, 1)), p1);
    case OP_UNPACK_NIBBLES: {
      if (len != (p0 + 1) >> 1) return STATUS_CORRUPT;
      return unpackNibbles(src, p0, dst, cap, p1 != 0);
    }
    case OP_DEQUANTIZE_LINEAR: return bytes(dequantizeLinear(src, len, dst, cap >> 2, p0, p1, p2, p3 != 0), 4);
    case OP_FLOAT16:
    case OP_BFLOAT16: {
      if (len & 1) return STATUS_CORRUPT;
      return bytes(op == OP_FLOAT16 ? f16ToF32(src, len >> 1, dst, cap >> 2) : bf16ToF32(src, len >> 1, dst, cap >> 2), 4);
    }
    case OP_FP8_E4M3: return bytes(fp8E4M3ToF32(src, len, dst, cap >> 2), 4);
    case OP_FP8_E5M2: return bytes(fp8E5M2ToF32(src, len, dst, cap >> 2), 4);
    case OP_GGML_Q8_0: return len % 34 != 0 ? STATUS_CORRUPT : bytes(ggmlDecodeQ8_0(src, len / 34, dst, cap >> 2), 4);
    case OP_GGML_Q4_0: return len % 18 != 0 ? STATUS_CORRUPT : bytes(ggmlDecodeQ4_0(src, len / 18, dst, cap >> 2), 4);
    case OP_GGML_Q4_1: return len % 20 != 0 ? STATUS_CORRUPT : bytes(ggmlDecodeQ4_1(src, len / 20, dst, cap >> 2), 4);
    case OP_GGML_Q4_K: return len % 144 != 0 ? STATUS_CORRUPT : bytes(ggmlDecodeQ4_K(src, len / 144, dst, cap >> 2), 4);
    case OP_HUFFMAN: return huffmanPlanesDecode(src, len, dst, cap, p0);
    case OP_PALETTE: return paletteDecode(src, len, dst, cap, p0);
    case OP_REGROUP: return regroupDecode(src, len, dst, cap, p0, p1, p2);
    case OP_HUFFMAN_CONTEXT: return huffmanContextPlanesDecode(src, len, dst, cap, p0);
    case OP_RANS: return ransPlanesDecode(src, len, dst, cap, p0);
    case OP_RANS_LANES: return ransLanesPlanesDecode(src, len, dst, cap, p0);
    case OP_PREDICT: return predictDecode(src, len, dst, cap, p0, p1);
    case OP_TFJS_UINT8: return bytes(dequantizeTfjs(src, len, dst, cap >> 2, load<f64>(p0), load<f64>(p0, 8), false), 4);
    case OP_TFJS_UINT16: {
      if (len & 1) return STATUS_CORRUPT;
      return bytes(dequantizeTfjs(src, len >> 1, dst, cap >> 2, load<f64>(p0), load<f64>(p0, 8), true), 4);
    }
    default: return STATUS_ARGUMENT;
  }
}

/**
 * Decodes one chunk through `stages` records at `program`; returns the bytes written to dst or a status. With
 * `checksumOut` not 0, also stores there the xxh32 of the chunk's `srcLen` bytes at `src`, whatever the status (stages
 * hash it as they go where that is free, side_hash.ts), for the caller to check before it uses dst.
 */
export function decodeChunk(program: usize, stages: usize, src: usize, srcLen: usize, scratchA: usize, scratchB: usize,
  scratchCap: usize, dst: usize, dstCap: usize, checksumOut: usize): i32 {
  if (checksumOut != 0) sideHashBegin(src, srcLen);
  const result = runStages(program, stages, src, srcLen, scratchA, scratchB, scratchCap, dst, dstCap);
  if (checksumOut != 0) store<u32>(checksumOut, sideHashDigest());
  return result;
}

function runStages(program: usize, stages: usize, src: usize, srcLen: usize, scratchA: usize, scratchB: usize,
  scratchCap: usize, dst: usize, dstCap: usize): i32 {
  if (stages == 0) {
    if (srcLen > dstCap) return STATUS_CORRUPT;
    memory.copy(dst, src, srcLen);
    return <i32>srcLen;
  }
  let input = src;
  let len = srcLen;
  for (let s: usize = 0; s < stages; s++) {
    const last = s == stages - 1;
    const output = last ? dst : (s & 1) != 0 ? scratchB : scratchA;
    const written = runStage(program + s * STAGE_BYTES, input, len, output, last ? dstCap : scratchCap);
    if (written < 0) return written;
    input = output;
    len = <usize>written;
  }
  return <i32>len;
}
