// Under `deno test`, the shared test files reach tensorzip through dist/index.mjs (see deno.json): check that the
// mapping holds and the bundle needs no permissions beyond reading its own files.
import { equal, ok } from 'node:assert/strict';
import * as tensorzip from '../../src/index';

Deno.test('the shared tests import the built dist/index.mjs', () => {
  ok(import.meta.resolve('../../src/index').endsWith('/dist/index.mjs'));
});

Deno.test('dist/index.mjs loads the SIMD build and round-trips in Deno', async () => {
  equal((await tensorzip.init()).simd, true);
  const data = new TextEncoder().encode('deno '.repeat(1000));
  const frame = tensorzip.lz4.compress(data);
  equal(new TextDecoder().decode(tensorzip.lz4.decompress(frame)), 'deno '.repeat(1000));
});
