// float32 ⇄ float16 (IEEE binary16) and float32 ⇄ bfloat16; the rounding rules are in assembly/float16.ts.
import type { Kernels } from '../../wasm/kernels';
import { mapElements, type ElementKernel } from '../map-elements';
import { allocateForOverwrite } from '../output-bytes';
import { expectArray } from './expect-array';
import { float32Target } from './float32-target';

function toHalves(kernels: Kernels, data: unknown, what: string, kernel: ElementKernel): Uint16Array {
  const input = expectArray(data, Float32Array, what);
  const output = new Uint16Array(allocateForOverwrite(input.length * 2).buffer, 0, input.length);
  mapElements(kernels, input, 4, output, 2, kernel);
  return output;
}

function fromHalves(kernels: Kernels, data: unknown, out: unknown, what: string, kernel: ElementKernel): Float32Array {
  const input = expectArray(data, Uint16Array, `${what} data`);
  const output = float32Target(kernels, out, input.length, `${what} out`);
  mapElements(kernels, input, 2, output, 4, kernel);
  return output;
}

export function encodeFloat16(kernels: Kernels, data: Float32Array): Uint16Array {
  return toHalves(kernels, data, 'quant.encodeFloat16 data', kernels.exports.f32ToF16);
}

export function decodeFloat16(kernels: Kernels, data: Uint16Array, out?: Float32Array): Float32Array {
  return fromHalves(kernels, data, out, 'quant.decodeFloat16', kernels.exports.f16ToF32);
}

export function encodeBfloat16(kernels: Kernels, data: Float32Array): Uint16Array {
  return toHalves(kernels, data, 'quant.encodeBfloat16 data', kernels.exports.f32ToBf16);
}

export function decodeBfloat16(kernels: Kernels, data: Uint16Array, out?: Float32Array): Float32Array {
  return fromHalves(kernels, data, out, 'quant.decodeBfloat16', kernels.exports.bf16ToF32);
}
