// A minimal PNG reader for test images (Node only: node:zlib inflates): 8-bit RGB, RGBA or palette, not interlaced.
import { inflateSync } from 'node:zlib';

export interface Rgb {
  width: number;
  height: number;
  /** width · height · 3 bytes, row by row. */
  data: Uint8Array;
}

export function readPng(file: Uint8Array): Rgb {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let width = 0, height = 0, colorType = 0;
  let palette: Uint8Array = new Uint8Array(0);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < file.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      colorType = body[9];
      if (body[8] !== 8 || body[12] !== 0 || ![2, 3, 6].includes(colorType)) throw new Error('readPng: only 8-bit RGB, RGBA or palette images, not interlaced');
    }
    if (type === 'PLTE') palette = body;
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const channels = colorType === 2 ? 3 : colorType === 6 ? 4 : 1;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[y * stride + i - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = left + up - upLeft;
      const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
      const predictor = [0, left, up, (left + up) >> 1, pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft][filter];
      pixels[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = channels === 1 ? palette[pixels[p] * 3 + c] : pixels[p * channels + c];
  }
  return { width, height, data };
}
