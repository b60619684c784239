// A private redis-server (appendonly yes, appendfsync always) for the Redis variants of this
// package's tests: the openStore and CLI specs, the torture harness and the fleet tests.
import { hasRedisServer, REDIS_SERVER_BINARY, startRedisServer } from '@cairn/test-rigs/redis-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!hasRedisServer())
    throw new Error(
      `no redis-server at ${REDIS_SERVER_BINARY}: install Debian's redis-server (scripts/ensure-databases.sh) or set CAIRN_REDIS_SERVER`,
    );
  const server = await startRedisServer({ label: 'storage-node-tests' });
  project.provide('redisUrl', server.url);
  return () => server.stop({ remove: true });
}
