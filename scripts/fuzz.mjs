// npm run fuzz -- --minutes N [--target name[,name]] [--seed S]   mutate the corpus, save new failures to pending/
// npm run fuzz -- --replay [--target name]                         run corpus/ and pending/ with the hang budget
// npm run fuzz -- --write-seeds                                    add each target's generated seeds to corpus/
// Bundles test/fuzz/campaign.ts (TypeScript) with esbuild into build/fuzz/, then runs it.
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';

const outfile = 'build/fuzz/campaign.mjs';
await build({
  entryPoints: ['test/fuzz/campaign.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // tfjs-backend-cpu registers itself on import; its package.json sideEffects list does not survive bundling.
  ignoreAnnotations: true,
  // CommonJS dependencies (tfjs-core) call require() inside an ES module bundle.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
const { main } = await import(pathToFileURL(outfile).href);
await main(process.argv.slice(2));
