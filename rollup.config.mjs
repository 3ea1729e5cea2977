// dist/: ESM, CJS, a script-tag build defining the global `tensorzip` (plus a minified copy) and typings. The CLI,
// dist/cli.mjs, is bundled by scripts/build-cli.mjs.
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

const input = 'src/index.ts';
const banner = '/*! tensorzip — MIT */';

export default [
  {
    input,
    plugins: [esbuild({ target: 'es2022' })],
    output: [
      { file: 'dist/index.mjs', format: 'es', banner },
      { file: 'dist/index.cjs', format: 'cjs', banner, exports: 'named' },
      { file: 'dist/index.iife.js', format: 'iife', name: 'tensorzip', banner },
      { file: 'dist/index.iife.min.js', format: 'iife', name: 'tensorzip', plugins: [terser()] },
    ],
  },
  {
    input,
    plugins: [dts()],
    output: [{ file: 'dist/index.d.ts' }, { file: 'dist/index.d.cts' }],
  },
];
