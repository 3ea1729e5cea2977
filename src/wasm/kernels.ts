// One instance of the kernel module and the working space its callers use. Buffers are taken with alloc() above the
// module's static data and all dropped by reset(); memory grows in alloc() only, which re-derives `heap` after growth
// (growing detaches the old ArrayBuffer). Callers reset() before and after each public call.
// An instance may instead keep results (keepResults): its memory is sized once and never grows, results are taken
// with retain() below the working space and stay until dropResults(), which detaches every view of them.
import { TensorzipError } from '../errors';

/** The raw exports of assembly/index.ts. Pointers and lengths are byte addresses in `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  simdBuild(): number;
  lz4Bound(n: number): number;
  lz4CompressBlock(src: number, srcLen: number, dst: number, dstCap: number, acceleration: number): number;
  lz4DecompressBlock(src: number, srcLen: number, dst: number, dstCap: number, history: number, hashState: number): number;
  xxh32(p: number, len: number, seed: number): number;
  xxh32StateBytes(): number;
  xxh32Reset(state: number, seed: number): void;
  xxh32Update(state: number, p: number, len: number): void;
  xxh32Digest(state: number): number;
  jsonArrayElements(src: number, len: number, out: number, maxDepth: number): number;
  jsonArrayElementsBytes(maxDepth: number): number;
  f32ToF16(src: number, count: number, dst: number, dstCap: number): number;
  f16ToF32(src: number, count: number, dst: number, dstCap: number): number;
  f32ToBf16(src: number, count: number, dst: number, dstCap: number): number;
  bf16ToF32(src: number, count: number, dst: number, dstCap: number): number;
  f32ToFp8E4M3(src: number, count: number, dst: number, dstCap: number, saturate: number): number;
  f32ToFp8E5M2(src: number, count: number, dst: number, dstCap: number, saturate: number): number;
  fp8E4M3ToF32(src: number, count: number, dst: number, dstCap: number): number;
  fp8E5M2ToF32(src: number, count: number, dst: number, dstCap: number): number;
  affineLayoutBytes(): number;
  quantizeLinear(src: number, count: number, dst: number, dstCap: number, layout: number, scales: number,
    zeroPoints: number, qmin: number, qmax: number): number;
  dequantizeLinear(src: number, count: number, dst: number, dstCap: number, layout: number, scales: number,
    zeroPoints: number, signed: number): number;
  packNibbles(src: number, count: number, dst: number, dstCap: number): number;
  unpackNibbles(src: number, count: number, dst: number, dstCap: number, signed: number): number;
  errorStatsBytes(): number;
  accumulateError(original: number, restored: number, count: number, acc: number): void;
  dequantizeTfjs(src: number, count: number, dst: number, dstCap: number, scale: number, min: number, wide: number): number;
  byteShuffle(src: number, len: number, dst: number, dstCap: number, typesize: number): number;
  byteUnshuffle(src: number, len: number, dst: number, dstCap: number, typesize: number): number;
  bitShuffle(src: number, len: number, dst: number, dstCap: number, typesize: number): number;
  bitUnshuffle(src: number, len: number, dst: number, dstCap: number, typesize: number): number;
  deltaEncode(src: number, count: number, dst: number, dstCap: number, width: number): number;
  deltaDecode(src: number, count: number, dst: number, dstCap: number, width: number): number;
  predictEncode(src: number, len: number, dst: number, dstCap: number, lag: number, weight: number): number;
  predictDecode(src: number, len: number, dst: number, dstCap: number, lag: number, weight: number): number;
  predictCounts(src: number, len: number, lag: number, counts: number): void;
  channelSums(src: number, len: number, channels: number, run: number, out: number): void;
  channelHistograms(src: number, len: number, channels: number, run: number, rows: number, counts: number): void;
  regroupGather(src: number, len: number, channels: number, run: number, order: number, groupEnds: number, groups: number, dst: number): number;
  countNonZero(src: number, count: number, width: number): number;
  bitmaskPack(src: number, count: number, width: number, dst: number, dstCap: number): number;
  bitmaskUnpack(src: number, srcLen: number, count: number, width: number, dst: number, dstCap: number): number;
  bitmaskExpand(src: number, count: number, values: number, available: number, width: number, dst: number, dstCap: number): number;
  maskPopcount(p: number, len: number): number;
  csrPack(src: number, rows: number, cols: number, width: number, dst: number, dstCap: number): number;
  csrUnpack(src: number, srcLen: number, rows: number, cols: number, width: number, dst: number, dstCap: number): number;
  pack24(src: number, count: number, width: number, dst: number, dstCap: number): number;
  unpack24(src: number, srcLen: number, count: number, width: number, dst: number, dstCap: number): number;
  decodeChunk(program: number, stages: number, src: number, srcLen: number, scratchA: number, scratchB: number,
    scratchCap: number, dst: number, dstCap: number, checksumOut: number): number;
  huffmanBound(n: number): number;
  huffmanEncode(src: number, srcLen: number, dst: number, dstCap: number): number;
  /** The bits (u64 at dst) of the code huffmanEncode makes for 256 u32 counts; 8, or ARGUMENT under two values. */
  huffmanCodeBits(counts: number, dst: number): number;
  huffmanDecode(src: number, srcLen: number, dst: number, dstCap: number): number;
  huffmanDecodedSize(src: number, srcLen: number): number;
  huffmanContextEncode(src: number, srcLen: number, dst: number, dstCap: number): number;
  huffmanContextDecode(src: number, srcLen: number, dst: number, dstCap: number): number;
  huffmanContextDecodedSize(src: number, srcLen: number): number;
  ransEncode(src: number, srcLen: number, dst: number, dstCap: number): number;
  ransDecode(src: number, srcLen: number, dst: number, dstCap: number): number;
  ransLanesEncode(src: number, srcLen: number, dst: number, dstCap: number): number;
  ransLanesDecode(src: number, srcLen: number, dst: number, dstCap: number): number;
  ggmlEncodeQ8_0(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlEncodeQ4_0(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlEncodeQ4_1(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlDecodeQ8_0(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlDecodeQ4_0(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlDecodeQ4_1(src: number, blocks: number, dst: number, dstCap: number): number;
  ggmlDecodeQ4_K(src: number, blocks: number, dst: number, dstCap: number): number;
}

const PAGE_BYTES = 65536;
/** Buffers start at 64 KiB or above: the LZ4 block decoder's fast loops only run on windows that start there (below,
 *  a match's start address could wrap around 0), so every block the facade decodes gets them. */
const LZ4_FAST_FLOOR = 65536;

/** wasm32 addresses end at 4 GiB; engines may refuse to grow earlier, which alloc() reports the same way. */
const ADDRESS_SPACE = 2 ** 32;

export class Kernels {
  readonly exports: KernelExports;
  /** True for the SIMD build. */
  readonly simd: boolean;
  private readonly base: number;
  /** Where working space starts: above the retained results. */
  private floor: number;
  private top: number;
  /** The memory as bytes, taken again whenever this instance grows it (nothing else does: the kernels never
   *  allocate), so that `heap` and alloc() do not ask the memory for its buffer on every call. */
  private view: Uint8Array;
  /** Bytes results may take (keepResults); 0 when this instance keeps none and its memory may grow. */
  private resultCapacity = 0;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.simd = this.exports.simdBuild() === 1;
    this.base = Math.max(this.exports.heapBase() >>> 0, LZ4_FAST_FLOOR);
    this.floor = this.base;
    this.top = this.base;
    this.view = new Uint8Array(this.exports.memory.buffer);
  }

  /** Sizes the memory once for `capacity` bytes of results plus `working` bytes of working space, and stops it
   *  from growing, so that views of the results stay valid. Call it on a fresh instance. */
  keepResults(capacity: number, working: number): void {
    if (!(capacity > 0)) throw new TensorzipError('ARGUMENT', `a result capacity is at least 1 byte, found ${capacity}`);
    this.growTo(this.base + capacity + working, capacity + working);
    this.resultCapacity = capacity;
  }

  /** Whether this instance keeps results (see keepResults). */
  get keepsResults(): boolean {
    return this.resultCapacity > 0;
  }

  /** Bytes the retained results take. */
  get resultBytes(): number {
    return this.floor - this.base;
  }

  /** Retains `size` bytes for a result until dropResults() and returns their address (aligned to 16). Take results
   *  before any working space of the call. */
  retain(size: number): number {
    const start = this.floor;
    const end = start + Math.ceil(size / 16) * 16;
    if (end - this.base > this.resultCapacity) {
      throw new TensorzipError('LIMIT', `the arena is full: a ${size}-byte result takes ${end - start} (results are aligned to 16), and ${this.resultCapacity - this.resultBytes} of ${this.resultCapacity} bytes are left; reset() it or create a larger one`);
    }
    this.floor = this.top = end;
    return start;
  }

  /** Gives back results retained after the first `bytes` (those of a call that failed: no view of them escaped). */
  dropResultsAfter(bytes: number): void {
    this.floor = this.top = this.base + bytes;
  }

  /** Drops every retained result and detaches the views of them (growing by 0 pages replaces the ArrayBuffer). */
  dropResults(): void {
    this.floor = this.top = this.base;
    this.exports.memory.grow(0);
    this.view = new Uint8Array(this.exports.memory.buffer);
  }

  /** The module's whole memory as bytes; take it again after any alloc(). */
  get heap(): Uint8Array {
    return this.view;
  }

  /** Reserves `size` bytes aligned to 16 and returns their address, growing the memory when needed. */
  alloc(size: number): number {
    const start = this.top;
    const end = start + Math.ceil(size / 16) * 16;
    const available = this.view.length;
    if (end > available) {
      if (this.keepsResults) throw new TensorzipError('LIMIT', `the arena's working space is full: ${end - this.floor} bytes asked for, ${available - this.floor} there`);
      this.growTo(end, end - this.base);
    }
    this.top = end;
    return start;
  }

  /** Grows the memory to at least `end` bytes, or throws LIMIT naming the `bytes` of working space asked for. */
  private growTo(end: number, bytes: number): void {
    if (end > ADDRESS_SPACE) throw outOfMemory(bytes);
    const missing = end - this.view.length;
    if (missing <= 0) return;
    try {
      this.exports.memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch (cause) {
      throw outOfMemory(bytes, cause);
    }
    this.view = new Uint8Array(this.exports.memory.buffer);
  }

  /** Drops the buffer at `ptr` and every buffer taken after it. */
  release(ptr: number): void {
    this.top = ptr;
  }

  /** Drops every buffer taken since the last reset (the memory keeps its size; retained results stay). */
  reset(): void {
    this.top = this.floor;
  }

  /** xxHash32 of `len` bytes at `ptr`. */
  xxh32(ptr: number, len: number, seed = 0): number {
    return this.exports.xxh32(ptr, len, seed) >>> 0;
  }
}

function outOfMemory(bytes: number, cause?: unknown): TensorzipError {
  return new TensorzipError('LIMIT', `WebAssembly memory could not grow to ${bytes} bytes of working space`, { cause });
}
