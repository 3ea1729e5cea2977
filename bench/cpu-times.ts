// CPU time per call of each task (process.cpuUsage), so other processes on a shared machine do not count: the best
// over `rounds` rounds of `timeMs` each, the tasks taking turns in every round.

export async function cpuTimes(tasks: Record<string, () => unknown>, rounds: number, timeMs: number): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, task] of Object.entries(tasks)) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let calls = 0;
      do {
        await task();
        calls++;
      } while (performance.now() - started < timeMs);
      const used = process.cpuUsage(cpu);
      best[name] = Math.min(best[name] ?? Infinity, (used.user + used.system) / 1000 / calls);
    }
  }
  return best;
}
