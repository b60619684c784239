// `cairn --store redis://…` against a real password-protected redis-server: commands work through
// the URL (and CAIRN_STORE), and no output, error or JSON ever shows the password.
import { createRuntime, defineWorkflow } from '@cairn/core';
import { createRedisStore } from '@cairn/storage-redis';
import { type RedisServer, startRedisServer } from '@cairn/test-rigs/redis-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';

const PASSWORD = 'pw-Never-Printed-42';
let server: RedisServer;
let spec: string;
beforeAll(async () => {
  server = await startRedisServer({ label: 'cli', config: { requirepass: PASSWORD } });
  spec = `redis://:${PASSWORD}@127.0.0.1:${server.port}/1?prefix=cli%3A`;
  const store = await createRedisStore({ url: `redis://:${PASSWORD}@127.0.0.1:${server.port}/1`, prefix: 'cli:' });
  const greet = defineWorkflow('greet', async (ctx, input: { name: string }) =>
    ctx.step('compose', async () => `hi ${input.name}`),
  );
  const runtime = createRuntime({ store, workflows: [greet] });
  await (await runtime.start(greet, { name: 'ada' }, { runId: 'run-ada' })).result();
  await runtime.close();
  await store.close();
});
afterEach(() => killCliChildren());
afterAll(() => server.stop({ remove: true }));

function expectNoPassword(...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(PASSWORD);
}

describe('cairn --store redis://', () => {
  it('lists, shows and counts the runs of a Redis store, from --store and from CAIRN_STORE', async () => {
    const list = await cairn(['list', '--store', spec, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json().runs.map((run: { runId: string }) => run.runId)).toStrictEqual(['run-ada']);
    const show = await cairn(['show', 'run-ada', '--json'], { CAIRN_STORE: spec });
    expect(show.code, show.stderr).toBe(0);
    expect(show.json()).toMatchObject({ runId: 'run-ada', status: 'completed' });
    const stats = await cairn(['stats', '--store', spec]);
    expect(stats.code, stats.stderr).toBe(0);
    expectNoPassword(list.stdout, list.stderr, show.stdout, show.stderr, stats.stdout, stats.stderr);
  });

  it('never prints the password: wrong password, wrong user, unreachable server, malformed specs', async () => {
    const closedPort = server.port === 1 ? 2 : 1;
    const runs = await Promise.all([
      cairn(['list', '--store', `redis://:${PASSWORD}x@127.0.0.1:${server.port}`]),
      cairn(['list', '--json', '--store', `redis://user:${PASSWORD}@127.0.0.1:${server.port}`]),
      cairn(['stats', '--store', `redis://:${PASSWORD}@127.0.0.1:${closedPort}`], {}, 30_000),
      cairn(['list', '--store', `redis://:${PASSWORD}@`]),
      cairn(['list', '--store', `redis:${PASSWORD}@host`]),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.stderr.length + run.stdout.length).toBeGreaterThan(0);
      expectNoPassword(run.stdout, run.stderr);
    }
    expect(runs[0]?.stderr).toMatch(/WRONGPASS|NOAUTH|invalid/i);
    expect(runs[3]?.code).toBe(2);
  });
});
