// xxHash32 (Cyan4973/xxHash doc/xxhash_spec.md), as used by LZ4 frames for header, block and content checksums.
// Streaming: the caller owns a XXH32_STATE_BYTES state (reset, update any number of times, digest), so several
// hashes can run at once; xxh32() is the one-shot form.
// Reads exactly the bytes it is given; writes only inside the state.

const P1: u32 = 0x9e3779b1;
const P2: u32 = 0x85ebca77;
const P3: u32 = 0xc2b2ae3d;
const P4: u32 = 0x27d4eb2f;
const P5: u32 = 0x165667b1;

// State layout: 4 lane accumulators (16 B) | total length u64 | buffered count u32 | seed u32 | 16-byte buffer.
export const XXH32_STATE_BYTES: usize = 48;
const TOTAL: usize = 16;
const BUFFERED: usize = 24;
const SEED: usize = 28;
const BUFFER: usize = 32;
const ONE_SHOT_STATE: usize = memory.data(<i32>XXH32_STATE_BYTES, 16);

/** Runs `count` 16-byte stripes starting at `p` through the lane accumulators. */
function stripes(state: usize, p: usize, count: usize): void {
  // Four scalar lanes, not one v128: their independent multiply chains ran 1.6x faster than i32x4.mul in V8.
  let a1 = load<u32>(state), a2 = load<u32>(state, 4), a3 = load<u32>(state, 8), a4 = load<u32>(state, 12);
  for (let i: usize = 0; i < count; i++) {
    a1 = rotl<u32>(a1 + load<u32>(p) * P2, 13) * P1;
    a2 = rotl<u32>(a2 + load<u32>(p, 4) * P2, 13) * P1;
    a3 = rotl<u32>(a3 + load<u32>(p, 8) * P2, 13) * P1;
    a4 = rotl<u32>(a4 + load<u32>(p, 12) * P2, 13) * P1;
    p += 16;
  }
  store<u32>(state, a1);
  store<u32>(state, a2, 4);
  store<u32>(state, a3, 8);
  store<u32>(state, a4, 12);
}

/**
 * One 16-byte stripe through the four lane accumulators held in a v128 (SIMD builds), for a kernel that hashes while
 * it does other work: there the latency of this chain hides behind the kernel's own (on its own, `stripes` is faster).
 * The accumulators are the state's first 16 bytes.
 */
// @ts-ignore: decorator
@inline export function xxh32StripeLanes(lanes: v128, stripe: v128): v128 {
  const mixed = i32x4.add(lanes, i32x4.mul(stripe, i32x4.splat(P2)));
  return i32x4.mul(v128.or(i32x4.shl(mixed, 13), i32x4.shr_u(mixed, 19)), i32x4.splat(P1));
}

/** Bytes waiting in the state for a whole stripe: only with none may stripes go through xxh32StripeLanes. */
export function xxh32Buffered(state: usize): usize {
  return <usize>load<u32>(state + BUFFERED);
}

/** Counts `len` bytes that went through xxh32StripeLanes into the state's total length. */
export function xxh32CountStripes(state: usize, len: usize): void {
  store<u64>(state + TOTAL, load<u64>(state + TOTAL) + <u64>len);
}

/** Starts a new hash with the given seed in the state at `state`. */
export function xxh32Reset(state: usize, seed: u32): void {
  store<u32>(state, seed + P1 + P2);
  store<u32>(state, seed + P2, 4);
  store<u32>(state, seed, 8);
  store<u32>(state, seed - P1, 12);
  store<u64>(state + TOTAL, 0);
  store<u32>(state + BUFFERED, 0);
  store<u32>(state + SEED, seed);
}

/** Adds `len` bytes at `p` to the running hash in `state`. */
export function xxh32Update(state: usize, p: usize, len: usize): void {
  store<u64>(state + TOTAL, load<u64>(state + TOTAL) + <u64>len);
  const buffered = <usize>load<u32>(state + BUFFERED);
  if (buffered + len < 16) {
    memory.copy(state + BUFFER + buffered, p, len);
    store<u32>(state + BUFFERED, <u32>(buffered + len));
    return;
  }
  if (buffered > 0) {
    const fill = <usize>16 - buffered;
    memory.copy(state + BUFFER + buffered, p, fill);
    stripes(state, state + BUFFER, 1);
    p += fill;
    len -= fill;
  }
  const whole = len >> 4;
  stripes(state, p, whole);
  p += whole << 4;
  len &= 15;
  memory.copy(state + BUFFER, p, len);
  store<u32>(state + BUFFERED, <u32>len);
}

/** Returns the hash of everything added to `state` since its reset (the state is left as it is). */
export function xxh32Digest(state: usize): u32 {
  const total = load<u64>(state + TOTAL);
  let h: u32;
  if (total >= 16) {
    h = rotl<u32>(load<u32>(state), 1) + rotl<u32>(load<u32>(state, 4), 7) +
      rotl<u32>(load<u32>(state, 8), 12) + rotl<u32>(load<u32>(state, 12), 18);
  } else {
    h = load<u32>(state + SEED) + P5;
  }
  h += <u32>total;
  let p = state + BUFFER;
  const end = p + <usize>load<u32>(state + BUFFERED);
  while (p + 4 <= end) {
    h = rotl<u32>(h + load<u32>(p) * P3, 17) * P4;
    p += 4;
  }
  while (p < end) {
    h = rotl<u32>(h + <u32>load<u8>(p) * P5, 11) * P1;
    p++;
  }
  h ^= h >> 15;
  h *= P2;
  h ^= h >> 13;
  h *= P3;
  h ^= h >> 16;
  return h;
}

/** One-shot xxHash32 of `len` bytes at `p`. */
export function xxh32(p: usize, len: usize, seed: u32): u32 {
  xxh32Reset(ONE_SHOT_STATE, seed);
  xxh32Update(ONE_SHOT_STATE, p, len);
  return xxh32Digest(ONE_SHOT_STATE);
}
