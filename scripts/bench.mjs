// npm run bench: bundles each bench/*.bench.ts with esbuild (packages stay external: peers load their own .wasm,
// and `tensorzip` resolves to this package's dist/), then runs it with node.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const only = process.argv[2];
for (const file of readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))) {
  const outfile = `build/bench/${file.replace(/\.ts$/, '.mjs')}`;
  await build({ entryPoints: [`bench/${file}`], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  console.log(`\n# ${file}\n`);
  execFileSync('node', [outfile], { stdio: 'inherit' });
}
