// npm test (after the build): the shared test files in Node and headless Chromium (vitest), and in Deno (deno test
// against dist/). Prints each runner's output, then one line `N passed, N failed` over every runtime.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const results = [];
function run(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const child = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(child.stdout ?? '');
  return { status: child.status, stdout: child.stdout ?? '' };
}

// Node and Chromium.
const report = 'build/vitest.json';
rmSync(report, { force: true });
const vitest = run('vitest (node, chromium)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  results.push({ name: 'node + chromium (vitest)', passed: json.numPassedTests, failed: json.numFailedTests + (json.success ? 0 : json.numFailedTestSuites), ok: vitest.status === 0 });
} else {
  results.push({ name: 'node + chromium (vitest)', passed: 0, failed: 1, ok: false });
}

// Deno: the same files except the Node-only ones, plus test/deno/.
const shared = readdirSync('test').filter((f) => f.endsWith('.test.ts') && !f.endsWith('.node.test.ts')).map((f) => `test/${f}`);
const deno = run('deno', 'npx', ['deno', 'test', '--config', 'test/deno/deno.json', '--no-check', '--allow-read', '--allow-env', '--allow-net=127.0.0.1', ...shared, 'test/deno/']);
const summary = deno.stdout.replace(/\x1b\[[0-9;]*m/g, '').match(/(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/);
results.push(summary
  ? { name: 'deno (deno test, dist/)', passed: Number(summary[2]), failed: Number(summary[3]), ok: deno.status === 0 }
  : { name: 'deno (deno test, dist/)', passed: 0, failed: 1, ok: false });

console.log('');
for (const r of results) console.log(`  ${r.name} — ${r.passed} passed / ${r.failed} failed${r.ok ? "" : " (runner failed)"}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed + (r.ok || r.failed > 0 ? 0 : 1), 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.ok) ? 0 : 1);
