import { defineProject } from 'vitest/config';

// The inspector's own units (API routes, token checks, inert rendering) in Node and happy-dom; the
// real-Chromium tests against `cairn ui` live beside the CLI in @cairn/storage-node (test/e2e).
export default defineProject({
  test: {
    name: 'inspector (node)',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
