/**
 * The run host's alarm: durable sleeps are woken by it (also after an eviction, with no request),
 * it re-arms for what is not yet due, ignores runs it cannot drive, and backs off from runs it
 * cannot resume instead of firing in a loop.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { createRunHostClient } from '../src/index.ts';
import { type HostObject, hostLedger, TEST_LEASE_MS } from './host-object.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);
const alarmOf = (stub: DurableObjectStub<HostObject>) =>
  runInDurableObject(stub, (_instance: HostObject, state) => state.storage.getAlarm());

describe('run host alarm', () => {
  it('wakes a durable sleep with the alarm after the object was evicted, with no request', { timeout: 20_000 }, async () => {
    const stub = env.HOST_OBJECT.getByName(`nap-${unique()}`);
    const runs = createRunHostClient(stub);
    const runId = `nap_${unique()}`;
    await runs.start('nap', { ms: 400, ledger: runId }, { runId });
    const paused = await waitFor(
      'the sleep',
      () => runs.get(runId),
      (run) => run.status === 'paused',
    );
    expect(paused).toMatchObject({ pauseReason: 'sleep', lease: null });
    // Armed no later than the wake time: the watchdog armed at the lease expiry while the run was
    // running may come first (on a loaded machine the drive takes long enough for it to), and then
    // fires, finds nothing due and re-arms for the sleep. The eviction below proves the wake.
    const armed = await alarmOf(stub);
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(paused.wakeAt!);

    // Nothing of the instance survives (no timer could wake the run); the alarm is in storage.
    await evictDurableObject(stub);
    const log = await waitFor(
      'the run to end',
      () => hostLedger(stub.id).entries(),
      (entries) => entries.some((entry) => entry.startsWith(`end:${runId}:`)),
      { timeoutMs: 10_000, everyMs: 50 },
    );
    expect(log).toContain(`end:${runId}:completed`);
    expect(log).toContain(`alarm:${runId}`);
    expect(await ledger(runId).entries()).toEqual(['nap:before', 'nap:after']);
    const done = await createRunHostClient(env.HOST_OBJECT.get(stub.id)).get(runId);
    expect(done).toMatchObject({ status: 'completed', output: 'rested' });
    expect(done.updatedAt).toBeGreaterThanOrEqual(paused.wakeAt!);
  });

  it('re-arms for a sleep that is not due yet, and leaves nothing armed once all runs have ended', async () => {
    const stub = env.HOST_OBJECT.getByName(`later-${unique()}`);
    const runs = createRunHostClient(stub);
    const runId = `later_${unique()}`;
    await runs.start('nap', { ms: 3_600_000, ledger: runId }, { runId });
    const paused = await waitFor(
      'the sleep',
      () => runs.get(runId),
      (run) => run.status === 'paused',
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await runs.get(runId)).status).toBe('paused');
    expect(await alarmOf(stub)).toBe(paused.wakeAt);
    expect(await runInDurableObject(stub, (instance: HostObject) => instance.host.nextWakeAt())).toBe(paused.wakeAt);

    await runs.cancel(runId);
    const report = await runInDurableObject(stub, (instance: HostObject) => instance.host.alarm());
    expect(report).toEqual({ resumed: [], failed: [], nextAlarmAt: null });
    expect(await alarmOf(stub)).toBeNull();
  });

  it('arms the watchdog at the lease expiry of a running run, and renews it with the lease', async () => {
    const stub = env.HOST_OBJECT.getByName(`watchdog-${unique()}`);
    const runs = createRunHostClient(stub);
    const runId = `watched_${unique()}`;
    await ledger(runId).setFlag('hold:model:0:1');
    const started = await runs.start('refund-agent', `Order A-1 is broken. [ledger:${runId}]`, { runId });
    const armed = await alarmOf(stub);
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(started.lease!.expiresAt);
    // The alarm fires while the run is still driven here: nothing to resume, re-armed at the renewed lease.
    await waitFor(
      'a lease renewal',
      () => runs.get(runId),
      (run) => run.lease!.expiresAt > armed!,
      { timeoutMs: 3000 },
    );
    const { report, lease, alarm } = await runInDurableObject(stub, async (instance: HostObject, state) => {
      const report = await instance.host.alarm();
      // No timer runs between these awaits: the lease read is the one the alarm saw.
      const lease = (await instance.host.store.getRun(runId))!.lease;
      return { report, lease, alarm: await state.storage.getAlarm() };
    });
    expect(report.resumed).toEqual([]);
    expect(report.nextAlarmAt).toBe(lease!.expiresAt);
    expect(alarm).toBe(lease!.expiresAt);
    await runs.cancel(runId);
  });

  it('ignores due runs of workflows it does not run, and backs off from runs it cannot resume', async () => {
    const stub = env.HOST_OBJECT.getByName(`stuck-${unique()}`);
    const reports = await runInDurableObject(stub, async (instance: HostObject, state) => {
      const { store } = instance.host;
      const past = Date.now() - 1000;
      await store.createRun({ ...newRunFixture('foreign_1'), workflow: 'not-here', status: 'paused', wakeAt: past, lease: null });
      const nothing = await instance.host.alarm();
      await store.createRun({ ...newRunFixture('broken_1'), workflow: 'nap', status: 'paused', wakeAt: past, lease: null });
      state.storage.sql.exec(`UPDATE cairn_runs SET header = 'not json' WHERE run_id = 'broken_1'`);
      const first = await instance.host.alarm();
      const second = await instance.host.alarm();
      return { nothing, first, second, armed: await state.storage.getAlarm(), now: Date.now() };
    });
    expect(reports.nothing).toEqual({ resumed: [], failed: [], nextAlarmAt: null });
    expect(reports.first.failed).toMatchObject([{ runId: 'broken_1', error: { code: 'corrupt-journal' } }]);
    expect(reports.first.nextAlarmAt! - reports.now).toBeGreaterThanOrEqual(TEST_LEASE_MS * 2 - 50);
    expect(reports.second.nextAlarmAt! - reports.now).toBeGreaterThanOrEqual(TEST_LEASE_MS * 4 - 50);
    expect(reports.armed).toBe(reports.second.nextAlarmAt);
  });
});
