// Element helpers shared by the sparse kernels, for elements of 1, 2 or 4 bytes. "Zero" is all bits zero.

/** Whether the sparse kernels take elements of `width` bytes. */
// @ts-ignore: decorator
@inline export function validWidth(width: usize): bool {
  return width == 1 || width == 2 || width == 4;
}

// @ts-ignore: decorator
@inline export function isNonZero(p: usize, width: usize): bool {
  if (width == 4) return load<u32>(p) != 0;
  if (width == 2) return load<u16>(p) != 0;
  return load<u8>(p) != 0;
}

// @ts-ignore: decorator
@inline export function copyElement(dst: usize, src: usize, width: usize): void {
  if (width == 4) store<u32>(dst, load<u32>(src));
  else if (width == 2) store<u16>(dst, load<u16>(src));
  else store<u8>(dst, load<u8>(src));
}

// @ts-ignore: decorator
@inline export function storeZero(dst: usize, width: usize): void {
  if (width == 4) store<u32>(dst, 0);
  else if (width == 2) store<u16>(dst, 0);
  else store<u8>(dst, 0);
}
