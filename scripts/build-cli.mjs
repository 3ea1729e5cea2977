// dist/cli.mjs: the CLI as one ESM file for Node. It imports the package's own ./index.mjs and carries its two
// dependencies (commander, cli-progress, and theirs) inside, so that library users install nothing for it. They are
// CommonJS: esbuild bundles them (rollup would need its commonjs and node-resolve plugins), and the banner's
// `require` lets their require('events') and the like work from an ES module. Their licenses go at the end.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicEntry = {
  name: 'public-entry',
  setup: (b) => b.onResolve({ filter: /^\.\.\/index$/ }, () => ({ path: './index.mjs', external: true })),
};
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [publicEntry],
  metafile: true,
  write: false,
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);" },
});

const packages = new Set(Object.keys(result.metafile.inputs).flatMap((p) => p.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []));
const licenses = [...packages].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (file === undefined) throw new Error(`build-cli: ${name} is bundled but has no license file`);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return `${name}@${version}\n\n${readFileSync(join(dir, file), 'utf8').trim()}`;
});
const code = result.outputFiles[0].text;
writeFileSync(join(root, 'dist/cli.mjs'), `${code}\n/*! Bundled packages and their licenses:\n\n${licenses.join('\n\n---\n\n').replaceAll('*/', '* /')}\n*/\n`);
chmodSync(join(root, 'dist/cli.mjs'), 0o755);
