/**
 * Engine scenarios of retrying a failed run in place (`runtime.retry`, `retryAll`), run against every
 * adapter by `engineConformanceSuite`: the run id stays, completed steps are replayed (never run
 * again), the failed step runs again (a `once` step with its first idempotency key), the retry is on
 * record, and what must be refused is refused. Portable: no node:*, no Buffer, no DOM.
 */
import { expect, it } from 'vitest';
import { createManualClock } from '../engine/clock.ts';
import { createRuntime, type Runtime } from '../engine/runtime.ts';
import { defineWorkflow, type OnUnknown, type Workflow } from '../engine/workflow.ts';
import { CairnError, NonRetriableError } from '../errors.ts';
import type { DurableStore } from '../storage/types.ts';
import type { StoreHarness } from './harness.ts';

const LEASE_MS = 1_000;

/** The outside world of the retry workflow: call counts, a payment ledger by key, and a switch. */
interface World {
  calls: Map<string, number>;
  /** Charges by idempotency key (what a payment provider keeps). */
  charges: Map<string, number>;
  keys: string[];
  /** While true, the step `flaky` throws a non-retriable error (the "503 until fixed"). */
  broken: boolean;
  /** While true, the once step `charge` throws after charging (a provider error after the effect). */
  chargeFails?: boolean;
  /** Make `charge` hang forever on its next call (the process dies inside it). */
  hangCharge?: boolean;
}

function count(world: World, name: string): void {
  world.calls.set(name, (world.calls.get(name) ?? 0) + 1);
}

function retryWorkflow(world: World, onUnknown: OnUnknown<number> = 'fail'): Workflow<number, number> {
  return defineWorkflow('retry-flow', async (ctx, input: number) => {
    const a = await ctx.step('prepare', () => {
      count(world, 'prepare');
      return input + 1;
    });
    const charged = await ctx.step(
      'charge',
      async (step) => {
        count(world, 'charge');
        world.keys.push(step.idempotencyKey ?? '');
        if (world.hangCharge) {
          world.hangCharge = false;
          await new Promise(() => {});
        }
        if (!world.charges.has(step.idempotencyKey!)) world.charges.set(step.idempotencyKey!, a * 10);
        if (world.chargeFails) throw new NonRetriableError('payment provider said: card declined');
        return world.charges.get(step.idempotencyKey!)!;
      },
      { effect: 'once', onUnknown, retry: false },
    );
    const b = await ctx.step(
      'flaky',
      () => {
        count(world, 'flaky');
        if (world.broken) throw new NonRetriableError('model endpoint answered 503');
        return charged + 1;
      },
      { retry: false },
    );
    return b * 2;
  });
}

/** A run that pauses until a signal (to be cancelled while paused). */
const waiter = defineWorkflow('retry-waiter', (ctx) => ctx.waitForSignal('go'));

function newWorld(): World {
  return { calls: new Map(), charges: new Map(), keys: [], broken: false };
}

/** Register the retry scenarios (called inside the engine scenarios' `describe`). */
export function retryScenarios(
  harness: StoreHarness,
  runtimes: Runtime[],
  successor: (store: DurableStore) => Promise<DurableStore>,
  timeout: number,
): void {
  function runtimeOf(store: DurableStore, world: World, owner: string, onUnknown?: OnUnknown<number>): Runtime {
    const runtime = createRuntime({
      store,
      workflows: [retryWorkflow(world, onUnknown), waiter],
      clock: createManualClock(),
      leaseMs: LEASE_MS,
      owner,
    });
    runtimes.push(runtime);
    return runtime;
  }

  it(
    'retries a failed run in place: same run id, completed steps replayed, the failed step run again, the retry on record',
    async () => {
      const world = newWorld();
      world.broken = true;
      const base = await harness.create();
      const a = runtimeOf(base, world, 'runtime-a');
      const run = await a.start('retry-flow', 4);
      await expect(run.result()).rejects.toMatchObject({ code: 'run-failed' });
      expect((await a.get(run.runId)).status).toBe('failed');
      await a.close();
      // The endpoint is fixed; another runtime (a new process) retries the run.
      world.broken = false;
      const b = runtimeOf(await successor(base), world, 'runtime-b');
      const again = await b.retry<number>(run.runId, { by: 'ops@example.com', reason: 'endpoint fixed' });
      expect(again.runId).toBe(run.runId);
      expect(await again.result()).toBe((5 * 10 + 1) * 2);
      expect(world.calls.get('prepare'), 'completed step replayed, not run again').toBe(1);
      expect(world.calls.get('charge'), 'completed once step replayed').toBe(1);
      expect(world.charges.size).toBe(1);
      expect(world.calls.get('flaky'), 'the failed step ran again').toBe(2);
      const history = await b.history(run.runId);
      const retries = history.filter((item) => item.kind === 'run-retry');
      expect(retries).toHaveLength(1);
      expect(retries[0]!.retry).toMatchObject({ by: 'ops@example.com', reason: 'endpoint fixed', attempt: 2 });
      // The failure stays on record before the retry; the run ends completed after it.
      const kinds = history.map((item) => item.kind);
      expect(kinds.indexOf('step-fail')).toBeLessThan(kinds.indexOf('run-retry'));
      expect(kinds.filter((k) => k === 'run-end')).toHaveLength(2);
      expect(history.at(-1)).toMatchObject({ kind: 'run-end', status: 'completed' });
      const info = await b.get(run.runId);
      expect(info.status).toBe('completed');
      expect(info.error).toBeUndefined();
      expect(info.attempt, 'get() shows the attempts of the run').toBe(2);
    },
    timeout,
  );

  it(
    'a failed once step runs again with its first idempotency key; a run that fails again can be retried again',
    async () => {
      const world = newWorld();
      world.chargeFails = true;
      const base = await harness.create();
      const a = runtimeOf(base, world, 'runtime-a');
      const run = await a.start('retry-flow', 1);
      await expect(run.result()).rejects.toMatchObject({ code: 'run-failed' });
      // Still failing: the second attempt fails too and ends the run failed again.
      await expect((await a.retry<number>(run.runId)).result()).rejects.toMatchObject({ code: 'run-failed' });
      world.chargeFails = false;
      expect(await (await a.retry<number>(run.runId, { by: 'third' })).result()).toBe((2 * 10 + 1) * 2);
      expect(world.calls.get('charge')).toBe(3);
      expect((await a.get(run.runId)).attempt).toBe(3);
      expect(new Set(world.keys).size, 'every attempt of the once step used one idempotency key').toBe(1);
      expect(world.charges.size, 'the provider charged once').toBe(1);
      const retries = (await a.history(run.runId)).filter((item) => item.kind === 'run-retry');
      expect(retries.map((item) => [item.retry?.attempt, item.retry?.by])).toEqual([
        [2, 'api'],
        [3, 'third'],
      ]);
    },
    timeout,
  );

  it(
    'a once step whose outcome is unknown (onUnknown "fail") is run again by a retry with the same key, and once only',
    async () => {
      const world = newWorld();
      world.hangCharge = true;
      const base = await harness.create();
      const clock = createManualClock();
      const a = createRuntime({ store: base, workflows: [retryWorkflow(world)], clock, leaseMs: LEASE_MS, owner: 'runtime-a' });
      runtimes.push(a);
      const run = await a.start('retry-flow', 2);
      for (let spin = 0; spin < 500 && (world.calls.get('charge') ?? 0) === 0; spin++)
        await new Promise((resolve) => setTimeout(resolve, 1));
      expect(world.calls.get('charge'), 'runtime A is inside the once step').toBe(1);
      // The process "dies" inside the step: its runtime stops and nothing more is written.
      await a.close();
      expect(world.charges.size).toBe(0);
      const b = createRuntime({
        store: await successor(base),
        workflows: [retryWorkflow(world)],
        clock,
        leaseMs: LEASE_MS,
        owner: 'runtime-b',
      });
      runtimes.push(b);
      await clock.advance(LEASE_MS * 2);
      await expect((await b.resume<number>(run.runId)).result()).rejects.toMatchObject({ code: 'run-failed' });
      expect((await b.get(run.runId)).error?.code).toBe('outcome-unknown');
      expect(world.calls.get('charge'), 'onUnknown "fail" did not run the step').toBe(1);
      // A human checked the provider and retries: the step runs again under the same key.
      expect(await (await b.retry<number>(run.runId, { by: 'ops' })).result()).toBe((3 * 10 + 1) * 2);
      expect(world.calls.get('charge')).toBe(2);
      expect(world.keys[0]).toBe(world.keys[1]);
      expect(world.charges.size).toBe(1);
    },
    timeout,
  );

  it(
    'refuses to retry a cancelled, completed or running run with RunNotRetryableError naming it; of two retries at the same instant one wins',
    async () => {
      const world = newWorld();
      const base = await harness.create();
      const a = runtimeOf(base, world, 'runtime-a');
      const done = await a.start('retry-flow', 1);
      await done.result();
      await expect(a.retry(done.runId)).rejects.toMatchObject({ code: 'run-not-retryable' });
      await expect(a.retry(done.runId)).rejects.toThrow(`run "${done.runId}" cannot be retried: it completed`);
      const cancelled = await a.start('retry-waiter', null, { runId: 'retry-cancelled' });
      await cancelled.settled();
      await a.cancel(cancelled.runId);
      expect((await a.get(cancelled.runId)).status).toBe('cancelled');
      const error = await a.retry(cancelled.runId).catch((e: unknown) => e);
      expect(CairnError.is(error, 'run-not-retryable')).toBe(true);
      expect((error as Error).message).toContain('was cancelled');
      await expect(a.retry('no-such-run')).rejects.toMatchObject({ code: 'run-not-found' });
      await expect(a.retry(done.runId, { by: '' })).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(a.retry(done.runId, { reason: 'x'.repeat(1001) })).rejects.toMatchObject({ code: 'invalid-argument' });

      world.broken = true;
      const failed = await a.start('retry-flow', 3);
      await expect(failed.result()).rejects.toMatchObject({ code: 'run-failed' });
      world.broken = false;
      const b = runtimeOf(harness.peer ? await harness.peer(base) : base, world, 'runtime-b');
      const settled = await Promise.allSettled([a.retry<number>(failed.runId), b.retry<number>(failed.runId)]);
      const won = settled.filter((s) => s.status === 'fulfilled');
      const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      // The loser either lost the append (lease-held) or already saw the run running again.
      const reason = lost[0]!.reason;
      expect(CairnError.is(reason, 'lease-held') || CairnError.is(reason, 'run-not-retryable'), String(reason)).toBe(true);
      expect(await (won[0] as PromiseFulfilledResult<{ result(): Promise<number> }>).value.result()).toBe((4 * 10 + 1) * 2);
      expect((await a.history(failed.runId)).filter((item) => item.kind === 'run-retry')).toHaveLength(1);
      expect(world.calls.get('flaky'), 'the failed step ran once more, not twice').toBe(3);
    },
    timeout,
  );

  it(
    'retryAll retries every failed run of a workflow (limit and failedAfter respected) and leaves the others',
    async () => {
      const world = newWorld();
      world.broken = true;
      const base = await harness.create();
      const clock = createManualClock();
      const a = createRuntime({ store: base, workflows: [retryWorkflow(world)], clock, leaseMs: LEASE_MS, owner: 'runtime-a' });
      runtimes.push(a);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const run = await a.start('retry-flow', i);
        await run.result().catch(() => undefined);
        ids.push(run.runId);
        await clock.advance(1_000);
      }
      world.broken = false;
      const ok = await a.start('retry-flow', 9);
      await ok.result();
      await expect(a.retryAll({ limit: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(a.retryAll({ failedAfter: Number.NaN })).rejects.toMatchObject({ code: 'invalid-argument' });
      const failedAt = (await a.get(ids[2]!)).updatedAt;
      const first = await a.retryAll({ failedAfter: failedAt, workflow: 'retry-flow' });
      expect(first.failed).toEqual([]);
      expect(new Set(first.retried)).toEqual(new Set([ids[2], ids[3]]));
      const second = await a.retryAll({ limit: 1, by: 'nightly' });
      expect(second.retried).toHaveLength(1);
      const third = await a.retryAll();
      expect(third.retried).toHaveLength(1);
      for (const runId of ids) expect(await a.handle<number>(runId).result()).toBeGreaterThan(0);
      expect((await a.retryAll()).retried).toEqual([]);
      const byNightly = (await a.history(second.retried[0]!)).find((item) => item.kind === 'run-retry');
      expect(byNightly?.retry?.by).toBe('nightly');
    },
    timeout,
  );
}
