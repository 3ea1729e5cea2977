// GGML block formats written from llama.cpp's reference code as described in formats.md (A3): one block at a time,
// plain numbers with Math.fround after every float32 operation. Slow and obvious, the judge for the kernels.
import { floatOf, referenceDecodeFloat16, referenceEncodeFloat16, bitsOf } from './float16';

const f = Math.fround;
const half = (bytes: Uint8Array, at: number) => floatOf(referenceDecodeFloat16(bytes[at] | (bytes[at + 1] << 8)));
function putHalf(bytes: Uint8Array, at: number, value: number): void {
  const h = referenceEncodeFloat16(bitsOf(value));
  bytes[at] = h & 255;
  bytes[at + 1] = h >> 8;
}
/** C roundf: halfway cases away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
const cInt = (x: number) => Math.trunc(x);

export function referenceEncodeQ8_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length / 32 * 34);
  for (let b = 0; b < x.length / 32; b++) {
    const v = x.subarray(b * 32, b * 32 + 32);
    const amax = Math.max(...Array.from(v, Math.abs));
    const d = f(amax / 127);
    const id = d !== 0 ? f(1 / d) : 0;
    putHalf(out, b * 34, d);
    for (let j = 0; j < 32; j++) out[b * 34 + 2 + j] = roundAway(f(v[j] * id)) & 255;
  }
  return out;
}

export function referenceEncodeQ4_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length / 32 * 18);
  for (let b = 0; b < x.length / 32; b++) {
    const v = x.subarray(b * 32, b * 32 + 32);
    let amax = 0, max = 0;
    for (const value of v) if (amax < Math.abs(value)) { amax = Math.abs(value); max = value; }
    const d = f(max / -8);
    const id = d !== 0 ? f(1 / d) : 0;
    putHalf(out, b * 18, d);
    for (let j = 0; j < 16; j++) {
      const lo = Math.min(15, cInt(f(f(v[j] * id) + 8.5)));
      const hi = Math.min(15, cInt(f(f(v[j + 16] * id) + 8.5)));
      out[b * 18 + 2 + j] = lo | (hi << 4);
    }
  }
  return out;
}

export function referenceEncodeQ4_1(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length / 32 * 20);
  for (let b = 0; b < x.length / 32; b++) {
    const v = x.subarray(b * 32, b * 32 + 32);
    const min = Math.min(...v), max = Math.max(...v);
    const d = f(f(max - min) / 15);
    const id = d !== 0 ? f(1 / d) : 0;
    putHalf(out, b * 20, d);
    putHalf(out, b * 20 + 2, min);
    for (let j = 0; j < 16; j++) {
      const lo = Math.min(15, cInt(f(f(f(v[j] - min) * id) + 0.5)));
      const hi = Math.min(15, cInt(f(f(f(v[j + 16] - min) * id) + 0.5)));
      out[b * 20 + 4 + j] = lo | (hi << 4);
    }
  }
  return out;
}

export function referenceDecodeQ8_0(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 34 * 32);
  for (let b = 0; b < bytes.length / 34; b++) {
    const d = half(bytes, b * 34);
    for (let j = 0; j < 32; j++) out[b * 32 + j] = ((bytes[b * 34 + 2 + j] << 24) >> 24) * d;
  }
  return out;
}

export function referenceDecodeQ4_0(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 18 * 32);
  for (let b = 0; b < bytes.length / 18; b++) {
    const d = half(bytes, b * 18);
    for (let j = 0; j < 16; j++) {
      const q = bytes[b * 18 + 2 + j];
      out[b * 32 + j] = ((q & 15) - 8) * d;
      out[b * 32 + j + 16] = ((q >> 4) - 8) * d;
    }
  }
  return out;
}

export function referenceDecodeQ4_1(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 20 * 32);
  for (let b = 0; b < bytes.length / 20; b++) {
    const d = half(bytes, b * 20), m = half(bytes, b * 20 + 2);
    for (let j = 0; j < 16; j++) {
      const q = bytes[b * 20 + 4 + j];
      out[b * 32 + j] = f((q & 15) * d) + m;
      out[b * 32 + j + 16] = f((q >> 4) * d) + m;
    }
  }
  return out;
}

/** get_scale_min_k4: sub-block j's 6-bit scale and min from the 12 packed bytes. */
export function referenceScaleMinK4(scales: Uint8Array, j: number): [number, number] {
  if (j < 4) return [scales[j] & 63, scales[j + 4] & 63];
  return [(scales[j + 4] & 0xf) | ((scales[j - 4] >> 6) << 4), (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4)];
}

export function referenceDecodeQ4_K(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 144 * 256);
  for (let b = 0; b < bytes.length / 144; b++) {
    const block = bytes.subarray(b * 144, b * 144 + 144);
    const d = half(block, 0), dmin = half(block, 2);
    const scales = block.subarray(4, 16);
    for (let c = 0; c < 4; c++) {
      const [sc1, m1] = referenceScaleMinK4(scales, 2 * c);
      const [sc2, m2] = referenceScaleMinK4(scales, 2 * c + 1);
      const d1 = f(d * sc1), min1 = f(dmin * m1), d2 = f(d * sc2), min2 = f(dmin * m2);
      for (let l = 0; l < 32; l++) {
        const q = block[16 + 32 * c + l];
        out[b * 256 + 64 * c + l] = f(d1 * (q & 15)) - min1;
        out[b * 256 + 64 * c + 32 + l] = f(d2 * (q >> 4)) - min2;
      }
    }
  }
  return out;
}
