// Encoding one chunk: the byte stages in order, each a kernel call on the arena (encoding is not fused: it runs once,
// when a container is written).
import { KERNEL_STATUS, TensorzipError } from '../../errors';
import type { Kernels } from '../../wasm/kernels';
import { asBytes } from '../as-bytes';
import { copyBytes } from '../output-bytes';
import { checkStages, PALETTE_MAX_ENTRIES, type PipelineStage } from './stages';
import { paletteEncode } from './palette-encode';
import { regroupEncode } from './regroup-encode';

/** The huffman stage cuts `len` bytes into `planes` parts: part p starts at p·⌊len/planes⌋, the last runs to len. */
const planeStart = (len: number, planes: number, p: number) => (p === planes ? len : p * Math.floor(len / planes));

function huffmanPlanesBound(kernels: Kernels, len: number, planes: number): number {
  let bound = 4 * (planes - 1);
  for (let p = 0; p < planes; p++) bound += kernels.exports.huffmanBound(planeStart(len, planes, p + 1) - planeStart(len, planes, p)) >>> 0;
  return bound;
}

/** The huffman stage (or huffman_ctx, rans, rans_lanes with `encodeBlock` their kernels): the (planes − 1) u32 block lengths, then
 *  one entropy block (context block, rANS block) per part; its size or a status. */
function huffmanPlanesEncode(kernels: Kernels, src: number, len: number, dst: number, planes: number, encodeBlock = kernels.exports.huffmanEncode): number {
  const k = kernels.exports;
  let at = dst + 4 * (planes - 1);
  for (let p = 0; p < planes; p++) {
    const from = planeStart(len, planes, p);
    const partLen = planeStart(len, planes, p + 1) - from;
    const size = encodeBlock(src + from, partLen, at, k.huffmanBound(partLen));
    if (size < 0) return size;
    if (p < planes - 1) new DataView(kernels.heap.buffer).setUint32(dst + 4 * p, size, true);
    at += size;
  }
  return at - dst;
}

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
      if (stage.codec === 'palette') {
        const palette = len % stage.width === 0 ? paletteEncode(kernels.heap.subarray(at, at + len), stage.width) : null;
        if (palette === null) throw new TensorzipError('ARGUMENT', `pipeline.encodeChunk: the palette stage takes whole ${stage.width}-byte elements of at most ${PALETTE_MAX_ENTRIES} distinct values`);
        at = kernels.alloc(palette.length);
        len = palette.length;
        kernels.heap.set(palette, at);
        continue; // found in JavaScript (palette-encode.ts): no kernel call
      }
      if (stage.codec === 'regroup') {
        ({ at, len } = regroupEncode(kernels, at, len, stage));
        continue; // regroup-encode.ts: ranks the channels, then a kernel moves the bytes
      }
      // A stage's output is at most its input plus this much (LZ4's bound, a header per plane, CSR's 5-byte numbers).
      const cap = stage.codec === 'lz4' ? k.lz4Bound(len) : stage.codec === 'huffman' || stage.codec === 'huffman_ctx' || stage.codec === 'rans' || stage.codec === 'rans_lanes' ? huffmanPlanesBound(kernels, len, stage.planes)
        : len + (stage.codec === 'sparse' ? 5 * len + 16 : 0);
      const out = kernels.alloc(cap);
      let written: number;
      switch (stage.codec) {
        case 'huffman': written = huffmanPlanesEncode(kernels, at, len, out, stage.planes); break;
        case 'huffman_ctx': written = huffmanPlanesEncode(kernels, at, len, out, stage.planes, k.huffmanContextEncode); break;
        case 'rans': written = huffmanPlanesEncode(kernels, at, len, out, stage.planes, k.ransEncode); break;
        case 'rans_lanes': written = huffmanPlanesEncode(kernels, at, len, out, stage.planes, k.ransLanesEncode); break;
        case 'lz4': written = k.lz4CompressBlock(at, len, out, cap, 1); break;
        case 'shuffle': written = k.byteShuffle(at, len, out, cap, stage.typesize); break;
        case 'bitshuffle': written = k.bitShuffle(at, len, out, cap, stage.typesize); break;
        case 'predict': written = k.predictEncode(at, len, out, cap, stage.lag, stage.weight); break;
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
