// Loads dist/index.iife.min.js with a <script src> tag in real headless Chromium, served over loopback HTTP.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
let server: Server;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(process.cwd(), path));
      response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

it('the script-tag build defines the global tensorzip and works in Chromium', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${origin}/test/browser/script-tag.html`);
  await page.waitForFunction(() => (window as unknown as { results?: unknown }).results !== undefined);
  const results = await page.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results);
  expect(errors).toEqual([]);
  expect(results.failure).toBeUndefined();
  expect(results).toMatchObject({ global: true, init: { simd: true }, roundTrip: true, scalarSame: true, error: { isTensorzipError: true, code: 'TRUNCATED' } });
  expect(results.ratio as number).toBeGreaterThan(10);
});
