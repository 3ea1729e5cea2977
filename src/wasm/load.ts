// Compiles and instantiates the embedded kernel module: the SIMD build where the runtime validates the SIMD probe,
// the scalar build otherwise (or when asked). Compiled modules are cached, so further engines only instantiate.
import { TensorzipError } from '../errors';
import { decodeBase64 } from './base64';
import { SCALAR_WASM_BASE64 } from './generated/scalar';
import { SIMD_WASM_BASE64 } from './generated/simd';
import { Kernels } from './kernels';
import { runtimeHasSimd } from './simd-probe';

const compiled: { simd?: WebAssembly.Module; scalar?: WebAssembly.Module } = {};

/** Picks the build: `requested` true/false forces it (true fails where SIMD is missing); undefined detects. */
export function chooseSimd(requested: boolean | undefined): boolean {
  if (typeof WebAssembly !== 'object') {
    throw new TensorzipError('UNSUPPORTED', 'this runtime has no WebAssembly; tensorzip needs it');
  }
  if (requested === undefined) return runtimeHasSimd();
  if (requested && !runtimeHasSimd()) {
    throw new TensorzipError('UNSUPPORTED', 'simd: true was asked for, but this runtime does not support WebAssembly SIMD');
  }
  return requested;
}

function moduleBytes(simd: boolean): BufferSource {
  return decodeBase64(simd ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64) as BufferSource;
}

/** The compiled module of a build (compiled once): engines instantiate it, and workers receive it. */
export async function compiledModule(simd: boolean): Promise<WebAssembly.Module> {
  const key = simd ? 'simd' : 'scalar';
  return (compiled[key] ??= await WebAssembly.compile(moduleBytes(simd)));
}

/** Compiles off the main thread where the runtime can (WebAssembly.compile), then instantiates. */
export async function loadKernels(simd: boolean): Promise<Kernels> {
  return new Kernels(await WebAssembly.instantiate(await compiledModule(simd), {}));
}

/** Synchronous twin of loadKernels (browsers allow it on the main thread for modules under 8 MB; ours is ~10 KB). */
export function loadKernelsSync(simd: boolean): Kernels {
  const key = simd ? 'simd' : 'scalar';
  const module = (compiled[key] ??= new WebAssembly.Module(moduleBytes(simd)));
  return new Kernels(new WebAssembly.Instance(module, {}));
}
