import { defineProject } from 'vitest/config';

// Real SQLite files, real fsync'd journals and real child processes: give slow disks room.
export default defineProject({
  test: {
    name: 'storage-node (node)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/redis-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
