import { defineProject } from 'vitest/config';

// mountInspector in real Chromium (playwright-core, Debian's browser) over IndexedDB.
export default defineProject({
  test: {
    name: 'inspector (chromium e2e)',
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
