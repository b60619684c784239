import { defineProject } from 'vitest/config';

// A private PostgreSQL server (started by the global setup, fsync on) serves every test file.
export default defineProject({
  test: {
    name: 'storage-postgres (node)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/postgres-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
