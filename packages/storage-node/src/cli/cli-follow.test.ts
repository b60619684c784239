// `cairn follow`, run as the real bin against a SQLite store a runtime in this process drives: it
// replays the history, waits while the run is paused, prints the rest as it is journaled and exits
// with the run's outcome. Resuming with --from-seq gives the rest only; --timeout, a missing run and
// a bad --from-seq have their exit codes.
import { join } from 'node:path';
import { createRuntime, defineWorkflow, type Runtime } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CliRun, cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { createSqliteStore } from '../index.ts';

const temp = makeTempDir('cli-follow');
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  killCliChildren();
  for (const item of open.splice(0).reverse()) await item.close();
});
afterAll(() => temp.remove());

const calls = { prepare: 0, finish: 0 };
const gated = defineWorkflow('gated', async (ctx, input: { fail: boolean }) => {
  const prepared = await ctx.step('prepare', async () => {
    calls.prepare++;
    return 'ready';
  });
  const go = await ctx.waitForSignal<string>('go');
  return ctx.step('finish', async () => {
    calls.finish++;
    if (input.fail) throw new Error('the finish line moved');
    return `${prepared}, ${go}`;
  });
});

function setup(name: string): { store: string; runtime: Runtime } {
  const path = join(temp.path, `${name}.db`);
  const sqlite = createSqliteStore({ path });
  const runtime = createRuntime({ store: sqlite, workflows: [gated], owner: 'driver', retry: { maxAttempts: 1 } });
  open.push(sqlite, runtime);
  return { store: `sqlite:${path}`, runtime };
}

/** Start `cairn ...args` and report whether it has exited. */
function background(args: string[]): { done: Promise<CliRun>; exited(): boolean } {
  let exited = false;
  const done = cairn(args).finally(() => {
    exited = true;
  });
  return { done, exited: () => exited };
}

const lines = (run: CliRun) =>
  run.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('cairn follow', () => {
  it('replays the history, waits through a pause, prints the rest live, exits 0 on completion', async () => {
    const { store, runtime } = setup('completes');
    const run = await runtime.start(gated, { fail: false });
    expect((await run.settled()).status).toBe('paused');
    const follow = background(['follow', run.runId, '--store', store, '--json']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Still following: the run is paused.
    expect(follow.exited()).toBe(false);
    await runtime.signal(run.runId, 'go', 'steady');
    expect(await run.result()).toBe('ready, steady');
    const result = await follow.done;
    expect(result.code, result.stderr).toBe(0);
    const events = lines(result);
    const journal = (await runtime.history(run.runId)).filter((h) => h.kind !== 'lease-take' && h.kind !== 'sleep-start');
    expect(events.map((e) => e.seq)).toEqual(journal.map((h) => h.seq));
    expect(events.map((e) => e.type)).toEqual(['run-start', 'step-end', 'signal-receive', 'step-end', 'step-end', 'run-end']);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', runId: run.runId });
    // Following spent nothing: each step ran once.
    expect(calls).toMatchObject({ prepare: 1, finish: 1 });

    // From a seq on: the rest only; human lines carry the seq.
    const tail = await cairn(['follow', run.runId, '--store', store, '--from-seq', String(events.at(-2).seq)]);
    expect(tail.code, tail.stderr).toBe(0);
    const printed = tail.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(new RegExp(`^\\s+${events.at(-2).seq}\\s+✓ finish#0 `));
    expect(printed[1]).toMatch(/■ completed/);
  });

  it('exits 1 when the run fails, and 1 with a timeout error when it does not end in time', async () => {
    const { store, runtime } = setup('fails');
    const run = await runtime.start(gated, { fail: true });
    await run.settled();
    const waiting = await cairn(['follow', run.runId, '--store', store, '--timeout', '1s', '--json']);
    expect(waiting.code).toBe(1);
    expect(JSON.parse(waiting.stderr)).toMatchObject({ error: { code: 'timeout', exitCode: 1 } });
    expect(lines(waiting).map((e) => e.type)).toEqual(['run-start', 'step-end']);
    await runtime.signal(run.runId, 'go', 'now');
    await run.settled();
    const failed = await cairn(['follow', run.runId, '--store', store]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/■ failed: .*the finish line moved/);
  });

  it('exits 3 for a missing run and 2 for a bad --from-seq', async () => {
    const { store } = setup('errors');
    const missing = await cairn(['follow', 'no-such-run', '--store', store, '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr).error.code).toBe('run-not-found');
    const bad = await cairn(['follow', 'no-such-run', '--store', store, '--from-seq', '-1']);
    expect(bad.code).toBe(2);
  });
});
