// Every call of the seeds' durable-execution docs, done the Cairn way on a real SQLite file — one
// test per line of the mapping in docs/guide/migrating.md (the test names are the seed calls).
import { join } from 'node:path';
import { Agent, createRuntime, createScriptedModel, defineWorkflow, NonRetriableError, RunFailedError, tool } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqliteStore } from '../../src/index.ts';

const temp = makeTempDir('seed-calls');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => temp.remove());

let dbs = 0;
const freshDb = () => join(temp.path, `seed-${dbs++}.db`);

/** The seeds' "What is 7 + 7?" agent: one tool call, then the answer; the model is down while `world.down`. */
function sevenAgent(db: string, world: { down: boolean; modelCalls: number; adds: number }, runtime = {}) {
  const store = createSqliteStore({ path: db });
  const add = tool({
    name: 'add',
    description: 'Add two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    execute: ({ a, b }) => {
      world.adds++;
      return a + b;
    },
  });
  const model = createScriptedModel(async (_request, { turn }) => {
    world.modelCalls++;
    if (turn === 1 && world.down) throw new NonRetriableError('model endpoint answered 503');
    return turn === 0 ? { toolCalls: [{ name: 'add', arguments: { a: 7, b: 7 } }] } : '14';
  });
  const agent = new Agent({ model, tools: [add], store, runtime: { retry: { maxAttempts: 1 }, ...runtime } });
  closers.push(async () => {
    await agent.close();
    await store.close();
  });
  return agent;
}

describe('the seeds’ calls on SQLite', () => {
  it('continue_run_async(run_id=…) and continue_durable(execution_id, storage): agent.resume(runId) in a new agent over the same file retries the failed run in place', async () => {
    const db = freshDb();
    const world = { down: true, modelCalls: 0, adds: 0 };
    const first = sevenAgent(db, world);
    const error = await first.run('What is 7 + 7? Reply with just the number.').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    const runId = (error as RunFailedError).runId;
    await first.close();
    world.down = false;
    // The seeds' "new agent" recovery: a new Agent over the same database.
    const second = sevenAgent(db, world);
    const result = await second.resume(runId);
    expect(result).toMatchObject({ status: 'completed', runId, output: '14' });
    expect(world.adds, 'the completed tool call was replayed').toBe(1);
    expect(world.modelCalls, 'turn 0 once, turn 1 failed once and made again').toBe(3);
  });

  it('continue_run_async(task=…): agent.run(input, { idempotencyKey, retryFailed: true }) retries the failed run of that task; without retryFailed it rethrows', async () => {
    const db = freshDb();
    const world = { down: true, modelCalls: 0, adds: 0 };
    const agent = sevenAgent(db, world);
    const task = { id: 'task-7-plus-7', description: 'What is 7 + 7?' };
    const first = await agent.run(task.description, { idempotencyKey: task.id }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RunFailedError);
    world.down = false;
    // An idempotent call answers with the first call's outcome…
    const same = await agent.run(task.description, { idempotencyKey: task.id }).catch((e: unknown) => e);
    expect((same as RunFailedError).runId).toBe((first as RunFailedError).runId);
    // …unless asked to continue it.
    const continued = await agent.run(task.description, { idempotencyKey: task.id, retryFailed: true });
    expect(continued).toMatchObject({ status: 'completed', runId: (first as RunFailedError).runId, output: '14' });
    expect(world.adds).toBe(1);
    // The same key with another task is refused, not answered with this run.
    await expect(agent.run('What is 8 + 8?', { idempotencyKey: task.id, retryFailed: true })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });

  it('get_execution_info, list_all_executions, get_stats()["backend"], session_id / user_id: get, list with metadata and status, stats', async () => {
    const db = freshDb();
    const store = createSqliteStore({ path: db });
    const job = defineWorkflow('job', async (ctx, n: number) => ctx.step('double', () => n * 2));
    const runtime = createRuntime({ store, workflows: [job] });
    closers.push(async () => {
      await runtime.close();
      await store.close();
    });
    const a = await runtime.start(job, 1, { metadata: { sessionId: 'session_1', userId: 'user_1' } });
    const b = await runtime.start(job, 2, { metadata: { sessionId: 'session_2', userId: 'user_1' } });
    await Promise.all([a.result(), b.result()]);
    const info = await runtime.get(a.runId);
    expect(info).toMatchObject({
      status: 'completed',
      output: 2,
      step: { name: 'double' },
      metadata: { sessionId: 'session_1' },
    });
    const byUser = await runtime.list({ metadata: { userId: 'user_1' }, status: ['completed'] });
    expect(byUser.runs.map((run) => run.runId).sort()).toEqual([a.runId, b.runId].sort());
    expect((await runtime.list({ metadata: { sessionId: 'session_2' } })).runs.map((run) => run.runId)).toEqual([b.runId]);
    expect(await runtime.stats()).toMatchObject({ backend: 'sqlite', total: 2, byStatus: { completed: 2 } });
  });

  it('cleanup_old_executions_async, delete_state_async, auto_cleanup and ttl: cleanup, delete, autoCleanup and retention', async () => {
    const db = freshDb();
    const store = createSqliteStore({ path: db });
    let now = 1_700_000_000_000;
    const clock = {
      now: () => now,
      setTimer: (_ms: number, fn: () => void) => {
        const t = setTimeout(fn, 0);
        return { cancel: () => clearTimeout(t) };
      },
    };
    const job = defineWorkflow('job', async (ctx, n: number) => ctx.step('double', () => n * 2));
    const runtime = createRuntime({ store, workflows: [job], clock, retention: { completed: 3_600_000 } });
    const auto = createRuntime({ store, workflows: [job], clock, autoCleanup: true });
    closers.push(async () => {
      await runtime.close();
      await auto.close();
      await store.close();
    });
    const old = await runtime.start(job, 1);
    await old.result();
    now += 2 * 3_600_000;
    const fresh = await runtime.start(job, 2);
    await fresh.result();
    const expiring = await runtime.start(job, 3, { expiresAt: now + 1_000 });
    await expiring.result();
    // ttl: completed runs are kept an hour; the old one goes, the fresh one stays.
    expect(await runtime.cleanup()).toBe(1);
    expect(await store.getRun(old.runId)).toBeNull();
    now += 2_000;
    // A run's own expiresAt.
    expect(await runtime.cleanup()).toBe(1);
    expect(await store.getRun(expiring.runId)).toBeNull();
    // cleanup_old_executions_async(older_than_days=…)
    now += 1_000;
    expect(await runtime.cleanup({ olderThanMs: 500 })).toBe(1);
    expect(await store.getRun(fresh.runId)).toBeNull();
    // delete_state_async(execution_id)
    const doomed = await runtime.start(job, 4);
    await doomed.result();
    expect(await runtime.delete(doomed.runId)).toBe(true);
    expect(await runtime.delete(doomed.runId)).toBe(false);
    // auto_cleanup=True: a completed run is deleted when it completes.
    const gone = await auto.start(job, 5);
    expect(await gone.result()).toBe(10);
    for (let i = 0; i < 100 && (await store.getRun(gone.runId)) !== null; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await store.getRun(gone.runId)).toBeNull();
  });
});
