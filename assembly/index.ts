// The export surface of tensorzip's WebAssembly module. Every kernel takes (pointer, length) pairs into this
// module's memory and returns i32: >= 0 bytes written, < 0 a status from status.ts. No kernel allocates; the
// JavaScript side places buffers above heapBase() and grows the memory itself.

export { lz4Bound, lz4CompressBlock } from './lz4_block_encode';
export { lz4DecompressBlock } from './lz4_block_decode';
export { xxh32, xxh32Reset, xxh32Update, xxh32Digest } from './xxhash32';
export { jsonArrayElements, jsonArrayElementsBytes } from './json_depth';
export { f32ToF16, f16ToF32, f32ToBf16, bf16ToF32 } from './float16';
export { f32ToFp8E4M3, f32ToFp8E5M2, fp8E4M3ToF32, fp8E5M2ToF32 } from './fp8';
export { quantizeLinear, dequantizeLinear } from './affine';
export { packNibbles, unpackNibbles } from './nibbles';
export { accumulateError } from './error_stats';
export { dequantizeTfjs } from './tfjs';
export { byteShuffle, byteUnshuffle } from './shuffle';
export { bitShuffle, bitUnshuffle } from './bitshuffle';
export { deltaEncode, deltaDecode } from './delta';
export { predictCounts, predictEncode, predictDecode } from './predict';
export { channelSums, channelHistograms, regroupGather } from './regroup_encode';
export { countNonZero, bitmaskPack, bitmaskUnpack, bitmaskExpand, maskPopcount } from './sparse_bitmask';
export { csrPack, csrUnpack } from './sparse_csr';
export { pack24, unpack24 } from './sparse_24';
export { decodeChunk } from './pipeline';
export { huffmanBound, huffmanEncode } from './huffman_encode';
export { huffmanCodeBits } from './huffman_lengths';
export { huffmanDecode } from './huffman_decode';
export { huffmanDecodedSize } from './huffman_format';
export { huffmanContextEncode } from './huffman_context_encode';
export { huffmanContextDecode, huffmanContextDecodedSize } from './huffman_context_decode';
export { ransEncode } from './rans_encode';
export { ransDecode } from './rans_decode';
export { ransLanesEncode } from './rans_encode';
export { ransLanesDecode } from './rans_lanes_decode';
export { ggmlEncodeQ8_0, ggmlEncodeQ4_0, ggmlEncodeQ4_1, ggmlDecodeQ8_0, ggmlDecodeQ4_0, ggmlDecodeQ4_1, ggmlDecodeQ4_K } from './ggml';
import { XXH32_STATE_BYTES } from './xxhash32';
import { AFFINE_LAYOUT_BYTES } from './affine';
import { ERROR_STATS_BYTES } from './error_stats';

/** Bytes the caller reserves for one streaming xxh32 state. */
export function xxh32StateBytes(): usize {
  return XXH32_STATE_BYTES;
}

/** Bytes the caller reserves for the layout record of quantizeLinear / dequantizeLinear. */
export function affineLayoutBytes(): usize {
  return AFFINE_LAYOUT_BYTES;
}

/** Bytes the caller reserves for accumulateError's sums. */
export function errorStatsBytes(): usize {
  return ERROR_STATS_BYTES;
}

/** First byte free for the caller's buffers (static data ends below it). */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build uses v128 instructions, 0 for the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
