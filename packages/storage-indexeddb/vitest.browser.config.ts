import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@cairn/test-rigs/chromium-flags';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

// The same store tests as the happy-dom project, plus the `*.browser.test.ts` files (Web Locks,
// BroadcastChannel), inside a real Chromium page. The browser is Debian's; nothing is downloaded.
export default defineProject({
  // Pre-bundled up front: a dependency discovered mid-run makes Vite reload the page, and the test
  // files of that page are then reported as neither passed nor failed (seen on a cold cache).
  optimizeDeps: { include: ['idb', '@cairn/core > openai', '@cairn/core > zod'] },
  test: {
    name: 'indexeddb (chromium)',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The page server of browser mode: loopback only, another port when a parallel run holds it.
    api: { host: '127.0.0.1', strictPort: false },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
