// A tensor's chunks as the decoder sees them: where each decodes to in the tensor's output, how its stored codes become
// float32 (the tensor's scales and zero points, checked once), and where an error decoding one lies. The calling
// thread and the workers (decode-on-workers.ts) decode through it alike.
import { isTensorzipError, TensorzipError } from '../errors';
import { decodeChunkBytes, decodeChunkValues, type ChunkTarget } from '../codecs/pipeline/decode';
import type { StoredQuantDtype } from '../codecs/quant';
import { affineLayout } from '../codecs/quant/layout';
import { isTfjsCodesDtype } from '../codecs/quant/tfjs';
import type { Kernels } from '../wasm/kernels';
import type { TensorArray } from './dtypes';
import { isQuantized, storedBytes, type ByteRange, type TensorEntry } from './index-document';
import type { SharedParams } from './shared-params';

/** How a checksum error names a tensor's parameter block. */
export const paramsWhat = (entry: TensorEntry) => `the parameters of "${entry.name}"`;

/**
 * The chunks of one tensor and where each decodes to in `out`: its values, or with `codes` its stored bytes (the byte
 * stages undone, not dequantized). The parameters (`params`: the tensor's parameter block, its checksum checked) are
 * read once, here; `shared`: the scales go to workers, in the archive's shared parameters.
 */
export class TensorChunks {
  /** TF.js codes' scale and min. */
  readonly tfjs: { scale: number; min: number } | undefined;
  private readonly scale: Float32Array | null = null;
  private readonly zeroPoint: Int8Array | Uint8Array | null = null;
  private readonly dequantized: boolean;

  constructor(private readonly kernels: Kernels, readonly entry: TensorEntry, private readonly count: number,
    private readonly out: TensorArray, params: Uint8Array | null, shared: SharedParams | null, codes: boolean) {
    this.dequantized = isQuantized(entry) && !codes;
    if (params && isTfjsCodesDtype(entry.stored.dtype)) {
      // float64 scale, then min (16 bytes, checked at open).
      const view = new DataView(params.buffer, params.byteOffset, params.byteLength);
      this.tfjs = { scale: view.getFloat64(0, true), min: view.getFloat64(8, true) };
      if (!Number.isFinite(this.tfjs.scale) || !Number.isFinite(this.tfjs.min)) throw new TensorzipError('CORRUPT', `open: "${entry.name}" has a TF.js scale or min that is not finite`);
    } else if (params) {
      // A copy with its own buffer: the source may hand out a view (a Node Buffer, whose slice() is a view too).
      const block = new Uint8Array(params);
      // float32 scales, then (asymmetric types) one zero-point byte per scale: 4p or 5p bytes (checked at open).
      const p = affineLayout(entry.shape, entry.stored.axis ?? undefined, entry.stored.blockSize ?? undefined).paramCount;
      const scale = new Float32Array(block.buffer, 0, p);
      if (!allWithin(scale, Number.MIN_VALUE, Number.MAX_VALUE)) throw new TensorzipError('CORRUPT', `open: "${entry.name}" has a scale that is not finite and positive`);
      let zeroPoint: Int8Array | Uint8Array | null = null;
      if (block.length === 5 * p) {
        const unsigned = entry.stored.dtype === 'uint8' || entry.stored.dtype === 'uint4';
        const four = entry.stored.dtype === 'int4' || entry.stored.dtype === 'uint4';
        zeroPoint = unsigned ? block.subarray(4 * p) : new Int8Array(block.buffer, 4 * p, p);
        const [lo, hi] = four ? (unsigned ? [0, 15] : [-8, 7]) : unsigned ? [0, 255] : [-128, 127];
        if (!allWithin(zeroPoint, lo, hi)) throw new TensorzipError('CORRUPT', `open: "${entry.name}" has a zero point outside ${lo}..${hi}`);
      }
      const checked = shared ? shared.share(entry, { scale, zeroPoint }) : { scale, zeroPoint };
      this.scale = checked.scale;
      this.zeroPoint = checked.zeroPoint;
    }
  }

  /** How chunk k's stored codes become float32 (null: its stored bytes are the output), written to `out` when given. */
  target(k: number, out?: Float32Array, checksum?: number): ChunkTarget | null {
    if (!this.dequantized) return null;
    const { entry } = this;
    const start = k * entry.chunkElements;
    return {
      dtype: entry.stored.dtype as StoredQuantDtype, count: Math.min(entry.chunkElements, this.count - start), start, shape: entry.shape,
      axis: entry.stored.axis, blockSize: entry.stored.blockSize, scale: this.scale, zeroPoint: this.zeroPoint, tfjs: this.tfjs, out, checksum,
    };
  }

  /** The bytes of `out` chunk k decodes to. */
  dst(k: number): Uint8Array {
    const { entry } = this;
    const start = k * entry.chunkElements;
    const end = Math.min(start + entry.chunkElements, this.count);
    const [from, to] = this.dequantized ? [start * 4, end * 4] : [storedBytes(entry, start), storedBytes(entry, end)];
    return new Uint8Array(this.out.buffer, this.out.byteOffset + from, to - from);
  }

  /** Decodes chunk k (its encoded bytes) on the calling thread, checking `checksum` first when given; errors as the
   *  decoder raises them (located() says where). */
  decode(k: number, bytes: Uint8Array, checksum: number | undefined): void {
    const { entry } = this;
    if (this.dequantized) {
      decodeChunkValues(this.kernels, bytes, entry.pipeline, this.target(k, undefined, checksum)!, this.dst(k));
    } else {
      decodeChunkBytes(this.kernels, bytes, entry.pipeline, this.dst(k), checksum);
    }
  }

  /** An error decoding chunk k, saying which tensor and chunk, and where it is in the file (`mismatch` words a
   *  checksum that does not match). */
  located(k: number, err: unknown, mismatch: (range: ByteRange, what: string) => TensorzipError): unknown {
    const range = this.entry.chunks[k];
    if (isTensorzipError(err, 'CHECKSUM')) return mismatch(range, `chunk ${k} of "${this.entry.name}"`);
    if (isTensorzipError(err, 'CORRUPT', 'TRUNCATED')) return new TensorzipError(err.code, `chunk ${k} of "${this.entry.name}": ${err.message}`, { offset: range.offset, cause: err });
    return err;
  }
}

/** Whether every value lies in [lo, hi] (NaN does not). A loop: it runs over every scale of every tensor decoded. */
function allWithin(values: Float32Array | Int8Array | Uint8Array, lo: number, hi: number): boolean {
  for (let i = 0; i < values.length; i++) if (!(values[i]! >= lo && values[i]! <= hi)) return false;
  return true;
}
