// An xxh32 of one range that a kernel computes while it does other work. The chunk decoder (pipeline.ts) starts it
// over a chunk and digests it when its stages are done; a kernel whose loop waits on loads (huffman_decode.ts) folds
// in one 16-byte stripe per step meanwhile, in SIMD builds, where the multiplies run on vector units the loop leaves
// idle. The digest hashes whatever is left, so it is the xxh32 of the range however far the kernels got, in both
// builds. Reads only the range it was started on; outside a started hash the range is empty.

import { XXH32_STATE_BYTES, xxh32CountStripes, xxh32Digest, xxh32Reset, xxh32Update } from './xxhash32';

/** The running xxh32 state; its first 16 bytes are the four lane accumulators (xxh32StripeLanes). */
export const SIDE_HASH_LANES: usize = memory.data(<i32>XXH32_STATE_BYTES, 16);
let start: usize = 0;
let next: usize = 0;
let end: usize = 0;

/** Starts the hash of the `len` bytes at `p`. */
export function sideHashBegin(p: usize, len: usize): void {
  xxh32Reset(SIDE_HASH_LANES, 0);
  start = p;
  next = p;
  end = p + len;
}

/** The first byte not hashed yet (stripes go in from here, in order). */
// @ts-ignore: decorator
@inline export function sideHashNext(): usize {
  return next;
}

/** The end of the range (0 when no hash is started). */
// @ts-ignore: decorator
@inline export function sideHashEnd(): usize {
  return end;
}

/** Records that the stripes up to `to` went into the lane accumulators. */
// @ts-ignore: decorator
@inline export function sideHashAdvance(to: usize): void {
  next = to;
}

/** Hashes the rest of the range and returns the xxh32 of all of it; the hash is then closed. */
export function sideHashDigest(): u32 {
  xxh32CountStripes(SIDE_HASH_LANES, next - start);
  xxh32Update(SIDE_HASH_LANES, next, end - next);
  start = next = end = 0;
  return xxh32Digest(SIDE_HASH_LANES);
}
