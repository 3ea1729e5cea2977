// float32 ⇄ float16 (IEEE binary16) and float32 ⇄ bfloat16; the rounding rules are in assembly/float16.ts.
import { TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { mapElements, type ElementKernel } from '../map-elements';
import { allocateForOverwrite } from '../output-bytes';

function expect<T>(data: unknown, type: { new (...args: never[]): T; name: string }, what: string): T {
  if (data instanceof type) return data;
  const found = data === null ? 'null' : typeof data === 'object' ? data.constructor?.name ?? 'object' : typeof data;
  throw new TensorzipError('ARGUMENT', `${what}: expected a ${type.name}, found ${found}`);
}

function toHalves(kernels: Kernels, data: unknown, what: string, kernel: ElementKernel): Uint16Array {
  const input = expect(data, Float32Array, what);
  const output = new Uint16Array(allocateForOverwrite(input.length * 2).buffer, 0, input.length);
  mapElements(kernels, input, 4, output, 2, kernel);
  return output;
}

function fromHalves(kernels: Kernels, data: unknown, what: string, kernel: ElementKernel): Float32Array {
  const input = expect(data, Uint16Array, what);
  const output = new Float32Array(allocateForOverwrite(input.length * 4).buffer, 0, input.length);
  mapElements(kernels, input, 2, output, 4, kernel);
  return output;
}

export function encodeFloat16(kernels: Kernels, data: Float32Array): Uint16Array {
  return toHalves(kernels, data, 'quant.encodeFloat16 data', kernels.exports.f32ToF16);
}

export function decodeFloat16(kernels: Kernels, data: Uint16Array): Float32Array {
  return fromHalves(kernels, data, 'quant.decodeFloat16 data', kernels.exports.f16ToF32);
}

export function encodeBfloat16(kernels: Kernels, data: Float32Array): Uint16Array {
  return toHalves(kernels, data, 'quant.encodeBfloat16 data', kernels.exports.f32ToBf16);
}

export function decodeBfloat16(kernels: Kernels, data: Uint16Array): Float32Array {
  return fromHalves(kernels, data, 'quant.decodeBfloat16 data', kernels.exports.bf16ToF32);
}
