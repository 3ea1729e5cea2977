// Arenas: decoders whose results stay in WebAssembly memory. A decoder that returns a new array elsewhere must copy
// its results out of that memory, a copy as long as the results themselves; in an arena the kernels write each
// result where the caller reads it. The price is a fixed capacity and a lifetime: results live until reset().
import { bindQuant, type Quant } from './codecs/quant';
import { TensorzipError } from './errors';
import { describeValue } from './codecs/describe-value';
import { chooseSimd, loadKernels } from './wasm/load';
import type { Kernels } from './wasm/kernels';

export interface ArenaOptions {
  /** Bytes of results the arena holds between resets, rounded up to a multiple of 16 (a float32 result of n values
   *  takes 4n, rounded up to 16). Reserved up front, with 2 MiB of working space on top. */
  bytes: number;
  /** As for createEngine: true the SIMD build, false the scalar build, omitted detect. */
  simd?: boolean;
}

/** The decoders of Quant, with results placed in the arena (an `out` array given is written instead, as in Quant). */
export type ArenaQuant = Pick<Quant, 'dequantize' | 'decodeFloat16' | 'decodeBfloat16' | 'decodeFp8E4M3' |
  'decodeFp8E5M2' | 'decodeTfjsWeight'>;

export interface Arena {
  /** Whether this arena runs the SIMD build. */
  readonly simd: boolean;
  /** Bytes of results it holds between resets (`bytes` rounded up to a multiple of 16). */
  readonly capacity: number;
  /** Bytes its results take since the last reset. */
  readonly used: number;
  readonly quant: ArenaQuant;
  /**
   * Frees every result at once. The arrays handed out before are detached: they read as empty (length 0), never as
   * the next results. Copy out (`result.slice()`) what must outlive the reset.
   */
  reset(): void;
}

/** Working space above the results: the most any arena decoder takes in one call is ~1.4 MiB (affine
 *  dequantization staging 128 Ki scales and zero points, with an output to copy to). */
const WORKING_BYTES = 2 * 1024 * 1024;

/**
 * Makes an arena with its own kernel instance and a memory sized once for `bytes` of results. A result that does not
 * fit throws LIMIT (and takes nothing); a call that fails gives back what it took.
 * @example
 * const arena = await createArena({ bytes: 64 * 1024 * 1024 });
 * const weights = arena.quant.dequantize(q);      // a Float32Array whose buffer is the arena's memory
 * const bias = arena.quant.decodeFloat16(halves);
 * arena.used;                                     // weights.byteLength + bias.byteLength, each rounded up to 16
 * arena.reset();                                  // weights.length and bias.length are now 0
 */
export async function createArena(options: ArenaOptions): Promise<Arena> {
  const bytes = options?.bytes;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new TensorzipError('ARGUMENT', `createArena bytes: expected a whole number of bytes ≥ 1, found ${describeValue(bytes)}`);
  }
  const capacity = Math.ceil(bytes / 16) * 16; // results are aligned to 16: a result of `bytes` bytes fits
  const kernels = await loadKernels(chooseSimd(options.simd));
  kernels.keepResults(capacity, WORKING_BYTES);
  const quant = bindQuant(() => kernels);
  return {
    simd: kernels.simd,
    capacity,
    get used() {
      return kernels.resultBytes;
    },
    quant: {
      dequantize: givingBackOnFailure(kernels, quant.dequantize),
      decodeFloat16: givingBackOnFailure(kernels, quant.decodeFloat16),
      decodeBfloat16: givingBackOnFailure(kernels, quant.decodeBfloat16),
      decodeFp8E4M3: givingBackOnFailure(kernels, quant.decodeFp8E4M3),
      decodeFp8E5M2: givingBackOnFailure(kernels, quant.decodeFp8E5M2),
      decodeTfjsWeight: givingBackOnFailure(kernels, quant.decodeTfjsWeight),
    },
    reset: () => kernels.dropResults(),
  };
}

/** `decode`, except that when it throws, the results it retained are given back. */
function givingBackOnFailure<A extends unknown[], R>(kernels: Kernels, decode: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    const before = kernels.resultBytes;
    try {
      return decode(...args);
    } catch (err) {
      kernels.dropResultsAfter(before);
      throw err;
    }
  };
}
