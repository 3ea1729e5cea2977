// open() of a URL warms the default engine's kernels up (src/warm-up.ts) while its first bytes download, so that the
// first decodes run compiled code; it never waits for the warm-up, and a source at hand (bytes) gets none. The server
// here answers only once the warm-up has run to its end (or after 5 s: the old open() never started one).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it, vi } from 'vitest';

const warmUps = vi.hoisted(() => [] as { until: unknown; done: Promise<boolean> }[]);
vi.mock('../src/warm-up', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/warm-up')>();
  return {
    ...original,
    warmUp: (...args: Parameters<typeof original.warmUp>) => {
      const done = original.warmUp(...args);
      warmUps.push({ until: args[1], done });
      return done;
    },
  };
});

const { init, open, pack } = await import('../src/index');

const values = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i));
const file = await pack({ w: { dtype: 'float32', shape: [values.length], data: values } });
const server: Server = createServer(async (req, res) => {
  const deadline = Date.now() + 5000;
  while (warmUps.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await Promise.race([warmUps[0]?.done, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))]);
  const range = /^bytes=(\d*)-(\d+)$/.exec(req.headers.range ?? '')!;
  const from = range[1] === '' ? Math.max(0, file.length - Number(range[2])) : Number(range[1]);
  const to = range[1] === '' ? file.length - 1 : Math.min(Number(range[2]), file.length - 1);
  res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${file.length}`, 'content-length': to - from + 1 }).end(file.subarray(from, to + 1));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
afterAll(() => void server.close());

it('open(url): the kernels warm up while the first bytes download, once; init() then has nothing left to warm', async () => {
  const archive = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/w.tzip`);
  expect(warmUps.length).toBe(1);
  expect(warmUps[0]!.until).toBeInstanceOf(Promise);
  expect(await warmUps[0]!.done).toBe(true);
  expect(Array.from((await archive.get('w')).data as Float32Array)).toEqual(Array.from(values));
  await init();
  await open(file);
  expect(warmUps.length).toBe(1);
});
