/**
 * A run whose object is reset mid-step with a real `ctx.abort()` finishes by the alarm alone: after
 * the reset, the test sends the object no request until the run has ended (it watches ledgers, which
 * are other objects). The run is an agent on the scripted model; it must end with the output of an
 * uninterrupted run, with no completed model call and no completed tool call made twice.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createRunHostClient } from '../src/index.ts';
import { REFUND_CALLS, REFUND_CALLS_THIRD_MODEL_CALL_REPEATED, refundRequest } from './host-fixtures.ts';
import { hostLedger } from './host-object.ts';
import { ledger } from './ledger-object.ts';
import { waitFor } from './wait-for.ts';

const unique = () => crypto.randomUUID().slice(0, 8);

async function runUninterrupted(): Promise<unknown> {
  const runs = createRunHostClient(env.HOST_OBJECT.getByName(`reference-${unique()}`));
  const runId = `reference_${unique()}`;
  await runs.start('refund-agent', refundRequest(runId), { runId });
  const info = await waitFor(
    'the reference run',
    () => runs.get(runId),
    (run) => run.status !== 'running',
    { timeoutMs: 5000 },
  );
  expect(info.status).toBe('completed');
  expect(await ledger(runId).entries()).toEqual(REFUND_CALLS);
  return info.output;
}

it('resumes an agent run after ctx.abort() mid model call, by the alarm alone, without repeating completed calls', {
  timeout: 30_000,
}, async () => {
  const expected = await runUninterrupted();
  expect(expected).toBe('Refunded 42.5 EUR for order A-1 (refund rf_A-1).');

  const stub = env.HOST_OBJECT.getByName(`abort-${unique()}`);
  const runs = createRunHostClient(stub);
  const witness = hostLedger(stub.id);
  const runId = `aborted_${unique()}`;
  const calls = ledger(runId);
  await calls.setFlag('hold:model:2:1'); // the third model call hangs on its first attempt
  await runs.start('refund-agent', refundRequest(runId), { runId });
  await waitFor(
    'the third model call to start',
    () => calls.count('model:2'),
    (n) => n === 1,
    { timeoutMs: 5000 },
  );
  expect(await calls.count('tool:issue_refund:end')).toBe(1);

  // A real reset of the object, mid-step: its instance, timers and in-flight call are gone.
  await expect(runInDurableObject(stub, (_instance, state) => state.abort('reset by the test'))).rejects.toThrow();

  // From here on, no request reaches the host object until the run has ended.
  const log = await waitFor(
    'the run to end',
    () => witness.entries(),
    (entries) => entries.some((entry) => entry.startsWith(`end:${runId}:`)),
    { timeoutMs: 15_000, everyMs: 50 },
  );
  expect(log).toContain(`end:${runId}:completed`);
  // Taken over by a new instance (another lease owner), woken by an alarm: the resume is recorded
  // while an alarm runs, and that alarm reports the run as resumed.
  const started = log.find((entry) => entry.startsWith(`start:${runId}:`))!.split(':')[2];
  const resumes = log.filter((entry) => entry.startsWith(`resume:${runId}:`));
  expect(resumes).toHaveLength(1);
  expect(resumes[0]!.split(':')[2]).not.toBe(started);
  expect(log.indexOf(`alarm:${runId}`)).toBeGreaterThan(log.indexOf(resumes[0]!));

  // Completed calls ran once; only the call the reset interrupted ran again.
  expect(await calls.entries()).toEqual(REFUND_CALLS_THIRD_MODEL_CALL_REPEATED);
  // A stub whose object was reset stays broken: a new one reaches the new instance.
  const after = createRunHostClient(env.HOST_OBJECT.get(stub.id));
  const info = await after.get(runId);
  expect(info).toMatchObject({ status: 'completed', output: expected });
  const history = await after.history(runId);
  const ends = history.filter((item) => item.kind === 'step-end').map((item) => item.key);
  expect(ends).toEqual(['model#0', 'tool:lookup_order#0', 'model#1', 'tool:issue_refund#0', 'model#2']);
  const intents = history.filter((item) => item.kind === 'step-start').map((item) => item.key);
  expect(intents).toEqual(['tool:lookup_order#0', 'tool:issue_refund#0']);
  expect(info.usage.modelCalls).toBeGreaterThan(0);
});
