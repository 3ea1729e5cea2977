// The CLI's file access. Every failure becomes an IoError (exit 3). Outputs are written to a temporary file in the
// same directory and renamed into place, so a failed write leaves an earlier file of that name as it was.
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { TensorzipError } from '../index';

export class IoError extends Error {}

export function readFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new IoError(`cannot read ${path}: ${(cause as Error).message}`);
  }
}

let written = 0;

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  // A short name, so that any name the file system takes for `path` leaves room for it.
  const temp = join(dirname(path), `.tensorzip-${process.pid}-${(written++).toString(36)}.tmp`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, path);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new IoError(`cannot write ${path}: ${(cause as Error).message}`);
  }
}

/** Creates `path` (and its parents) unless it is already a directory. */
export function makeDirectory(path: string): void {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isDirectory()) throw new IoError(`cannot write into ${path}: it exists and is not a directory`);
  try {
    mkdirSync(path, { recursive: true });
  } catch (cause) {
    throw new IoError(`cannot create the directory ${path}: ${(cause as Error).message}`);
  }
}

/** A file a model lists (a TF.js shard, an ONNX external data file): beside the model or below it, never elsewhere
 *  (`../x` or `/etc/x` is damage). */
export function listedPath(modelPath: string, listed: unknown, what: string): string {
  const folder = resolve(dirname(modelPath));
  const path = typeof listed === 'string' ? resolve(folder, listed) : '';
  const inside = relative(folder, path);
  if (typeof listed !== 'string' || listed.includes('\0') || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new TensorzipError('CORRUPT', `${modelPath}: ${what} outside the model's folder: ${JSON.stringify(String(listed).slice(0, 60))}`);
  }
  return path;
}
