// Cold start. V8 runs a WebAssembly function in its baseline tier (Liftoff) until the function has done a certain
// amount of work, then compiles it with its optimizing tier (TurboFan) in the background and uses that code from the
// function's NEXT call. The first decode after loading thus ran its first chunks several times slower than later
// ones (bench/cold-start.bench.ts). init() therefore decodes a sample through the hot kernels — LZ4 blocks (checked
// and unchecked loops, hashing), xxh32, unshuffle, sparse bitmask unpacking, affine dequantization — at least TRIGGER_ROUNDS times, then until
// a round runs several times faster than the first (the optimized code is in) or WARM_UP_MS have passed. It then
// touches the working space a 1 MiB chunk takes in WebAssembly memory, whose first-touch page faults the first decode
// would pay otherwise. Results never depend on any of this.
import { bindLz4 } from './codecs/lz4';
import { bindPipeline } from './codecs/pipeline';
import type { Kernels } from './wasm/kernels';

/** Rounds that start the tier-up of every hot kernel (V8's budget is work done: fewer rounds leave some in Liftoff). */
const TRIGGER_ROUNDS = 3;
/** After those, the longest init() waits for the optimized code, in ms from its start. */
const WARM_UP_MS = 40;
/** A round this many times faster than the first one runs the optimized code. */
const SPEED_UP = 4;
/** Float32 values in the sample: 256 KiB, four times the span of LZ4's checked loops. */
const SAMPLE_VALUES = 65536;
/** The working space a 1 MiB chunk takes: its input, two scratch buffers and its output, with room for LZ4's and a
 *  sparse mask's overhead. */
const CHUNK_WORKING_BYTES = 5 << 20;

/** Int8 codes (a fixed sequence) as quantized weights hold them: 32 distinct values, most of them small. */
function sampleCodes(): Uint8Array {
  const words = new Uint32Array(SAMPLE_VALUES / 4);
  let state = 1;
  for (let i = 0; i < words.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    words[i] = state & 0x8f8f8f8f;
  }
  return new Uint8Array(words.buffer);
}

/** Decodes a sample until the kernels run optimized code or WARM_UP_MS pass, then pre-faults the working space. */
export async function warmUp(kernels: Kernels): Promise<void> {
  const started = performance.now();
  const pipeline = bindPipeline(() => kernels);
  const lz4 = bindLz4(() => kernels);
  const plain = [{ codec: 'lz4' }] as const;
  const shuffled = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }] as const;
  const sparse = [{ codec: 'sparse', format: 'bitmask', width: 4 }, { codec: 'lz4' }] as const;
  // int8 codes, then their float32 values (rows of 256 with their own scales) shuffled, sparse-masked, and in a frame.
  const codes = pipeline.encodeChunk(sampleCodes(), [...plain]);
  const scale = new Float32Array(SAMPLE_VALUES / 256).map((_, row) => 2 ** -(row % 8) / 64);
  const int8 = { dtype: 'int8', count: SAMPLE_VALUES, shape: [SAMPLE_VALUES / 256, 256], axis: 0, scale } as const;
  const weights = pipeline.decodeChunk(codes, [...plain], int8);
  const bytes = new Uint8Array(weights.buffer);
  const floats = pipeline.encodeChunk(bytes, [...shuffled]);
  const masked = pipeline.encodeChunk(bytes, [...sparse]);
  const frame = lz4.compress(bytes);
  kernels.reset();
  const staged = kernels.alloc(floats.length);
  kernels.heap.set(floats, staged);
  const checksum = kernels.xxh32(staged, floats.length);
  let first = 0;
  for (let round = 1; ; round++) {
    const roundStart = performance.now();
    pipeline.decodeChunk(floats, [...shuffled], { dtype: 'float32', count: SAMPLE_VALUES, out: weights, checksum });
    pipeline.decodeChunk(codes, [...plain], { ...int8, out: weights });
    pipeline.decodeChunk(masked, [...sparse], { dtype: 'float32', count: SAMPLE_VALUES, out: weights });
    lz4.decompress(frame);
    const now = performance.now();
    if (round === 1) first = now - roundStart;
    if (round >= TRIGGER_ROUNDS && ((now - roundStart) * SPEED_UP < first || now - started > WARM_UP_MS)) break;
    await new Promise((resolve) => setTimeout(resolve, 1)); // leaves the compiler threads the CPU
  }
  kernels.reset();
  const working = kernels.alloc(CHUNK_WORKING_BYTES);
  kernels.heap.fill(0, working, working + CHUNK_WORKING_BYTES);
  kernels.reset();
}
