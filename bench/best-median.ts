// Runs a set of tasks in BENCH_ROUNDS rounds (default 8) of BENCH_TIME ms each (default 120), the tasks taking turns
// in every round, and returns each task's best median time per call in ms. On a shared machine whose speed drifts
// over seconds, that compares the tasks rather than the moments they happened to run in.
import { Bench } from 'tinybench';

const TIME = Number(process.env.BENCH_TIME ?? 120);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);

export const BENCH_SETTINGS = { timePerTaskMs: TIME, rounds: ROUNDS };

export async function bestMedians(label: string, tasks: Record<string, () => unknown>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME, warmupTime: 50 });
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
    await bench.run();
    for (const task of bench.tasks) {
      if (task.result.state !== 'completed') throw new Error(`${label} ${task.name}: ${task.result.state}`);
      best[task.name] = Math.min(best[task.name] ?? Infinity, task.result.latency.p50);
    }
  }
  return best;
}
