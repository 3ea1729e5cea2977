// Readable references for the shuffle filters, written from the definitions in research/formats.md (A6.1, A6.2).

/** Blosc byte shuffle: out[j·n + i] = in[i·T + j], the len mod T tail copied. */
export function referenceShuffle(input: Uint8Array, typesize: number): Uint8Array {
  const n = Math.floor(input.length / typesize);
  const out = Uint8Array.from(input); // the tail keeps its bytes
  for (let i = 0; i < n; i++) for (let j = 0; j < typesize; j++) out[j * n + i] = input[i * typesize + j];
  return out;
}

/** Blosc2 bitshuffle: the first n − n mod 8 elements as 8·T bit planes (plane 8j + k = bit k of byte j), element e
 *  in bit e mod 8 of byte ⌊e/8⌋ of its plane; everything after them copied. */
export function referenceBitshuffle(input: Uint8Array, typesize: number): Uint8Array {
  const n8 = Math.floor(input.length / typesize / 8) * 8;
  const planeBytes = n8 / 8;
  const out = Uint8Array.from(input);
  out.fill(0, 0, n8 * typesize);
  for (let e = 0; e < n8; e++) {
    for (let j = 0; j < typesize; j++) {
      for (let k = 0; k < 8; k++) {
        const bit = (input[e * typesize + j] >> k) & 1;
        out[(8 * j + k) * planeBytes + (e >> 3)] |= bit << (e & 7);
      }
    }
  }
  return out;
}
