// A slow, plain reader of the entries of a format 1.2 file, written from docs/FORMAT.md ("Index", "Entries and the
// model"), not from src/: the index (index-1.3.ts: compressed or not), then each entry's chunks checked against
// their xxh32 and decoded by the reference stage decoders. Throws a plain Error on anything it does not expect.
import { referenceDecodeBlock } from './lz4-block';
import { referenceStages } from './stages-1.1';
import { referenceReadIndex } from './index-1.3';
import { referenceXxh32 } from './xxh32';

export interface ReferenceEntries {
  index: { entries?: { name: string; mediaType?: string; size: number; pipeline: Record<string, unknown>[]; chunks: number[][] }[]; model?: { kind: string; entry: string } };
  entries: Record<string, Uint8Array>;
}

export function referenceReadEntries(file: Uint8Array): ReferenceEntries {
  const index = referenceReadIndex(file).index as unknown as ReferenceEntries['index'];
  const entries: Record<string, Uint8Array> = {};
  for (const e of index.entries ?? []) {
    const out = new Uint8Array(e.size);
    let filled = 0;
    for (const [offset, bytes, checksum] of e.chunks) {
      const chunk = file.subarray(offset, offset + bytes);
      if (referenceXxh32(chunk) !== checksum) throw new Error(`${e.name}: chunk at ${offset} fails its checksum`);
      const last = e.pipeline[e.pipeline.length - 1];
      const beforeLz4 = last?.codec === 'lz4' ? referenceDecodeBlock(chunk) : chunk;
      const decoded = referenceStages(beforeLz4, last?.codec === 'lz4' ? e.pipeline.slice(0, -1) : e.pipeline);
      out.set(decoded, filled);
      filled += decoded.length;
    }
    if (filled !== e.size) throw new Error(`${e.name}: the chunks decode to ${filled} bytes, size says ${e.size}`);
    entries[e.name] = out;
  }
  return { index, entries };
}
