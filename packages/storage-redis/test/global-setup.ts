// One private redis-server (appendonly yes, appendfsync always) for the tests of this package:
// its URL is provided as `redisUrl`. Tests that kill or misconfigure a server start their own.
import { startRedisServer } from '@cairn/test-rigs/redis-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer({ label: 'storage-redis-tests' });
  project.provide('redisUrl', server.url);
  return () => server.stop({ remove: true });
}
