import { defineProject } from 'vitest/config';

// IndexedDB semantics on every commit, fast: happy-dom for the DOM globals, fake-indexeddb for
// IndexedDB. The same store tests run again in real Chromium (vitest.browser.config.ts).
export default defineProject({
  test: {
    name: 'indexeddb (happy-dom)',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.browser.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['./test/setup-fake-indexeddb.ts'],
    testTimeout: 20_000,
  },
});
