// npm run bench: bundles each bench/*.bench.ts with esbuild (packages stay external: peers load their own .wasm,
// and `tensorzip` resolves to this package's dist/), then runs it with node. `node scripts/bench.mjs <name>` runs
// bench/<name>.bench.ts only.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const only = process.argv[2];
const benches = readdirSync('bench').filter((f) => f.endsWith('.bench.ts'));
const chosen = only === undefined ? benches : benches.filter((f) => f === `${only}.bench.ts`);
if (chosen.length === 0) throw new Error(`no bench/${only}.bench.ts; the benches: ${benches.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
for (const file of chosen) {
  const outfile = `build/bench/${file.replace(/\.ts$/, '.mjs')}`;
  await build({ entryPoints: [`bench/${file}`], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  console.log(`\n# ${file}\n`);
  execFileSync('node', [outfile], { stdio: 'inherit' });
}
