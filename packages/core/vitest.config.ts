import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core (node)',
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
