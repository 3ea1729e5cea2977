// Cold start. V8 compiles a WebAssembly function on its first call (lazily), runs it in its baseline tier (Liftoff)
// until the function has done a certain amount of work, then compiles it with its optimizing tier (TurboFan) in the
// background and uses that code from the function's NEXT call. The first decode after loading thus ran its first
// chunks several times slower than later ones (bench/cold-start.bench.ts). init() therefore decodes a sample through
// the hot kernels — LZ4 blocks (checked and unchecked loops, hashing), xxh32, unshuffle, sparse bitmask unpacking,
// Huffman and interleaved rANS blocks, affine dequantization, float16 widening — at least TRIGGER_ROUNDS times, then
// until a round runs several times faster than the first (the optimized code is in) or WARM_UP_MS have passed. It
// then touches the working space a 1 MiB chunk takes in WebAssembly memory, whose first-touch page faults the first
// decode would pay otherwise. open() of a URL or stream runs the same rounds while its first bytes download
// (`until`: the download), one decode at a time, so that the compiling is done in time the network leaves idle.
// Results never depend on any of this.
import { bindLz4 } from './codecs/lz4';
import { bindPipeline } from './codecs/pipeline';
import type { ChunkTarget, PipelineStage } from './codecs/pipeline';
import type { Kernels } from './wasm/kernels';
import { xxh32 } from './codecs/checksum';

/** Rounds that start the tier-up of every hot kernel (V8's budget is work done: fewer rounds leave some in Liftoff). */
const TRIGGER_ROUNDS = 3;
/** After those, the longest init() waits for the optimized code, in ms from its start. */
const WARM_UP_MS = 40;
/** A round this many times faster than the first one runs the optimized code. */
const SPEED_UP = 4;
/** Float32 values in init()'s sample: 256 KiB, four times the span of LZ4's checked loops. */
const SAMPLE_VALUES = 65536;
/** Float32 values in the sample open() decodes while its first bytes download: 64 KiB, so that each step (a sample
 *  encoded, a decode) takes the calling thread for well under a millisecond once compiled. */
const DOWNLOAD_SAMPLE_VALUES = 16384;
/** The working space a 1 MiB chunk takes: its input, two scratch buffers and its output, with room for LZ4's and a
 *  sparse mask's overhead. */
const CHUNK_WORKING_BYTES = 5 << 20;

/** Int8 codes (a fixed sequence) as quantized weights hold them: 32 distinct values, most of them small. */
function sampleCodes(values: number): Uint8Array {
  const words = new Uint32Array(values / 4);
  let state = 1;
  for (let i = 0; i < words.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    words[i] = state & 0x8f8f8f8f;
  }
  return new Uint8Array(words.buffer);
}

/** A sample's decode, and what encodes the sample (once, before the first decode). */
interface SampleDecode {
  prepare(): void;
  decode(): void;
}

/** The decodes of one round, over `values` float32 values (a multiple of 256). */
function sampleDecodes(kernels: Kernels, values: number): SampleDecode[] {
  const pipeline = bindPipeline(() => kernels);
  const lz4 = bindLz4(() => kernels);
  const stages = (...list: PipelineStage[]) => list;
  const plain = stages({ codec: 'lz4' });
  // int8 codes, then their float32 values (rows of 256 with their own scales) shuffled, sparse-masked, and in a frame.
  const sample = sampleCodes(values);
  let codes: Uint8Array = new Uint8Array(0);
  const scale = new Float32Array(values / 256).map((_, row) => 2 ** -(row % 8) / 64);
  const weights = new Float32Array(values);
  const bytes = new Uint8Array(weights.buffer);
  const int8 = { dtype: 'int8', count: values, shape: [values / 256, 256], axis: 0, scale, out: weights } as const;
  const float32 = { dtype: 'float32', count: values, out: weights } as const;
  /** A decode of `input` encoded through `list` into `target` (the chunk's checksum checked with `checked`). */
  const decodeOf = (input: Uint8Array, list: PipelineStage[], target: ChunkTarget, checked = false): SampleDecode => {
    let encoded: Uint8Array = new Uint8Array(0);
    let checksum: number | undefined;
    return {
      prepare: () => {
        encoded = pipeline.encodeChunk(input, list);
        if (checked) checksum = xxh32(kernels, encoded);
      },
      decode: () => void pipeline.decodeChunk(encoded, list, { ...target, checksum }),
    };
  };
  let frame: Uint8Array = new Uint8Array(0);
  return [
    // The first one makes the float32 values the others encode.
    { prepare: () => void pipeline.decodeChunk(codes = pipeline.encodeChunk(sample, plain), plain, int8), decode: () => void pipeline.decodeChunk(codes, plain, int8) },
    decodeOf(bytes, stages({ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }), float32, true),
    decodeOf(bytes, stages({ codec: 'sparse', format: 'bitmask', width: 4 }, { codec: 'lz4' }), float32),
    { prepare: () => void (frame = lz4.compress(bytes)), decode: () => void lz4.decompress(frame) },
    decodeOf(sample, stages({ codec: 'huffman', planes: 1 }), int8),
    decodeOf(bytes, stages({ codec: 'shuffle', typesize: 4 }, { codec: 'huffman', planes: 4 }), float32),
    decodeOf(bytes.subarray(0, values * 2), stages({ codec: 'shuffle', typesize: 2 }, { codec: 'huffman', planes: 2 }),
      { dtype: 'float16', count: values, out: weights }),
    decodeOf(sample, stages({ codec: 'rans_lanes', planes: 1 }), int8),
  ];
}

/** Leaves the compiler threads the CPU. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
/** Leaves the calling thread to what else waits for it (the network's callbacks): a task later, without setTimeout's
 *  1 ms or more where the runtime has setImmediate (Node). */
const yieldTask = (): Promise<unknown> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Decodes samples until the kernels run optimized code or WARM_UP_MS pass, then pre-faults the working space. With
 * `until`, it stops as soon as that settles (checked before each decode), and leaves the working space untouched (a
 * small model never needs it). Returns whether it ran to its end.
 */
export async function warmUp(kernels: Kernels, until?: Promise<unknown>): Promise<boolean> {
  let stopped = false;
  until?.then(() => (stopped = true), () => (stopped = true));
  /** Whether to stop: `until` has settled by the end of a pause. */
  const stop = async () => {
    if (until === undefined) return false;
    await yieldTask();
    return stopped;
  };
  const started = performance.now();
  if (await stop()) return false;
  const decodes = sampleDecodes(kernels, until ? DOWNLOAD_SAMPLE_VALUES : SAMPLE_VALUES);
  // Each sample is encoded (and the first decode made) in a step of its own, as each decode is.
  for (const { prepare } of decodes) {
    if (await stop()) return false;
    prepare();
  }
  let first = 0;
  for (let round = 1; ; round++) {
    // The time the decodes take, not the pauses between them.
    let busy = 0;
    for (const { decode } of decodes) {
      if (await stop()) return false;
      const start = performance.now();
      decode();
      busy += performance.now() - start;
    }
    if (round === 1) first = busy;
    if (round >= TRIGGER_ROUNDS && (busy * SPEED_UP < first || performance.now() - started > WARM_UP_MS)) break;
    if (!until) await pause();
  }
  kernels.reset();
  if (until) return true;
  const working = kernels.alloc(CHUNK_WORKING_BYTES);
  kernels.heap.fill(0, working, working + CHUNK_WORKING_BYTES);
  kernels.reset();
  return true;
}
