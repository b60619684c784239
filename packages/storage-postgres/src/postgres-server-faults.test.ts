// The database server itself crashes: its postmaster is SIGKILLed mid-run and started again on the
// same data folder (crash recovery). Nothing acknowledged is lost, every failure in between is a
// retryable StorageUnavailableError, and the run resumes and completes. Own server: this file kills it.
import { CairnError, createRuntime, defineWorkflow, type JournalEntry } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { type PostgresServer, startPostgresServer } from '@cairn/test-rigs/postgres-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await server?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectRetryable(errors: unknown[]): void {
  for (const error of errors) {
    expect(CairnError.is(error, 'storage-unavailable'), String(error)).toBe(true);
    expect((error as CairnError).retryable, String(error)).toBe(true);
  }
}

describe('postgres server killed and restarted', () => {
  it('appends acknowledged before a SIGKILL of the postmaster survive it; failures in between are retryable', async () => {
    const store = createPostgresStore({ connectionString: server.url, schema: 'faults_store', poolSize: 2 });
    await store.createRun(newRunFixture('run-1'));
    const acknowledged = new Map<number, string>();
    const errors: unknown[] = [];
    let lastSeq = 0;
    let crash: Promise<void> | undefined;
    for (let index = 0; index < 60; ) {
      if (index === 20 && crash === undefined) crash = server.kill().then(() => sleep(300).then(() => server.start()));
      const key = `step#${index}`;
      try {
        const run = await store.append(
          'run-1',
          lastSeq,
          [{ kind: 'step-end', key, payload: JSON.stringify({ v: index }), createdAt: index }],
          { updatedAt: index },
        );
        lastSeq = run.lastSeq;
        acknowledged.set(lastSeq, key);
        index++;
      } catch (error) {
        errors.push(error);
        if (errors.length > 500) throw error;
        await sleep(50);
        // An append whose reply was lost may have committed: find out from the journal.
        const tail = await store.readEntries('run-1', { afterSeq: lastSeq }).catch((caught: unknown) => {
          errors.push(caught);
          return [] as JournalEntry[];
        });
        if (tail[0]?.key === key) {
          lastSeq = tail[0].seq;
          index++;
        }
      }
    }
    await crash;
    expect(errors.length, 'the crash was seen').toBeGreaterThan(0);
    expectRetryable(errors);
    await store.close();
    // A fresh handle after the restart: every acknowledged entry, each once, densely numbered.
    const reopened = createPostgresStore({ connectionString: server.url, schema: 'faults_store' });
    const entries = await reopened.readEntries('run-1');
    expect(entries.map((entry) => entry.seq)).toStrictEqual(entries.map((_, i) => i + 1));
    expect(entries.map((entry) => entry.key)).toStrictEqual(Array.from({ length: 60 }, (_, i) => `step#${i}`));
    for (const [seq, key] of acknowledged) expect(entries[seq - 1]?.key).toBe(key);
    await reopened.close();
  });

  it('a run whose server crashed mid-run resumes after the restart: acknowledged steps never run again', async () => {
    const executions = new Map<string, number>();
    const acknowledged = new Set<string>();
    const work = defineWorkflow('work', async (ctx, count: number) => {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        sum += await ctx.step(`s${i}`, async () => {
          executions.set(`s${i}`, (executions.get(`s${i}`) ?? 0) + 1);
          await sleep(5);
          return i;
        });
      }
      return sum;
    });
    const storeA = createPostgresStore({ connectionString: server.url, schema: 'faults_runtime', poolSize: 2 });
    const runtimeA = createRuntime({
      store: storeA,
      workflows: [work],
      owner: 'a',
      leaseMs: 1500,
      onEvent: (event) => {
        if (event.type === 'step-end') acknowledged.add(event.stepId);
      },
    });
    const handle = await runtimeA.start(work, 40, { runId: 'crash-run' });
    const outcome = handle.result().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    while ((executions.size ?? 0) < 12) await sleep(2);
    await server.kill();
    // Down longer than the engine's own retries of a retryable append (about 1.2 s).
    await sleep(2500);
    await server.start();
    const first = await outcome;
    if ('error' in first) expectRetryable([first.error]);
    await runtimeA.close().catch(() => undefined);
    await storeA.close();

    const storeB = createPostgresStore({ connectionString: server.url, schema: 'faults_runtime' });
    const runtimeB = createRuntime({ store: storeB, workflows: [work], owner: 'b', leaseMs: 1500 });
    let result: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await (await runtimeB.resume('crash-run')).result();
        break;
      } catch (error) {
        // The crashed driver's lease runs out first.
        if (!CairnError.is(error, 'lease-held') || attempt > 100) throw error;
        await sleep(100);
      }
    }
    expect(result).toBe((40 * 39) / 2);
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const stepId of acknowledged) expect(executions.get(stepId.split('#')[0]!), stepId).toBe(1);
    const reran = [...executions].filter(([, count]) => count > 1);
    expect(reran.length, 'at most the step in flight at the crash runs again').toBeLessThanOrEqual(1);
    const entries = await storeB.readEntries('crash-run');
    expect(entries.map((entry) => entry.seq)).toStrictEqual(entries.map((_, i) => i + 1));
    expect(entries.filter((entry) => entry.kind === 'run-end')).toHaveLength(1);
    await runtimeB.close();
    await storeB.close();
  }, 90_000);
});
