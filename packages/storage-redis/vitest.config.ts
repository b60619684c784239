import { defineProject } from 'vitest/config';

// A real redis-server (appendonly yes, appendfsync always) started by the global setup; tests that
// kill or misconfigure a server start their own.
export default defineProject({
  test: {
    name: 'storage-redis (node)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
