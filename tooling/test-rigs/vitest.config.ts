import { defineProject } from 'vitest/config';

// The rigs' own behaviour that tests elsewhere rely on without exercising (cleanup at exit).
export default defineProject({
  test: {
    name: 'test-rigs (node)',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
});
