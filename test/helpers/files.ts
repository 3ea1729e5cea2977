// Reads a file of the repository (path relative to its root) in Node, Deno and the vitest browser runner alike.
export async function readRepoFile(path: string): Promise<Uint8Array> {
  if (typeof window !== 'undefined' && typeof document !== 'undefined') {
    const { commands } = await import('vitest/browser');
    const base64 = await commands.readFile(path, 'base64');
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(path));
}

/** Real files that npm packages pinned by package-lock.json ship: text and binary, small and large. */
export const REAL_FILES = [
  'node_modules/lz4js/lz4.js',
  'node_modules/assemblyscript/dist/assemblyscript.js',
  'node_modules/binaryen/index.js',
  'node_modules/playwright-core/lib/webp_codec.wasm',
  'node_modules/@foxglove/wasm-lz4/dist/wasm-lz4.wasm',
  'node_modules/lz4-wasm-nodejs/lz4_wasm_nodejs_bg.wasm',
];
