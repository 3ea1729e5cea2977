// One TensorzipError across the ESM and CJS copies of the package loaded in one process (a CJS dependency and ESM
// app code): `instanceof` and isTensorzipError recognize an error thrown by either copy.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ESM_BUNDLE = '../dist/index.mjs'; // a variable: dist/ is built after the type check

describe('TensorzipError across dist/index.mjs and dist/index.cjs', () => {
  it('instanceof and isTensorzipError hold both ways; plain errors stay outside', async () => {
    const esm = await import(ESM_BUNDLE);
    const cjs = require('../dist/index.cjs');
    expect(cjs.TensorzipError).not.toBe(esm.TensorzipError); // two copies indeed
    const thrown = (lib: typeof esm) => {
      try {
        lib.lz4.decompress(new Uint8Array(3));
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    for (const [from, to] of [[cjs, esm], [esm, cjs]]) {
      const err = thrown(from);
      expect(err instanceof to.TensorzipError).toBe(true);
      expect(to.isTensorzipError(err, 'TRUNCATED', 'CORRUPT')).toBe(true);
      expect(err instanceof Error).toBe(true);
    }
    expect(new Error('x') instanceof esm.TensorzipError).toBe(false);
    expect(esm.isTensorzipError({ code: 'CORRUPT', name: 'TensorzipError' })).toBe(false);
    expect((null as unknown as object) instanceof esm.TensorzipError).toBe(false);
  });
});
