// Where a chunked decoder's kernel writes its results: straight into the output when the output lies in the kernels'
// own memory (an arena's result, whose memory never grows), otherwise into working space copied out chunk by chunk.
import { TensorzipError } from '../errors';
import type { Kernels } from '../wasm/kernels';

export class ChunkOutput {
  private readonly direct: boolean;
  private readonly scratch: number;

  /** Takes working space for `chunkBytes` when the output needs a copy: allocate it with the pass's other buffers.
   *  Refuses (ARGUMENT) an output that shares bytes with the `input` it is decoded from: a chunk's results would
   *  overwrite input that later chunks still read. */
  constructor(private readonly kernels: Kernels, private readonly output: Uint8Array, chunkBytes: number, input: ArrayBufferView) {
    if (input.buffer === output.buffer && input.byteOffset < output.byteOffset + output.byteLength &&
      output.byteOffset < input.byteOffset + input.byteLength) {
      throw new TensorzipError('ARGUMENT', `the output array shares bytes with the input it is decoded from (bytes ${Math.max(input.byteOffset, output.byteOffset)}… of one buffer)`);
    }
    this.direct = kernels.keepsResults && output.buffer === kernels.exports.memory.buffer;
    this.scratch = this.direct ? 0 : kernels.alloc(chunkBytes);
  }

  /** The address to write the output bytes that start at `offset`. */
  at(offset: number): number {
    return this.direct ? this.output.byteOffset + offset : this.scratch;
  }

  /** Puts the `bytes` written for `offset` into the output (already there when written in place). */
  commit(offset: number, bytes: number): void {
    if (!this.direct) this.output.set(this.kernels.heap.subarray(this.scratch, this.scratch + bytes), offset);
  }
}
