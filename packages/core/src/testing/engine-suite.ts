/**
 * The engine scenario group of the conformance suite: a six-step workflow interrupted at every
 * write and inside every step, then taken over by a fresh runtime over the same backing storage.
 * Portable (no node:*, no Buffer, no DOM): it runs against every adapter in every runtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, createManualClock, type ManualClock } from '../engine/clock.ts';
import type { RunEvent } from '../engine/events.ts';
import { createRuntime, type Runtime } from '../engine/runtime.ts';
import { defineWorkflow, type OnUnknown, type Workflow } from '../engine/workflow.ts';
import type { DurableStore } from '../storage/types.ts';
import { deployScenarios } from './deploy-scenarios.ts';
import type { StoreHarness } from './harness.ts';
import { createInterruptingStore } from './interrupting-store.ts';
import { lifecycleScenarios } from './lifecycle-suite.ts';
import { retryScenarios } from './retry-suite.ts';

const LEASE_MS = 1_000;

/** Observations shared by the workflow's steps across runtimes (the "outside world"). */
interface World {
  calls: Map<string, number>;
  /** Side effects by idempotency key (what a payment provider would keep). */
  ledger: Map<string, number>;
  /** Make the named step hang on its first call, before or after its side effect. */
  hang?: { step: string; afterEffect: boolean; done: boolean };
}

const POLICIES: Record<string, OnUnknown<number> | undefined> = {
  s1: 'retry',
  s3: undefined, // reconcile, built per world below
  s5: 'pause',
};

function sixSteps(world: World): Workflow<{ start: number }, number> {
  const reconcile: OnUnknown<number> = async (ctx) => {
    const found = world.ledger.get(ctx.idempotencyKey);
    return found === undefined ? { completed: false } : { completed: true, result: found };
  };
  return defineWorkflow('six-steps', async (ctx, input: { start: number }) => {
    let acc = input.start;
    for (let i = 1; i <= 6; i++) {
      const name = `s${i}`;
      const once = i % 2 === 1;
      const before = acc;
      acc = await ctx.step(
        name,
        async (step) => {
          world.calls.set(name, (world.calls.get(name) ?? 0) + 1);
          const hang = world.hang && world.hang.step === name && !world.hang.done ? world.hang : undefined;
          if (hang && !hang.afterEffect) {
            hang.done = true;
            await new Promise(() => {});
          }
          const result = before * 2 + i;
          if (once && step.idempotencyKey && !world.ledger.has(step.idempotencyKey))
            world.ledger.set(step.idempotencyKey, result);
          if (hang) {
            hang.done = true;
            await new Promise(() => {});
          }
          return result;
        },
        once ? { effect: 'once', onUnknown: name === 's3' ? reconcile : POLICIES[name], retry: false } : { retry: false },
      );
    }
    return acc;
  });
}

function expectedOutput(start: number): number {
  let acc = start;
  for (let i = 1; i <= 6; i++) acc = acc * 2 + i;
  return acc;
}

async function takeOver(
  store: DurableStore,
  world: World,
  clock: ManualClock,
): Promise<{ runtime: Runtime; output: number; runId: string }> {
  const runtime = createRuntime({ store, workflows: [sixSteps(world)], clock, leaseMs: LEASE_MS, owner: 'runtime-b' });
  await clock.advance(LEASE_MS * 2);
  await runtime.resumeAll();
  const { runs } = await store.listRuns({ workflow: 'six-steps' });
  const run = runs[0];
  if (!run) throw new Error('no run to take over');
  const handle = runtime.handle<number>(run.runId);
  let info = await handle.settled();
  for (let i = 0; info.status === 'paused' && info.pendingApprovals?.length && i < 3; i++) {
    // The 'pause' policy asks a human; approve so the step is retried with its idempotency key.
    for (const pending of info.pendingApprovals)
      await runtime.approve(run.runId, pending.approvalId, { approved: true, by: 'tester' });
    info = await handle.settled();
  }
  return { runtime, output: await handle.result(), runId: run.runId };
}

/** A clock whose time is set by hand and whose timers never fire: a process frozen or starved. */
function stuckClock(start: number): Clock & { set(now: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimer: () => ({ cancel() {} }),
    set(next) {
      now = next;
    },
  };
}

interface FenceWorld {
  calls: Map<string, number>;
  charges: Map<string, number>;
  /** Where each runtime's workflow stops once: inside p2, or between p2 and the charge. */
  holdAt: 'inside' | 'between';
}

/** One runtime's hold: the workflow instance stops there once, until released. */
interface Hold {
  held: boolean;
  release?: () => void;
}

function fencedWorkflow(world: FenceWorld, gate: Hold): Workflow<number, number> {
  const count = (name: string): void => {
    world.calls.set(name, (world.calls.get(name) ?? 0) + 1);
  };
  const hold = (): Promise<void> =>
    new Promise((resolve) => {
      gate.held = true;
      gate.release = resolve;
    });
  return defineWorkflow('fenced', async (ctx, start: number) => {
    const a = await ctx.step(
      'p1',
      () => {
        count('p1');
        return start + 1;
      },
      { retry: false },
    );
    const b = await ctx.step(
      'p2',
      async () => {
        count('p2');
        if (world.holdAt === 'inside' && !gate.held) await hold();
        return a * 2;
      },
      { retry: false },
    );
    if (world.holdAt === 'between' && !gate.held) await hold();
    const c = await ctx.step(
      'charge',
      (step) => {
        count('charge');
        world.charges.set(step.idempotencyKey!, b);
        return b + 1;
      },
      { effect: 'once', retry: false },
    );
    return ctx.step(
      'p3',
      () => {
        count('p3');
        return c * 10;
      },
      { retry: false },
    );
  });
}

/** Register the engine scenario tests for an adapter. */
export function engineConformanceSuite(harness: StoreHarness): void {
  // Each scenario opens many fresh stores; real disks and browsers need more than Vitest's 5 s.
  const timeout = harness.timeoutMs ?? 30_000;
  describe(`${harness.name}: engine scenarios`, () => {
    const runtimes: Runtime[] = [];
    afterEach(async () => {
      for (const runtime of runtimes.splice(0)) await runtime.close();
      await harness.cleanup?.();
    });

    async function successor(base: DurableStore): Promise<DurableStore> {
      if (harness.reopen) return harness.reopen(base);
      if (harness.peer) return harness.peer(base);
      return base;
    }

    retryScenarios(harness, runtimes, successor, timeout);
    lifecycleScenarios(harness, runtimes, timeout);
    deployScenarios(harness, runtimes, successor, timeout);

    it(
      'runs the six-step workflow uninterrupted, each step once',
      async () => {
        const world: World = { calls: new Map(), ledger: new Map() };
        const clock = createManualClock();
        const runtime = createRuntime({ store: await harness.create(), workflows: [sixSteps(world)], clock, leaseMs: LEASE_MS });
        runtimes.push(runtime);
        const run = await runtime.start(sixSteps(world), { start: 1 });
        expect(await run.result()).toBe(expectedOutput(1));
        expect([...world.calls.values()]).toEqual([1, 1, 1, 1, 1, 1]);
        expect(world.ledger.size).toBe(3);
      },
      timeout,
    );

    it(
      'survives an interruption at every write: same output, completed steps never re-run',
      async () => {
        // Count the writes of an uninterrupted run first.
        const probeWorld: World = { calls: new Map(), ledger: new Map() };
        const probe = createInterruptingStore(await harness.create(), Number.POSITIVE_INFINITY);
        const clock0 = createManualClock();
        const probeRuntime = createRuntime({ store: probe, workflows: [sixSteps(probeWorld)], clock: clock0, leaseMs: LEASE_MS });
        runtimes.push(probeRuntime);
        await (await probeRuntime.start('six-steps', { start: 3 })).result();
        const totalWrites = probe.writes;
        expect(totalWrites).toBeGreaterThanOrEqual(12);

        for (let dieAt = 2; dieAt <= totalWrites; dieAt++) {
          const world: World = { calls: new Map(), ledger: new Map() };
          const clock = createManualClock();
          const base = await harness.create();
          const dying = createInterruptingStore(base, dieAt);
          const a = createRuntime({ store: dying, workflows: [sixSteps(world)], clock, leaseMs: LEASE_MS, owner: 'runtime-a' });
          const started = await a.start('six-steps', { start: 3 }).catch(() => undefined);
          await started?.settled().catch(() => undefined);
          await a.close();
          const executedByA = new Map(world.calls);
          const journal = await base.readEntries((await base.listRuns()).runs[0]!.runId);
          const recorded = new Set(journal.filter((e) => e.kind === 'step-end').map((e) => e.key.split('#')[0]));
          const next = await successor(base);
          const { runtime, output } = await takeOver(next, world, clock);
          runtimes.push(runtime);
          expect(output, `interrupted at write ${dieAt}`).toBe(expectedOutput(3));
          for (let i = 1; i <= 6; i++) {
            const name = `s${i}`;
            const calls = world.calls.get(name) ?? 0;
            if (recorded.has(name)) expect(calls, `${name} recorded before write ${dieAt}`).toBe(1);
            else if (executedByA.has(name)) expect(calls, `${name} in flight at write ${dieAt}`).toBeLessThanOrEqual(2);
            else expect(calls, `${name} after write ${dieAt}`).toBe(1);
          }
          // Side effects of once steps happen once per idempotency key, whatever the interruption.
          expect(world.ledger.size, `ledger after write ${dieAt}`).toBe(3);
        }
      },
      timeout,
    );

    for (const holdAt of ['inside', 'between'] as const)
      for (const aClock of ['frozen', 'jumped'] as const)
        it(
          `fences the old owner after a takeover (held ${holdAt} a step, its clock ${aClock}): it appends nothing and starts no step; the new owner completes; the charge runs once`,
          async () => {
            const world: FenceWorld = { calls: new Map(), charges: new Map(), holdAt };
            const holdA: Hold = { held: false };
            const holdB: Hold = { held: false };
            const spinUntil = async (done: () => boolean): Promise<void> => {
              for (let spin = 0; spin < 500 && !done(); spin++) await new Promise((r) => setTimeout(r, 1));
            };
            const base = await harness.create();
            const start = 1_700_000_000_000;
            const clockA = stuckClock(start);
            const eventsA: RunEvent[] = [];
            const a = createRuntime({
              store: base,
              workflows: [fencedWorkflow(world, holdA)],
              clock: clockA,
              leaseMs: LEASE_MS,
              owner: 'runtime-a',
              onEvent: (event) => eventsA.push(event),
            });
            runtimes.push(a);
            const run = await a.start('fenced', 1);
            await spinUntil(() => holdA.held);
            expect(holdA.held, 'runtime A reached its hold').toBe(true);
            // B's clock is 10 s ahead: A's lease looks expired to B, while A's renewals never fired.
            const clockB = createManualClock(start + 10_000);
            const storeB = harness.peer ? await harness.peer(base) : base;
            const b = createRuntime({
              store: storeB,
              workflows: [fencedWorkflow(world, holdB)],
              clock: clockB,
              leaseMs: LEASE_MS,
              owner: 'runtime-b',
            });
            runtimes.push(b);
            await b.resume(run.runId);
            // B took the run and waits at the same place, having appended nothing but its takeover.
            await spinUntil(() => holdB.held);
            const lengthAtTakeover = (await base.readEntries(run.runId)).length;
            // A wakes up first: a frozen process whose clock stood still, or one whose clock jumped past its lease.
            if (aClock === 'jumped') clockA.set(start + 10_000);
            holdA.release?.();
            await spinUntil(() => eventsA.some((e) => e.type === 'lease-lost'));
            expect(
              eventsA.some((e) => e.type === 'lease-lost'),
              'runtime A was told it lost the run',
            ).toBe(true);
            expect(await base.readEntries(run.runId), 'runtime A appended nothing after the takeover').toHaveLength(
              lengthAtTakeover,
            );
            expect(world.calls.get('charge') ?? 0, 'runtime A started no once step').toBe(0);
            holdB.release?.();
            expect(await b.handle<number>(run.runId).result()).toBe(((1 + 1) * 2 + 1) * 10);
            expect(world.calls.get('charge'), 'the once step ran once, by the new owner').toBe(1);
            expect(world.charges.size).toBe(1);
            expect(world.calls.get('p3')).toBe(1);
            expect(eventsA.filter((e) => e.type === 'step-start' && e.stepId !== 'p1#0' && e.stepId !== 'p2#0')).toEqual([]);
            const journal = await base.readEntries(run.runId);
            expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i + 1));
            const ends = journal.filter((e) => e.kind === 'step-end').map((e) => e.key);
            expect(new Set(ends).size, 'each step recorded once').toBe(ends.length);
            const info = await b.get(run.runId);
            expect(info.status).toBe('completed');
            expect(
              journal.filter((e) => e.kind === 'lease-take'),
              'the takeover is journaled',
            ).toHaveLength(1);
          },
          timeout,
        );

    it(
      'records a step error larger than the store takes (cut to fit) and the workflow catches it; invalid durations are refused before anything is journaled',
      async () => {
        const store = await harness.create();
        const clock = createManualClock();
        const huge = 'e'.repeat(store.limits.maxPayloadBytes + 1);
        const wf = defineWorkflow('hostile-inputs', async (ctx) => {
          let caught = '';
          try {
            await ctx.step(
              'fetch',
              () => {
                throw new Error(`HTTP 500: ${huge}`);
              },
              { retry: false },
            );
          } catch (error) {
            caught = (error as Error).message.slice(0, 9);
          }
          await ctx.step('after', () => caught);
          await ctx.sleep(new Date('next tuesday'));
          return 'unreachable';
        });
        const runtime = createRuntime({ store, workflows: [wf], clock, leaseMs: LEASE_MS });
        runtimes.push(runtime);
        const run = await runtime.start(wf, null);
        const error = (await run.result().catch((e: unknown) => e)) as { cause?: { code?: string; message?: string } };
        expect(error.cause?.code).toBe('invalid-argument');
        expect(error.cause?.message).toContain(run.runId);
        const history = await runtime.history(run.runId);
        expect(history.map((h) => `${h.kind} ${h.key}`)).toEqual([
          'run-start run',
          'step-fail fetch#0',
          'step-end after#0',
          'run-end run',
        ]);
        expect(history[2]?.value).toBe('HTTP 500:');
        expect(history[1]?.error?.message).toContain('more characters cut');
        const info = await runtime.get(run.runId);
        expect(info.status).toBe('failed');
        expect(info.lease).toBeNull();
        // Nothing wedged: resuming the ended run appends nothing.
        await runtime.resume(run.runId);
        expect(await store.readEntries(run.runId)).toHaveLength(4);
      },
      timeout,
    );

    for (const afterEffect of [false, true]) {
      it(
        `survives an interruption inside every step (${afterEffect ? 'after' : 'before'} its side effect) per its onUnknown policy`,
        async () => {
          for (let i = 1; i <= 6; i++) {
            const name = `s${i}`;
            const world: World = { calls: new Map(), ledger: new Map(), hang: { step: name, afterEffect, done: false } };
            const clock = createManualClock();
            const base = await harness.create();
            const a = createRuntime({ store: base, workflows: [sixSteps(world)], clock, leaseMs: LEASE_MS, owner: 'runtime-a' });
            const run = await a.start('six-steps', { start: 5 });
            for (let spin = 0; spin < 200 && !world.hang?.done; spin++) await new Promise((r) => setTimeout(r, 1));
            expect(world.hang?.done, `${name} reached`).toBe(true);
            await a.close();
            const next = await successor(base);
            const { runtime, output, runId } = await takeOver(next, world, clock);
            runtimes.push(runtime);
            expect(runId).toBe(run.runId);
            expect(output, `interrupted inside ${name}`).toBe(expectedOutput(5));
            const once = i % 2 === 1;
            for (let j = 1; j <= 6; j++) {
              const calls = world.calls.get(`s${j}`) ?? 0;
              if (j !== i) expect(calls, `s${j} with ${name} interrupted`).toBe(1);
            }
            const inFlight = world.calls.get(name) ?? 0;
            // s3 reconciles: when the effect happened it is found and the step is not called again.
            if (name === 's3' && afterEffect) expect(inFlight).toBe(1);
            else expect(inFlight, `${name} re-executed per policy`).toBe(2);
            expect(world.ledger.size, 'each once-effect applied once').toBe(3);
            if (once) {
              const history = await runtime.history(runId);
              const intents = history.filter((h) => h.kind === 'step-start' && h.key === `${name}#0`);
              expect(intents).toHaveLength(1);
            }
          }
        },
        timeout,
      );
    }
  });
}
