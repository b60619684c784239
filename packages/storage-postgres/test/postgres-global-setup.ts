// One private PostgreSQL server (fsync on) for the package's test files; each store gets its own
// schema on it. Tests that crash or restart a server start their own.
import { type PostgresServer, startPostgresServer } from '@cairn/test-rigs/postgres-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let server: PostgresServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return async () => {
    await server?.remove();
  };
}
