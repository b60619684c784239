import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { isAlive, runKillableChild } from '../src/kill-child.ts';

const fixture = fileURLToPath(new URL('./fixtures/crash-with-servers.ts', import.meta.url));

describe('private servers at process exit', () => {
  it('a process that dies of an uncaught error takes its Postgres and Redis servers down with it', async () => {
    const outcome = await runKillableChild(fixture, {}, { timeoutMs: 90_000 });
    expect(outcome.stderr).toContain('dying with both servers running');
    expect(outcome.code).not.toBe(0);
    const started = outcome.lines.at(-1) as { postgresPid: number; postgresDir: string; redisPid: number; redisDir: string };
    expect(started.postgresPid).toBeGreaterThan(0);
    expect(started.redisPid).toBeGreaterThan(0);
    // The exit hook waits for the postmaster (SIGQUIT: it stops its backends first); redis-server
    // gets SIGKILL, which the kernel delivers at once but reaps a moment later.
    await vi.waitFor(
      () => {
        expect(isAlive(started.postgresPid)).toBe(false);
        expect(isAlive(started.redisPid)).toBe(false);
        expect(existsSync(started.postgresDir)).toBe(false);
        expect(existsSync(started.redisDir)).toBe(false);
      },
      { timeout: 30_000, interval: 100 },
    );
  });
});
