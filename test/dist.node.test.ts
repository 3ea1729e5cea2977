// The built bundles, as users load them: ESM import, CommonJS require, typings present and matching.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// A path held in a variable: dist/ is built after the type check, so nothing here may depend on its typings.
const ESM_BUNDLE = '../dist/index.mjs';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('dist/', () => {
  it('ESM and CJS builds export the same API and work', async () => {
    const esm = await import(ESM_BUNDLE);
    const cjs = require('../dist/index.cjs');
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    const text = new TextEncoder().encode('tensorzip '.repeat(500));
    expect(cjs.lz4.decompress(esm.lz4.compress(text))).toEqual(text);
    expect(esm.lz4.decompress(cjs.lz4.compress(text))).toEqual(text);
    expect(() => cjs.lz4.decompress(new Uint8Array(3))).toThrow(cjs.TensorzipError);
  });

  it('package.json exports point at files that exist, with typings', () => {
    const entry = pkg.exports['.'];
    for (const path of [entry.import.default, entry.import.types, entry.require.default, entry.require.types, pkg.unpkg]) {
      expect(existsSync(path), path).toBe(true);
    }
    const dts = readFileSync(entry.import.types, 'utf8');
    for (const name of ['init', 'createEngine', 'lz4', 'TensorzipError', 'CompressOptions', 'DecompressOptions']) {
      expect(dts).toContain(name);
    }
  });
});
