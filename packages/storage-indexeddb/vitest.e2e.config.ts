import { defineProject } from 'vitest/config';

// Node-side tests that drive several real Chromium pages of one origin (two tabs, a tab closed or
// crashed) through playwright-core; see @cairn/test-rigs/chromium. One file at a time: each launches a browser.
export default defineProject({
  test: {
    name: 'indexeddb (chromium e2e)',
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
