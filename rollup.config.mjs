// dist/: ESM, CJS, a script-tag build defining the global `tensorzip` (plus a minified copy), the CLI, and typings.
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

const input = 'src/index.ts';
const banner = '/*! tensorzip — MIT */';

export default [
  {
    input,
    plugins: [esbuild({ target: 'es2020' })],
    output: [
      { file: 'dist/index.mjs', format: 'es', banner },
      { file: 'dist/index.cjs', format: 'cjs', banner, exports: 'named' },
      { file: 'dist/index.iife.js', format: 'iife', name: 'tensorzip', banner },
      { file: 'dist/index.iife.min.js', format: 'iife', name: 'tensorzip', plugins: [terser()] },
    ],
  },
  {
    // The CLI: Node only, using the package's own ESM build and its two dependencies.
    input: 'src/cli/bin.ts',
    plugins: [
      { name: 'public-entry', resolveId: (id) => (id === '../index' ? { id: './index.mjs', external: 'relative' } : null) },
      esbuild({ target: 'node20' }),
    ],
    external: (id) => /^(node:|commander$|cli-progress$)/.test(id),
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node' },
  },
  {
    input,
    plugins: [dts()],
    output: [{ file: 'dist/index.d.ts' }, { file: 'dist/index.d.cts' }],
  },
];
