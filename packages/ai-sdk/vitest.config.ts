import { defineProject } from 'vitest/config';

// Real AI SDK providers over HTTP to local servers, real MCP servers, real child processes.
export default defineProject({
  test: {
    name: 'ai-sdk (node)',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
