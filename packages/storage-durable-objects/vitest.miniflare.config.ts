import { defineProject } from 'vitest/config';

// Node side: Miniflare persisting to a folder, disposed mid-run and started again (test/restart);
// a run moved from IndexedDB in real Chromium into a Durable Object (test/portable).
export default defineProject({
  test: {
    name: 'durable-objects (miniflare restart)',
    environment: 'node',
    include: ['test/restart/**/*.test.ts', 'test/portable/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
