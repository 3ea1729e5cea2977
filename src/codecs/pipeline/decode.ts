// Decoding one chunk in a single kernel call (assembly/pipeline.ts): the byte stages backwards, then the step from
// stored codes to float32. The program, the parameters and both scratch buffers are staged in the arena first.
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes } from '../as-bytes';
import { xxh32 } from '../checksum';
import { describeValue } from '../describe-value';
import { newArray } from '../output-bytes';
import { product } from '../shape';
import { AFFINE_TYPES, isSigned, ParamStage, type AffineDtype } from '../quant/affine';
import { GGML_TYPES, type GgmlDtype } from '../quant/ggml';
import { affineLayout } from '../quant/layout';
import { isTfjsCodesDtype } from '../quant/tfjs';
import type { StoredQuantDtype } from '../quant/types';
import { checkStages, maxExpansion, OP, PALETTE_MAX_ENTRIES, regroupLabelBytes, type PipelineStage } from './stages';

/** How a chunk's stored codes become float32, and which elements of the tensor the chunk holds. */
export interface ChunkTarget {
  /** The stored type: 'float32' (stored as it is), a float type, an affine integer type, a GGML block type or TF.js
   *  codes. */
  dtype: StoredQuantDtype;
  /** Elements of the tensor in this chunk. */
  count: number;
  /** Index of the chunk's first element in the tensor (default 0): picks the chunk's per-axis or per-block scales. */
  start?: number;
  /** Affine types: the tensor's shape, its scales and zero points, axis and block size, as quant.quantize gave them. */
  shape?: readonly number[];
  scale?: Float32Array | null;
  zeroPoint?: Int8Array | Uint8Array | null;
  axis?: number | null;
  blockSize?: number | null;
  /** TF.js codes: the manifest's scale and min (finite). */
  tfjs?: { scale: number; min: number };
  /** Where to write the float32 values (count elements); a new array when omitted. */
  out?: Float32Array;
  /** The encoded chunk's xxh32 (seed 0): checked before any value reaches `out` (CHECKSUM); the kernels hash the chunk
   *  as they decode it. */
  checksum?: number;
}

const FLOAT_OPS: Partial<Record<StoredQuantDtype, [op: number, width: number]>> = {
  float16: [OP.float16, 2], bfloat16: [OP.bfloat16, 2], float8e4m3fn: [OP.float8e4m3fn, 1], float8e5m2: [OP.float8e5m2, 1],
};

const isFloat = (dtype: StoredQuantDtype) => Object.hasOwn(FLOAT_OPS, dtype);
const isAffine = (dtype: StoredQuantDtype): dtype is AffineDtype => Object.hasOwn(AFFINE_TYPES, dtype);

/** Bytes the chunk's codes take once every byte stage is undone. */
function storedBytes(dtype: StoredQuantDtype, count: number): number {
  if (dtype === 'float32') return count * 4;
  if (isTfjsCodesDtype(dtype)) return dtype === 'tfjs_uint8' ? count : count * 2;
  if (isFloat(dtype)) return count * FLOAT_OPS[dtype]![1];
  if (isAffine(dtype)) return AFFINE_TYPES[dtype].nibbles ? Math.ceil(count / 2) : count;
  if (typeof dtype !== 'string' || !Object.hasOwn(GGML_TYPES, dtype)) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk dtype: unknown ${describeValue(dtype)}`);
  const type = GGML_TYPES[dtype as GgmlDtype];
  if (count % type.values !== 0) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: ${dtype} chunks hold whole blocks of ${type.values}, found ${count} elements`);
  return (count / type.values) * type.bytes;
}

/** Refuses (CORRUPT) a chunk too short to decode to `stored` bytes through `stages` (their maximum expansions). */
function checkReachable(stages: PipelineStage[], encoded: number, stored: number): void {
  let reach = encoded;
  for (let i = 0; i < stages.length; i++) reach *= maxExpansion(stages[i]); // per chunk: a loop, not a closure
  if (stored > reach) {
    throw new TensorzipError('CORRUPT', `pipeline.decodeChunk: ${encoded} encoded bytes cannot decode to ${stored} bytes through ${stages.map((s) => s.codec).join(' + ') || 'no stage'} (at most ${reach})`);
  }
}

function statusError(status: number): TensorzipError {
  if (status === KERNEL_STATUS.TRUNCATED) return new TensorzipError('TRUNCATED', 'pipeline.decodeChunk: a stage ran out of input');
  if (status === KERNEL_STATUS.ARGUMENT) return new TensorzipError('ARGUMENT', 'pipeline.decodeChunk: a stage refused its parameters');
  return new TensorzipError('CORRUPT', `pipeline.decodeChunk: a stage found malformed data${status === KERNEL_STATUS.OUTPUT_FULL ? ' (it decodes to more bytes than the chunk holds)' : ''}`);
}

export function decodeChunk(kernels: Kernels, encoded: Uint8Array, stagesInput: PipelineStage[], target: ChunkTarget): Float32Array {
  return decodeChunkTo(kernels, encoded, stagesInput, target, null)!;
}

/**
 * decodeChunk writing the float32 values as little-endian bytes into `outBytes` (4 × count bytes, at any byte offset;
 * `target.out` is not used): a quantized tensor then decodes straight into the model onnx.createSession hands ONNX
 * Runtime, where no Float32Array could view it.
 */
export function decodeChunkValues(kernels: Kernels, encoded: Uint8Array, stagesInput: PipelineStage[], target: ChunkTarget, outBytes: Uint8Array): void {
  decodeChunkTo(kernels, encoded, stagesInput, target, outBytes);
}

/** decodeChunk into `given` bytes, or with null into target.out or a new array, which it returns. */
function decodeChunkTo(kernels: Kernels, encoded: Uint8Array, stagesInput: PipelineStage[], target: ChunkTarget, given: Uint8Array | null): Float32Array | undefined {
  const input = asBytes(encoded, 'pipeline.decodeChunk encoded');
  const stages = checkStages(stagesInput, 'pipeline.decodeChunk stages');
  const { dtype, count } = target;
  const start = target.start ?? 0;
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(start) || start < 0) {
    throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: count and start are non-negative integers, found ${describeValue(count)} and ${describeValue(start)}`);
  }
  const stored = storedBytes(dtype, count);
  if (given === null && target.out !== undefined && (!(target.out instanceof Float32Array) || target.out.length !== count)) {
    throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk out: expected a Float32Array of ${count} elements`);
  }
  if (given !== null && given.length !== count * 4) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: expected ${count * 4} bytes to write ${count} values to`);
  checkReachable(stages, input.length, stored);
  const out = given === null ? target.out ?? newArray(Float32Array, count) : undefined;
  const nibbles = isAffine(dtype) && AFFINE_TYPES[dtype].nibbles;
  const outBytes = given ?? new Uint8Array(out!.buffer, out!.byteOffset, out!.byteLength);
  if (dtype === 'float32' && stages.length === 0) {
    copyStored(kernels, input, outBytes, target.checksum);
    return out;
  }
  runProgram(kernels, input, stages, stored, nibbles ? count : 0, outBytes, target.checksum, (records) => {
    if (isAffine(dtype)) {
      const affine = dtype;
      const shape = target.shape ?? [count];
      const layout = affineLayout(shape, target.axis ?? undefined, target.blockSize ?? undefined);
      if (start + count > product(shape)) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: elements ${start}..${start + count} are past the shape [${shape.join(', ')}]`);
      if (nibbles && start % 2 !== 0) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: 4-bit chunks start at an even element, found ${start}`);
      if (!(target.scale instanceof Float32Array) || target.scale.length !== layout.paramCount) {
        throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk scale: expected a Float32Array of ${layout.paramCount} scales for the layout`);
      }
      const params = new ParamStage(kernels, layout, product(shape), target.scale, target.zeroPoint ?? null, [start, count]);
      params.select(start, count);
      const signed = isSigned(affine) ? 1 : 0;
      if (nibbles) records.push([OP.nibbles, count, signed]);
      records.push([OP.affine, params.layoutAt, params.scales, params.zeroPoints, signed]);
    } else if (isFloat(dtype)) {
      records.push([FLOAT_OPS[dtype]![0]]);
    } else if (isTfjsCodesDtype(dtype)) {
      const { scale, min } = target.tfjs ?? {};
      if (!Number.isFinite(scale) || !Number.isFinite(min)) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk tfjs: ${dtype} needs a finite scale and min, found ${describeValue(target.tfjs)}`);
      const at = kernels.alloc(16);
      new Float64Array(kernels.exports.memory.buffer, at, 2).set([scale!, min!]);
      records.push([OP[dtype], at]);
    } else if (dtype !== 'float32') {
      records.push([OP[dtype as GgmlDtype]]);
    }
  });
  return out;
}

/** Undoes the byte stages only: the chunk's stored bytes, exactly `out.length` of them, into `out`. */
export function decodeChunkBytes(kernels: Kernels, encoded: Uint8Array, stagesInput: PipelineStage[], out: Uint8Array, checksum?: number): Uint8Array {
  const stages = checkStages(stagesInput, 'pipeline.decodeChunk stages');
  const input = asBytes(encoded, 'pipeline.decodeChunk encoded');
  checkReachable(stages, input.length, out.length);
  if (stages.length === 0) copyStored(kernels, input, out, checksum);
  else runProgram(kernels, input, stages, out.length, 0, out, checksum, () => {});
  return out;
}

/** An empty pipeline, as the kernel would run it but without the program (a model's many small tensors spend more on
 *  staging one than on decoding): the checksum first, then the bytes as they are, exactly `out.length` of them. */
function copyStored(kernels: Kernels, input: Uint8Array, out: Uint8Array, checksum: number | undefined): void {
  if (checksum !== undefined && xxh32(kernels, input) !== checksum) {
    throw new TensorzipError('CHECKSUM', 'pipeline.decodeChunk: the chunk does not match its checksum');
  }
  if (input.length !== out.length) throw statusError(KERNEL_STATUS.CORRUPT);
  out.set(input);
}

/** A palette's count and table, past its indices (which take no more than the stored bytes): K ≤ 65,536 entries. A
 *  regroup stage's room is its labels (regroupLabelBytes), before the stored bytes it puts back in order. */
function paletteRoom(palette: Extract<PipelineStage, { codec: 'palette' }>): number {
  return 4 + PALETTE_MAX_ENTRIES * palette.width;
}

/**
 * One call to the fused decoder: the byte stages backwards over `stored` bytes, then whatever `finish` appends (it
 * may take arena memory: it runs after the buffers and before the program is written), into `out`.
 */
function runProgram(kernels: Kernels, input: Uint8Array, stages: PipelineStage[], stored: number, unpacked: number,
  out: Uint8Array, checksum: number | undefined, finish: (records: number[][]) => void): void {
  // The first stage of each kind (a loop: this runs per chunk, in V8's first tiers for a model's many small tensors).
  let sparse: Extract<PipelineStage, { codec: 'sparse' }> | undefined;
  let palette: Extract<PipelineStage, { codec: 'palette' }> | undefined;
  let regroup: Extract<PipelineStage, { codec: 'regroup' }> | undefined;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i];
    if (stage.codec === 'sparse') sparse ??= stage;
    else if (stage.codec === 'palette') palette ??= stage;
    else if (stage.codec === 'regroup') regroup ??= stage;
  }
  const room = (palette === undefined ? 0 : paletteRoom(palette)) + (regroup === undefined ? 0 : regroupLabelBytes(regroup));
  // Room for any intermediate: the stored codes, 4-bit codes unpacked, or a sparse payload (a bitmask's mask and at
  // most every value; CSR's and 2:4's LEB128 numbers up to 5 bytes each).
  const sparseRoom = sparse === undefined ? 0 : sparse.format === 'bitmask' ? Math.ceil(stored / sparse.width / 8) + 16 : 5 * stored + 16;
  const scratchCap = Math.max(stored, unpacked) + sparseRoom + room;
  kernels.reset();
  try {
    const records: number[][] = [];
    for (let i = stages.length - 1; i >= 0; i--) {
      const stage = stages[i];
      if (stage.codec === 'sparse') {
        const elements = stored / stage.width;
        if (!Number.isInteger(elements)) throw new TensorzipError('ARGUMENT', `pipeline.decodeChunk: ${stored} stored bytes are not whole ${stage.width}-byte elements`);
        records.push(stage.format === 'bitmask' ? [OP.bitmask, elements, stage.width]
          : stage.format === 'csr' ? [OP.csr, 1, elements, stage.width]
          : [OP.twoOfFour, elements, stage.width]);
      } else if (stage.codec === 'lz4') records.push([OP.lz4]);
      else if (stage.codec === 'huffman') records.push([OP.huffman, stage.planes]);
      else if (stage.codec === 'huffman_ctx') records.push([OP.huffmanContext, stage.planes]);
      else if (stage.codec === 'rans') records.push([OP.rans, stage.planes]);
      else if (stage.codec === 'rans_lanes') records.push([OP.ransLanes, stage.planes]);
      else if (stage.codec === 'palette') records.push([OP.palette, stage.width]);
      else if (stage.codec === 'regroup') records.push([OP.regroup, stage.groups, stage.channels, stage.run]);
      else if (stage.codec === 'delta') records.push([OP.delta, stage.width]);
      else if (stage.codec === 'predict') records.push([OP.predict, stage.lag, stage.weight]);
      else records.push([stage.codec === 'shuffle' ? OP.shuffle : OP.bitshuffle, stage.typesize]);
    }
    // At the input's own offset modulo 16: a chunk in shared memory (from a worker pool's batch) then copies at full
    // speed, which V8 does only between equally aligned sides.
    const src = kernels.alloc(input.length + 15) + (input.byteOffset % 16);
    const scratchA = kernels.alloc(scratchCap);
    const scratchB = kernels.alloc(scratchCap);
    const dst = kernels.alloc(out.length);
    const program = kernels.alloc(32 * (records.length + 2));
    const checksumAt = checksum === undefined ? 0 : kernels.alloc(4);
    finish(records);
    const heap = kernels.heap;
    const program32 = new Int32Array(heap.buffer, program, 8 * records.length);
    program32.fill(0);
    for (let i = 0; i < records.length; i++) program32.set(records[i]!, 8 * i);
    heap.set(input, src);
    // The kernel hashes the chunk as it decodes it (the Huffman loop takes the hash's work in its waits): the checksum
    // is checked before anything else, so a damaged chunk is CHECKSUM and none of its bytes reach `out`.
    const written = kernels.exports.decodeChunk(program, records.length, src, input.length, scratchA, scratchB, scratchCap, dst, out.length, checksumAt);
    if (checksum !== undefined && (heap[checksumAt] | (heap[checksumAt + 1] << 8) | (heap[checksumAt + 2] << 16) | (heap[checksumAt + 3] << 24)) >>> 0 !== checksum) {
      throw new TensorzipError('CHECKSUM', 'pipeline.decodeChunk: the chunk does not match its checksum');
    }
    if (written < 0) throw statusError(written);
    if (written !== out.length) throw new TensorzipError('CORRUPT', `pipeline.decodeChunk: the chunk decodes to ${written} bytes, ${out.length} expected`);
    out.set(heap.subarray(dst, dst + written));
  } finally {
    kernels.reset();
  }
}
