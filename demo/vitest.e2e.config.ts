import { defineProject } from 'vitest/config';

// The browser demo in real Chromium (Debian's, via playwright-core; nothing is downloaded), served by
// Vite on 127.0.0.1. One file at a time: each launches a browser.
export default defineProject({
  test: {
    name: 'demo (chromium e2e)',
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
