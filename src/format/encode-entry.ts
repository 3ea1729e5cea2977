// A model's non-tensor files (format 1.2 entries), shared by pack() and ContainerWriter: each is encoded exactly as a
// uint8 tensor of shape [size] (the same pipeline choice, chunks and checksums), and the declared model is checked
// against them.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Kernels } from '../wasm/kernels';
import { tensorEncoder, type EncodeOptions } from './encode-tensor';
import { entryNameProblem, mediaTypeProblem, type FileEntry, type ModelRef } from './index-document';

/** A file to store beside the tensors: its bytes, and optionally its media type (`application/json`, …). */
export interface EntryInput {
  data: Uint8Array;
  mediaType?: string;
}

export interface EncodedEntry {
  entry: FileEntry;
  chunks: Uint8Array[];
}

/** Returns a function that checks and encodes one entry; `what` names the caller in errors. Only the byte-stage
 *  options apply: an entry is never quantized. */
export function entryEncoder(kernels: Kernels, options: EncodeOptions, what: string): (name: string, input: EntryInput) => EncodedEntry {
  const encode = tensorEncoder(kernels, { chunkBytes: options.chunkBytes, sparse: options.sparse, entropy: options.entropy }, what);
  return (name, input) => {
    const nameProblem = entryNameProblem(name);
    if (nameProblem !== null) throw new TensorzipError('ARGUMENT', `${what}: the entry name ${describeValue(name)} ${nameProblem}`);
    if (!(input?.data instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', `${what}: entry ${describeValue(name)} needs its bytes as a Uint8Array in data`);
    const mediaType = input.mediaType ?? null;
    const typeProblem = mediaType === null ? null : mediaTypeProblem(mediaType);
    if (typeProblem !== null) throw new TensorzipError('ARGUMENT', `${what}: entry ${describeValue(name)}: mediaType ${typeProblem}`);
    const { entry, chunks } = encode(name, { dtype: 'uint8', shape: [input.data.length], data: input.data });
    return { entry: { ...entry, mediaType }, chunks };
  };
}

/** The caller's model declaration, checked: `{ kind, entry }` with a non-empty kind (null when absent). */
export function checkModel(model: unknown, what: string): ModelRef | null {
  if (model === undefined || model === null) return null;
  const m = model as Partial<ModelRef>;
  if (typeof m.kind !== 'string' || m.kind.length === 0 || typeof m.entry !== 'string') {
    throw new TensorzipError('ARGUMENT', `${what} model: expected { kind, entry } with a non-empty kind, found ${describeValue(model)}`);
  }
  return { kind: m.kind, entry: m.entry };
}

/** ARGUMENT unless the declared model's entry is among `entryNames`. */
export function checkModelEntry(model: ModelRef | null, entryNames: ReadonlySet<string>, what: string): void {
  if (model !== null && !entryNames.has(model.entry)) throw new TensorzipError('ARGUMENT', `${what} model: its entry ${describeValue(model.entry)} is not one of the entries`);
}
