// Runs the calling bench file again in `count` fresh Node processes and collects what each prints as JSON: a bench
// measures in the child (`isChild()`), and the parent reports medians over the children, as a user decodes a model
// in a fresh process (cold) and speeds on the shared VM drift between processes.
import { execFileSync } from 'node:child_process';

const CHILD = 'TENSORZIP_BENCH_CHILD';

export const isChild = (): boolean => process.env[CHILD] === '1';

export function runFreshProcesses<T>(count: number, onDone?: (done: number) => void): T[] {
  const runs: T[] = [];
  for (let p = 0; p < count; p++) {
    const out = execFileSync(process.execPath, [process.argv[1]!], { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8', maxBuffer: 1 << 26 });
    runs.push(JSON.parse(out.trim().split('\n').pop()!) as T);
    onDone?.(p + 1);
  }
  return runs;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
