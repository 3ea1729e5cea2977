// Small memory moves shared by the kernels. Each has a SIMD body and a scalar body chosen at compile time
// (ASC_FEATURE_SIMD); both move or compare exactly the same bytes, so the two builds produce identical output.

/** Copies 16 bytes from `src` to `dst`. The ranges must not overlap within those 16 bytes. */
// @ts-ignore: decorator
@inline export function copy16(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
  } else {
    store<u64>(dst, load<u64>(src));
    store<u64>(dst, load<u64>(src, 8), 8);
  }
}

/**
 * Copies the bytes from `src` to `dst` up to `dstStop` in whole 16-byte steps (at least one), so it may write up to
 * 15 bytes past `dstStop` and read as far past the matching source byte. Each step reads before it writes: the source
 * may lie 16 or more bytes before the destination.
 */
// @ts-ignore: decorator
@inline export function copySteps(dst: usize, src: usize, dstStop: usize): void {
  do {
    copy16(dst, src);
    dst += 16;
    src += 16;
  } while (dst < dstStop);
}

/**
 * Copies `len` bytes from `src` to `dst` (non-overlapping). When both buffers have 16 bytes of slack past the copy,
 * runs up to 256 bytes are moved in whole 16-byte steps, which may write up to 15 bytes past `dst + len` but never
 * past `dstEnd` and never read past `srcEnd`.
 */
// @ts-ignore: decorator
@inline export function copyLiterals(dst: usize, src: usize, len: usize, dstEnd: usize, srcEnd: usize): void {
  if (len <= 32 && dst + 32 <= dstEnd && src + 32 <= srcEnd) {
    copy16(dst, src);
    if (len > 16) copy16(dst + 16, src + 16);
  } else if (len <= 256 && dst + len + 16 <= dstEnd && src + len + 16 <= srcEnd) {
    // Medium runs in 16-byte steps: cheaper than memory.copy, which is a call into the engine.
    copySteps(dst, src, dst + len);
  } else {
    memory.copy(dst, src, len);
  }
}

/**
 * Counts how many bytes at `a` equal those at `b`, comparing no byte at or past `aLimit` (b < a, so b stays in bounds
 * too).
 */
// @ts-ignore: decorator
@inline export function commonLength(a: usize, b: usize, aLimit: usize): usize {
  const start = a;
  if (ASC_FEATURE_SIMD) {
    while (a + 16 <= aLimit) {
      const diff = i8x16.bitmask(i8x16.ne(v128.load(a), v128.load(b)));
      if (diff != 0) return a - start + <usize>ctz<u32>(diff);
      a += 16;
      b += 16;
    }
  }
  while (a + 8 <= aLimit) {
    const diff = load<u64>(a) ^ load<u64>(b);
    if (diff != 0) return a - start + <usize>(ctz<u64>(diff) >> 3);
    a += 8;
    b += 8;
  }
  while (a < aLimit && load<u8>(a) == load<u8>(b)) {
    a++;
    b++;
  }
  return a - start;
}
