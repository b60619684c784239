import { defineProject } from 'vitest/config';

// Cairn as a user installs it: tarballs packed once (global setup), installed with npm into scratch
// projects under the system temp folder. One file at a time: each runs npm, tsc or a browser.
export default defineProject({
  test: {
    name: 'packaging (node)',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
