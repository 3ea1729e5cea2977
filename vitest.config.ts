import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    projects: [
      {
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/deno/**'], testTimeout: 120_000 },
      },
      {
        test: {
          name: 'chromium',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts', 'test/deno/**'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium' }],
            provider: playwright({ launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS } }),
          },
        },
      },
    ],
  },
});
