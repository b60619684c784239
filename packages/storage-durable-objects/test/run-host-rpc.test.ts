/**
 * The run host's RPC surface, from a Worker's side: `createRunHostClient(stub)` → `cairnHostCall`
 * → `host.serve`. Every operation, and errors that keep their class and code across RPC.
 */
import { env } from 'cloudflare:workers';
import {
  ApprovalAlreadyDecidedError,
  ApprovalNotFoundError,
  CairnError,
  InvalidRunIdError,
  RunExistsError,
  RunNotFoundError,
  WorkflowNotFoundError,
} from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { createRunHostClient, runObject, tenantObject } from '../src/index.ts';
import { refundRequest } from './host-fixtures.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);
const settledRun = (runs: ReturnType<typeof createRunHostClient>, runId: string) =>
  waitFor(
    `run ${runId} to stop running`,
    () => runs.get(runId),
    (run) => run.status !== 'running',
    { timeoutMs: 5000 },
  );

describe('run host over RPC', () => {
  it('starts, lists, approves and reads the history of an agent run that needs an approval', async () => {
    const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `tenant-${unique()}`));
    const runId = `approval_${unique()}`;
    const started = await runs.start('refund-agent-approval', refundRequest(runId), { runId });
    expect(started).toMatchObject({ runId, workflow: 'refund-agent-approval', status: 'running' });
    const paused = await settledRun(runs, runId);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'approval' });
    const [pending] = paused.pendingApprovals!;
    expect(pending).toMatchObject({
      details: { kind: 'tool-call', tool: 'issue_refund', arguments: { orderId: 'A-1', amount: 42.5 } },
    });
    expect((await runs.list({ status: ['paused'] })).runs.map((run) => run.runId)).toEqual([runId]);
    expect((await runs.list({ status: ['completed'] })).runs).toEqual([]);
    expect(await ledger(runId).count('tool:issue_refund:start')).toBe(0);

    await runs.approve(runId, pending!.approvalId, { approved: true, by: 'ada@example.com', reason: 'broken on arrival' });
    const done = await settledRun(runs, runId);
    expect(done).toMatchObject({ status: 'completed', output: 'Refunded 42.5 EUR for order A-1 (refund rf_A-1).' });
    const history = await runs.history(runId);
    expect(history.find((item) => item.kind === 'approval-decide')).toMatchObject({
      key: pending!.approvalId,
      approval: { approved: true, by: 'ada@example.com', reason: 'broken on arrival' },
    });
    expect(history.at(-1)).toMatchObject({ kind: 'run-end', status: 'completed' });
    expect(await ledger(runId).count('tool:issue_refund:end')).toBe(1);
  });

  it('delivers a signal to a paused run and cancels another', async () => {
    const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `tenant-${unique()}`));
    const greeting = await runs.start('greeter', null);
    const other = await runs.start('greeter', null);
    expect((await settledRun(runs, greeting.runId)).pauseReason).toBe('event');
    await runs.signal(greeting.runId, 'name', 'Ada');
    expect(await settledRun(runs, greeting.runId)).toMatchObject({ status: 'completed', output: 'Hello, Ada!' });
    await settledRun(runs, other.runId);
    await runs.cancel(other.runId, { reason: 'no longer needed' });
    const cancelled = await runs.get(other.runId);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'run-cancelled' } });
    expect(cancelled.error!.message).toContain('no longer needed');
    const page = await runs.list({ limit: 1 });
    expect(page.runs).toHaveLength(1);
    expect((await runs.list({ limit: 1, cursor: page.cursor! })).runs).toHaveLength(1);
  });

  it('keeps error classes and codes across RPC', async () => {
    const runs = createRunHostClient(tenantObject(env.HOST_OBJECT, `tenant-${unique()}`));
    await expect(runs.get('run_missing')).rejects.toBeInstanceOf(RunNotFoundError);
    await expect(runs.get('not a run id')).rejects.toBeInstanceOf(InvalidRunIdError);
    await expect(runs.start('no-such-workflow', null)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const { runId } = await runs.start('greeter', null, { runId: `taken_${unique()}` });
    await expect(runs.start('greeter', null, { runId })).rejects.toBeInstanceOf(RunExistsError);
    await settledRun(runs, runId);
    await expect(runs.approve(runId, 'nope', { approved: true, by: 'ada' })).rejects.toBeInstanceOf(ApprovalNotFoundError);
    const keys = await runs.start('two-keys', null);
    const first = (await settledRun(runs, keys.runId)).pendingApprovals![0]!.approvalId;
    await runs.approve(keys.runId, first, { approved: true, by: 'ada' });
    const waiting = await waitFor(
      'the second approval',
      () => runs.get(keys.runId),
      (run) => run.pendingApprovals?.length === 1 && run.pendingApprovals[0]!.approvalId !== first,
      { timeoutMs: 3000 },
    );
    await expect(runs.approve(keys.runId, first, { approved: false, by: 'bob' })).rejects.toBeInstanceOf(
      ApprovalAlreadyDecidedError,
    );
    await runs.approve(keys.runId, waiting.pendingApprovals![0]!.approvalId, { approved: true, by: 'bob' });
    expect(await settledRun(runs, keys.runId)).toMatchObject({ status: 'completed', output: ['ada', 'bob'] });
    const error = await runs.signal(runId, 'bad name!', 1).catch((caught: unknown) => caught);
    expect(CairnError.is(error, 'invalid-argument')).toBe(true);
    expect((error as Error).message).toMatch(/^\[@cairn\/core\]/);
  });

  it('routes one object per run: the run is alone in its object', async () => {
    const runId = `solo_${unique()}`;
    const runs = createRunHostClient(runObject(env.HOST_OBJECT, runId));
    await runs.start('greeter', null, { runId });
    expect((await runs.list()).runs.map((run) => run.runId)).toEqual([runId]);
    expect(() => runObject(env.HOST_OBJECT, '../etc')).toThrow(InvalidRunIdError);
    expect(() => tenantObject(env.HOST_OBJECT, '')).toThrow(/tenant name/);
  });
});
