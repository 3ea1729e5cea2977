// Tensors decoded in one pass, by their first chunk: a tensor whose chunks are another's (shared ranges,
// docs/FORMAT.md 1.2 — pack stores identical chunks once), read the same way into the same dtype and shape, decodes
// to the same bytes, so a copy of those replaces its decode. Silero VAD's If branches hold the same weights twice:
// 0.8 of its 1.8 MB decode twice without this.
import type { TensorEntry } from './index-document';

/** First chunk offset → the tensor decoded from it and where its bytes went (kept by the caller for one pass). */
export type DecodedTwins = Map<number, { entry: TensorEntry; bytes: Uint8Array }>;

/** Whether `a` and `b` decode to the same bytes by construction: the same chunks, stored type and pipeline. */
function decodesAlike(a: TensorEntry, b: TensorEntry): boolean {
  if (a.dtype !== b.dtype || a.chunkElements !== b.chunkElements || a.chunks.length !== b.chunks.length) return false;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const [s, t] = [a.stored, b.stored];
  if (s.dtype !== t.dtype || s.axis !== t.axis || s.blockSize !== t.blockSize) return false;
  if ((s.params === null) !== (t.params === null) || (s.params !== null && (s.params.offset !== t.params!.offset || s.params.length !== t.params!.length))) return false;
  for (let k = 0; k < a.chunks.length; k++) if (a.chunks[k].offset !== b.chunks[k].offset || a.chunks[k].length !== b.chunks[k].length) return false;
  return JSON.stringify(a.pipeline) === JSON.stringify(b.pipeline);
}

/** The bytes an earlier tensor of the pass decoded to, when `entry` decodes to them too. */
export function decodedTwin(twins: DecodedTwins, entry: TensorEntry): Uint8Array | undefined {
  if (entry.chunks.length === 0) return undefined;
  const twin = twins.get(entry.chunks[0].offset);
  return twin !== undefined && decodesAlike(twin.entry, entry) ? twin.bytes : undefined;
}

/** Notes where `entry` decoded to (the first tensor of its chunks stays). */
export function addDecoded(twins: DecodedTwins, entry: TensorEntry, bytes: Uint8Array): void {
  if (entry.chunks.length > 0 && !twins.has(entry.chunks[0].offset)) twins.set(entry.chunks[0].offset, { entry, bytes });
}
