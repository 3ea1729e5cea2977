import { TensorzipError } from '../../errors';
import { allocateForOverwrite, copyBytes } from '../output-bytes';

/** Until the first reserve(): most frames declare their size, so the buffer is allocated once, at its size. */
const EMPTY = new Uint8Array(0);

/** A growing output buffer that refuses to pass `limit` bytes. */
export class Output {
  private bytes: Uint8Array = EMPTY;
  length = 0;

  constructor(private readonly limit: number) {}

  /** How many more bytes the limit allows. */
  room(): number {
    return this.limit - this.length;
  }

  /** Makes room for `extra` more bytes, or throws LIMIT. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed > this.limit) {
      throw new TensorzipError('LIMIT', `the decompressed data passes maxOutputSize (${this.limit} bytes)`);
    }
    if (needed <= this.bytes.length) return;
    const grown = allocateForOverwrite(Math.min(this.limit, Math.max(needed, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  append(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** The bytes written, without spare capacity (spare capacity was never written: it must not be returned). */
  result(): Uint8Array {
    if (this.bytes === EMPTY) return new Uint8Array(0); // never hand out the shared empty array
    return this.length === this.bytes.length ? this.bytes : copyBytes(this.bytes.subarray(0, this.length));
  }
}
