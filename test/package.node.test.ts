// The package as a user gets it: `npm pack` (of the dist/ that `npm test` has just built), installed offline into an
// empty folder, then loaded with import and require and run as the `tensorzip` command.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

describe('the npm package', () => {
  it('installs offline into an empty folder with nothing else, and works by import, require and its bin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorzip-package-'));
    // --ignore-scripts: prepack would rebuild dist/, which npm test has just built.
    const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir, resolve('.')], dir));
    const files = packed.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'docs/FORMAT.md', 'dist/index.mjs', 'dist/index.cjs', 'dist/index.d.ts', 'dist/cli.mjs']));
    expect(readFileSync('LICENSE', 'utf8')).toContain(`${pkg.license} License`);

    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }');
    npm(['install', '--offline', join(dir, packed.filename)], app);
    // The CLI carries commander and cli-progress inside dist/cli.mjs: a library user installs only tensorzip.
    expect(readdirSync(join(app, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['tensorzip']);

    const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8' });
    const roundTrip = "const b = new Uint8Array(4096).fill(7); console.log(t.lz4.decompress(t.lz4.compress(b)).every((x) => x === 7))";
    const esm = node(['--input-type=module', '-e', `import * as t from 'tensorzip'; await t.init(); ${roundTrip}`]);
    expect(esm.stdout, esm.stderr).toBe('true\n');
    const cjs = node(['-e', `const t = require('tensorzip'); t.init().then(() => { ${roundTrip} })`]);
    expect(cjs.stdout, cjs.stderr).toBe('true\n');

    const bin = spawnSync(join(app, 'node_modules/.bin/tensorzip'), ['--version'], { cwd: app, encoding: 'utf8' });
    expect(bin.stdout, bin.stderr).toBe(`${pkg.version}\n`);
    const usage = spawnSync(join(app, 'node_modules/.bin/tensorzip'), ['verify', 'missing.tzip', '--json'], { cwd: app, encoding: 'utf8' });
    expect(usage.status).toBe(3);
    expect(JSON.parse(usage.stderr)).toMatchObject({ ok: false, code: 'IO' });
    rmSync(dir, { recursive: true, force: true });
  });
});
