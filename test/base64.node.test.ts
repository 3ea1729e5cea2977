// The embedded kernels' base64 decoder, on each path it takes (Node's Buffer; atob and a loop where there is no
// Buffer), against Node's own decoding of bytes of every length mod 3 (padding '=', '==' and none).
import { afterEach, expect, it, vi } from 'vitest';
import { decodeBase64 } from '../src/wasm/base64';

const samples = [0, 1, 2, 3, 4, 5, 255, 256, 257, 65_536].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 151 + (i >> 3)) & 255));
const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

afterEach(() => vi.unstubAllGlobals());

it('decodes with Node\'s Buffer', () => {
  for (const bytes of samples) expect(decodeBase64(encode(bytes))).toEqual(bytes);
});

it('decodes with atob where there is no Buffer', () => {
  const encoded = samples.map(encode);
  vi.stubGlobal('Buffer', undefined);
  encoded.forEach((text, i) => expect(decodeBase64(text)).toEqual(samples[i]));
});
