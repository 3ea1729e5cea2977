// A ByteSource over a file path, in Node and Deno. Each read opens the file, reads its range and closes it: no
// handle outlives a read (an archive has no close()), and each read checks that the file has the size and
// modification time it had when opened, so a file replaced mid-read never mixes versions.
// node: modules load through a computed specifier, so that bundlers for the browser leave them alone.
import { TensorzipError } from '../errors';
import type { ByteSource } from '../format/archive';

type Fs = typeof import('node:fs/promises');
const loadNodeModule = (name: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

/** True in Node and Deno, where a string that is not a URL names a file. */
export function hasFileSystem(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; Deno?: unknown };
  return typeof g.process?.versions?.node === 'string' || g.Deno !== undefined;
}

/** The path of a file: URL. */
export async function pathOfFileUrl(url: string): Promise<string> {
  const { fileURLToPath } = (await loadNodeModule('node:url')) as typeof import('node:url');
  try {
    return fileURLToPath(url);
  } catch (cause) {
    throw new TensorzipError('ARGUMENT', `open: ${url} is not a file URL of this system`, { cause });
  }
}

function failure(path: string, cause: unknown): TensorzipError {
  if (cause instanceof TensorzipError) return cause;
  const code = (cause as { code?: unknown })?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new TensorzipError('NOT_FOUND', `open: there is no file ${path}`, { cause });
  return new TensorzipError('IO', `open: reading ${path} failed (${String(code ?? cause)})`, { cause });
}

export async function fileSource(path: string): Promise<ByteSource> {
  const fs = (await loadNodeModule('node:fs/promises')) as Fs;
  let opened: { size: number; mtimeMs: number };
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new TensorzipError('IO', `open: ${path} is not a file`);
    opened = { size: stat.size, mtimeMs: stat.mtimeMs };
  } catch (cause) {
    throw failure(path, cause);
  }
  return {
    size: opened.size,
    read: async (offset, length) => {
      let handle: Awaited<ReturnType<Fs['open']>> | undefined;
      try {
        handle = await fs.open(path, 'r');
        const now = await handle.stat();
        if (now.size !== opened.size || now.mtimeMs !== opened.mtimeMs) throw new TensorzipError('CHANGED', `open: ${path} changed while it was read`);
        const bytes = new Uint8Array(length);
        for (let done = 0; done < length;) {
          const { bytesRead } = await handle.read(bytes, done, length - done, offset + done);
          if (bytesRead === 0) throw new TensorzipError('CHANGED', `open: ${path} ended at ${offset + done} while it was read`);
          done += bytesRead;
        }
        return bytes;
      } catch (cause) {
        throw failure(path, cause);
      } finally {
        await handle?.close();
      }
    },
  };
}
