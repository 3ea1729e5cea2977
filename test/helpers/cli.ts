// Runs the CLI's main() in this process with stdout and stderr captured: its exit code and what it printed.
import { vi } from 'vitest';
import { main } from '../../src/cli/main';

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(args, '9.8.7'), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
