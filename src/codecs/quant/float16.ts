// float32 ⇄ float16 (IEEE binary16) and float32 ⇄ bfloat16; the rounding rules are in assembly/float16.ts.
import type { Kernels } from '../../wasm/kernels';
import { mapElements, type ElementKernel } from '../map-elements';
import { allocateForOverwrite, newFloat32Result } from '../output-bytes';
import { expectArray } from './expect-array';

function toHalves(kernels: Kernels, data: unknown, what: string, kernel: ElementKernel): Uint16Array {
  const input = expectArray(data, Float32Array, what);
  const output = new Uint16Array(allocateForOverwrite(input.length * 2).buffer, 0, input.length);
  mapElements(kernels, input, 4, output, 2, kernel);
  return output;
}

function fromHalves(kernels: Kernels, data: unknown, what: string, kernel: ElementKernel): Float32Array {
  const input = expectArray(data, Uint16Array, what);
  const output = newFloat32Result(kernels, input.length);
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
