// Workers in Node: they are real threads, and a process that opened an archive with workers (and never closed it)
// exits on its own once its work is done — idle workers hold no reference to the event loop.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, pack } from '../src/index';

const GOLDEN = 'test/golden/v1.2/shared-ranges.tzip';
const threads = () => readdirSync('/proc/self/task').length;
// Chunks of 1 MiB (they go to the workers; the golden file's are all small enough to stay on the calling thread).
const LARGE = await pack({ w: { dtype: 'float32', shape: [1024, 1500], data: Float32Array.from({ length: 1024 * 1500 }, (_, i) => Math.sin(i) * Math.cos(i / 7)) } });

describe.skipIf(process.platform !== 'linux')('workers in Node', () => {
  it('open(…, { workers: 2 }) starts two threads, which decode the chunks', async () => {
    const before = threads();
    const archive = await open(LARGE, { workers: 2 });
    try {
      expect(threads()).toBeGreaterThanOrEqual(before + 2);
      const one = await (await open(LARGE)).getAll();
      const two = await archive.getAll();
      for (const [name, t] of Object.entries(one)) expect(Buffer.from(two[name]!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
    } finally {
      archive.close();
    }
  });

  it.each([['its chunks decoded on the workers', 'large'], ['the workers never used', GOLDEN]])('a process that opens with workers and never calls close() exits on its own after its decode: %s', (_, file) => {
    // dist/, as users run it: decode every tensor on 2 workers, print a digest, and let the process end by itself.
    const script = `
      import { readFileSync } from 'node:fs';
      const { open, pack } = await import(${JSON.stringify(new URL('../dist/index.mjs', import.meta.url).href)});
      const bytes = ${JSON.stringify(file)} === 'large'
        ? await pack({ w: { dtype: 'float32', shape: [1024, 1500], data: Float32Array.from({ length: 1024 * 1500 }, (_, i) => Math.sin(i)) } })
        : readFileSync(${JSON.stringify(file)});
      const archive = await open(bytes, { workers: 2 });
      const all = await archive.getAll();
      let sum = 0;
      for (const t of Object.values(all)) for (const b of new Uint8Array(t.data.buffer)) sum = (sum + b) % 65521;
      console.log(Object.keys(all).length + ' ' + sum);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(/^\d+ \d+$/);
  });
});
