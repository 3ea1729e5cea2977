// A local HTTP server and a headless Chromium to visit it, for the Node tests that run a page as a user's browser
// would (Debian's chromium, the one .ci/run installs).
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';

export interface LocalPages {
  /** http://127.0.0.1:port */
  origin: string;
  browser: Browser;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

/** Serves `handler` on a free port of 127.0.0.1 and launches Chromium. */
export async function localPages(handler: RequestListener): Promise<LocalPages> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    close: async () => {
      await browser.close();
      server.close();
      server.closeAllConnections();
    },
  };
}
