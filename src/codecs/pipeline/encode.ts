// Encoding one chunk: the byte stages in order, each a kernel call on the arena (encoding is not fused: it runs once,
// when a container is written).
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes } from '../as-bytes';
import { copyBytes } from '../output-bytes';
import { checkStages, type PipelineStage } from './stages';

export function encodeChunk(kernels: Kernels, data: Uint8Array, stagesInput: PipelineStage[]): Uint8Array {
  const stored = asBytes(data, 'pipeline.encodeChunk data');
  const stages = checkStages(stagesInput, 'pipeline.encodeChunk stages');
  const k = kernels.exports;
  kernels.reset();
  try {
    let at = kernels.alloc(stored.length);
    let len = stored.length;
    kernels.heap.set(stored, at);
    for (const stage of stages) {
      // A stage's output is at most its input plus this much (LZ4's bound, CSR's 5-byte numbers, a bitmask).
      const cap = stage.codec === 'lz4' ? k.lz4Bound(len) : len + (stage.codec === 'sparse' ? 5 * len + 16 : 0);
      const out = kernels.alloc(cap);
      let written: number;
      switch (stage.codec) {
        case 'lz4': written = k.lz4CompressBlock(at, len, out, cap, 1); break;
        case 'shuffle': written = k.byteShuffle(at, len, out, cap, stage.typesize); break;
        case 'bitshuffle': written = k.bitShuffle(at, len, out, cap, stage.typesize); break;
        case 'delta':
          written = len % stage.width !== 0 ? KERNEL_STATUS.ARGUMENT : k.deltaEncode(at, len / stage.width, out, cap / stage.width, stage.width) * stage.width;
          break;
        case 'sparse': {
          const count = len / stage.width;
          if (!Number.isInteger(count)) throw new TensorzipError('ARGUMENT', `pipeline.encodeChunk: ${len} bytes are not whole ${stage.width}-byte elements for the sparse stage`);
          written = stage.format === 'bitmask' ? k.bitmaskPack(at, count, stage.width, out, cap)
            : stage.format === 'csr' ? k.csrPack(at, 1, count, stage.width, out, cap)
            : k.pack24(at, count, stage.width, out, cap);
          break;
        }
      }
      if (written < 0) throw new TensorzipError('ARGUMENT', `pipeline.encodeChunk: the ${stage.codec} stage refused the data (status ${written}${stage.codec === 'sparse' && stage.format === '2:4' ? ': not 2:4 sparse, or not a multiple of 4 elements' : ''})`);
      at = out;
      len = written;
    }
    return copyBytes(kernels.heap.subarray(at, at + len));
  } finally {
    kernels.reset();
  }
}
