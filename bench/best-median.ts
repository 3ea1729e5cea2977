// Runs a set of tasks in BENCH_ROUNDS rounds (default 8) of BENCH_TIME ms (default 120) and at least BENCH_ITERATIONS calls (default 64) each, the tasks taking turns
// in every round, and returns each task's best median time per call in ms. On a shared machine whose speed drifts
// over seconds, that compares the tasks rather than the moments they happened to run in.
import { Bench } from 'tinybench';

const TIME = Number(process.env.BENCH_TIME ?? 120);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
/** At least this many calls per task and round (tinybench's default 64; fewer for tasks that take seconds). */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 64);

export const BENCH_SETTINGS = { timePerTaskMs: TIME, rounds: ROUNDS, iterations: ITERATIONS };

export async function bestMedians(label: string, tasks: Record<string, () => unknown>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME, warmupTime: 50, iterations: ITERATIONS });
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
    await bench.run();
    for (const task of bench.tasks) {
      if (task.result.state !== 'completed') throw new Error(`${label} ${task.name}: ${task.result.state}`);
      best[task.name] = Math.min(best[task.name] ?? Infinity, task.result.latency.p50);
    }
  }
  return best;
}
