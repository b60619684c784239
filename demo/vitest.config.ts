import { defineProject } from 'vitest/config';

// The Node demo end to end: `node src/node/main.ts` in a child process, which itself spawns and
// SIGKILLs worker processes. Browser tests live in vitest.e2e.config.ts.
export default defineProject({
  test: {
    name: 'demo (node)',
    include: ['src/**/*.test.ts'],
    exclude: ['**/*.e2e.test.ts', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 30_000,
  },
});
