// tfjs-core's float16 decoder, as a peer row for the benchmarks: three lookup tables, two adds per value.
const mantissa = new Uint32Array(2048);
const exponent = new Uint32Array(64);
const offset = new Uint32Array(64);
for (let i = 1; i < 1024; i++) {
  let m = i << 13, e = 0;
  while ((m & 0x00800000) === 0) { e -= 0x00800000; m <<= 1; }
  mantissa[i] = (m & ~0x00800000) | (e + 0x38800000);
}
for (let i = 1024; i < 2048; i++) mantissa[i] = 0x38000000 + ((i - 1024) << 13);
for (let i = 1; i < 31; i++) exponent[i] = i << 23;
exponent[31] = 0x47800000; exponent[32] = 0x80000000;
for (let i = 33; i < 63; i++) exponent[i] = 0x80000000 + ((i - 32) << 23);
exponent[63] = 0xc7800000;
offset.fill(1024); offset[0] = 0; offset[32] = 0;

/** float16 codes → float32 bits, the tfjs-core way. */
export function tfjsTableDecode(codes: Uint16Array, out: Uint32Array): void {
  for (let i = 0; i < codes.length; i++) {
    const h = codes[i];
    out[i] = mantissa[offset[h >> 10] + (h & 0x3ff)] + exponent[h >> 10];
  }
}
