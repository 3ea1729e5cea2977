// The corpus on disk (Node only): test/fuzz/corpus/<target>/ is replayed by npm test; test/fuzz/pending/<target>/
// holds failures found by a campaign and not yet fixed. Inputs are named by their hash; `<hash>.note` beside a
// failure gives its signature, then its first detail line (notes are not inputs).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_ROOT = 'test/fuzz/corpus';
export const PENDING_ROOT = 'test/fuzz/pending';

export interface CorpusFile {
  file: string;
  bytes: Uint8Array;
}

export function readInputs(root: string, target: string): CorpusFile[] {
  const dir = join(root, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => !f.endsWith('.note')).sort().map((f) => ({ file: join(dir, f), bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

/** Signatures already noted under `root` for `target`. */
export function readSignatures(root: string, target: string): string[] {
  const dir = join(root, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.note')).map((f) => readFileSync(join(dir, f), 'utf8').split('\n')[0]);
}

export const hashName = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Saves `bytes` as <hash> under root/target (and its note); returns the path, or undefined when it was there. */
export function saveInput(root: string, target: string, bytes: Uint8Array, note?: string): string | undefined {
  const dir = join(root, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, hashName(bytes));
  if (existsSync(file)) return undefined;
  writeFileSync(file, bytes);
  if (note !== undefined) writeFileSync(`${file}.note`, `${note}\n`);
  return file;
}
