// `cairn` commands that change a store, run as the real bin on copies of a store made by real agent
// runs: resume (an interrupted run, with tokens saved by replay and each sale once), approve (then
// resume, or in one go with --workflows), delete (live leases refused without --force), cleanup.
// Also: the same runs copied into a file store read back identically.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSales } from '../../test/e2e/fixtures/shop-agent.ts';
import { type AgentStore, buildAgentStore, CLI_WORKFLOWS, SHOP_OUTPUT } from '../../test/test-support/agent-store.ts';
import { copyRuns } from '../../test/test-support/copy-store.ts';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { createFileStore, createSqliteStore } from '../index.ts';

const temp = makeTempDir('cli-manage');
const children = new Set<ChildProcess>();
let fixture: AgentStore;
let copies = 0;

/** A private copy of the fixture store and its sales ledger. */
function copy(): { store: string; db: string; env: Record<string, string> } {
  const name = `copy-${copies++}`;
  const db = join(temp.path, `${name}.db`);
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(`${fixture.db}${suffix}`)) copyFileSync(`${fixture.db}${suffix}`, `${db}${suffix}`);
  const salesFile = join(temp.path, `${name}.sales`);
  copyFileSync(fixture.salesFile, salesFile);
  return { store: `sqlite:${db}`, db, env: { ...fixture.env, CAIRN_TEST_SALES_FILE: salesFile } };
}

beforeAll(async () => {
  fixture = await buildAgentStore(temp.path, children);
  // The interrupted run's dead process holds a 1 s lease; let it run out.
  await new Promise((resolve) => setTimeout(resolve, 1100));
}, 120_000);
afterEach(() => {
  killCliChildren();
  for (const child of children) child.kill('SIGKILL');
});
afterAll(async () => {
  await fixture?.close();
  temp.remove();
});

describe('cairn resume', () => {
  it('finishes an interrupted agent run: uninterrupted output, replayed tokens saved, each sale once', async () => {
    const { store, env } = copy();
    const before = readSales(env.CAIRN_TEST_SALES_FILE!);
    expect(before.length).toBeGreaterThanOrEqual(1);
    const result = await cairn(
      ['resume', fixture.runs.interrupted, '--workflows', CLI_WORKFLOWS, '--store', store, '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const info = result.json();
    expect(info).toMatchObject({
      runId: fixture.runs.interrupted,
      status: 'completed',
      output: SHOP_OUTPUT,
      pendingApprovals: [],
    });
    expect(info.usage.savedTokens).toBeGreaterThan(0);
    const sales = readSales(env.CAIRN_TEST_SALES_FILE!).filter((sale) => sale.key.startsWith(`${fixture.runs.interrupted}:`));
    expect(sales.map((sale) => sale.item).sort()).toEqual(['apple', 'fig', 'kiwi', 'pear', 'plum']);
    expect(new Set(sales.map((sale) => sale.key)).size).toBe(5);
    const shown = await cairn(['show', fixture.runs.interrupted, '--store', store]);
    expect(shown.stdout).toMatch(
      new RegExp(`in \\d+ model calls; ${info.usage.savedTokens.toLocaleString('en-US')} saved by replay$`, 'm'),
    );
  });

  it('prints the human outcome, and leaves a completed run alone (no model call)', async () => {
    const { store, env } = copy();
    const requests = fixture.server.requests.length;
    const result = await cairn(['resume', fixture.runs.completed, '--workflows', CLI_WORKFLOWS, '--store', store], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Status\s+completed$/m);
    expect(result.stdout).toContain(`Output    ${SHOP_OUTPUT}`);
    expect(fixture.server.requests.length).toBe(requests);
  });

  it('refuses a module without the run’s workflow, or without any (exit 2)', async () => {
    const { store, env } = copy();
    const other = join(temp.path, 'other-workflow.mjs');
    writeFileSync(other, "export const other = { name: 'other', fn: async () => 1 };\n");
    const missing = await cairn(['resume', fixture.runs.interrupted, '--workflows', other, '--store', store], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `run "${fixture.runs.interrupted}": this runtime has no workflow "shop-shop" (registered: other)`,
    );
    const empty = join(temp.path, 'no-workflows.mjs');
    writeFileSync(empty, 'export const answer = 42;\n');
    const none = await cairn(['resume', fixture.runs.interrupted, '--workflows', empty, '--store', store], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('exports no workflows');
    expect((await cairn(['show', fixture.runs.interrupted, '--store', store, '--json'])).json().status).toBe('running');
  });
});

describe('cairn approve', () => {
  it('records the decision with its audit fields; resume then completes the run', async () => {
    const { store, env } = copy();
    const run = fixture.runs.paused;
    const unknown = await cairn(['approve', run, 'call_nope', '--by', 'ada', '--store', store]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`run "${run}" has no approval "call_nope"`);
    const approved = await cairn([
      'approve',
      run,
      'call_refund_1',
      '--by',
      'ada@example.com',
      '--reason',
      'damaged in transit',
      '--store',
      store,
      '--json',
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.json()).toEqual({
      runId: run,
      approvalId: 'call_refund_1',
      approved: true,
      by: 'ada@example.com',
      reason: 'damaged in transit',
    });
    const again = await cairn(['approve', run, 'call_refund_1', '--store', store]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('approval "call_refund_1" was already decided');
    const waiting = (await cairn(['show', run, '--store', store, '--json'])).json();
    expect(waiting).toMatchObject({ status: 'paused', pendingApprovals: [] });
    expect(waiting.wakeAt).not.toBeNull();
    const resumed = await cairn(['resume', run, '--workflows', CLI_WORKFLOWS, '--store', store, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json()).toMatchObject({ status: 'completed', output: 'Refund outcome: {"refunded":"A1","cents":2500}' });
    const history = await cairn(['history', run, '--store', store]);
    expect(history.stdout).toMatch(/approval-decide\s+call_refund_1\s+approved by ada@example\.com \(damaged in transit\)$/m);
  });

  it('rejects and continues in one go with --workflows; the refund never happens', async () => {
    const { store, env } = copy();
    const result = await cairn(
      [
        'approve',
        fixture.runs.paused,
        'call_refund_1',
        '--reject',
        '--by',
        'bob',
        '--workflows',
        CLI_WORKFLOWS,
        '--store',
        store,
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Rejected call_refund_1 of run ${fixture.runs.paused} as bob.`);
    expect(result.stdout).toMatch(/^Status\s+completed$/m);
    expect(result.stdout).toMatch(/^Output\s+Refund outcome: .*reject/im);
    expect(readSales(env.CAIRN_TEST_SALES_FILE!).some((sale) => sale.item.startsWith('refund:'))).toBe(false);
  });
});

describe('cairn delete and cleanup', () => {
  it('deletes a run (then it is not found), and refuses a live lease without --force', async () => {
    const { store, db } = copy();
    const deleted = await cairn(['delete', fixture.runs.completed, '--store', store]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`Deleted run ${fixture.runs.completed}.\n`);
    expect((await cairn(['show', fixture.runs.completed, '--store', store])).code).toBe(3);
    expect((await cairn(['delete', fixture.runs.completed, '--store', store])).code).toBe(3);
    // Another process drives the paused run now: a live lease.
    const sqlite = createSqliteStore({ path: db });
    const record = (await sqlite.getRun(fixture.runs.paused))!;
    await sqlite.updateRun(record.runId, record.version, {
      updatedAt: Date.now(),
      status: 'running',
      lease: { owner: 'worker-7', expiresAt: Date.now() + 120_000 },
    });
    await sqlite.close();
    const refused = await cairn(['delete', fixture.runs.paused, '--store', store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('under a live lease; cancel it first, or pass --force');
    const forced = await cairn(['delete', fixture.runs.paused, '--force', '--store', store, '--json']);
    expect(forced.code).toBe(0);
    expect(forced.json()).toEqual({ runId: fixture.runs.paused, deleted: true });
    expect((await cairn(['stats', '--store', store, '--json'])).json().total).toBe(1);
  });

  it('cleans up by age and status, with a dry run first', async () => {
    const { store } = copy();
    const none = await cairn(['cleanup', '--older-than', '7d', '--store', store, '--json']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.json()).toMatchObject({ deleted: 0, olderThanMs: 7 * 86_400_000, status: ['completed', 'failed', 'cancelled'] });
    const dry = await cairn(['cleanup', '--older-than', '0s', '--dry-run', '--store', store, '--json']);
    expect(dry.json().runs.map((r: { runId: string }) => r.runId)).toEqual([fixture.runs.completed]);
    expect((await cairn(['stats', '--store', store, '--json'])).json().total).toBe(3);
    const human = await cairn(['cleanup', '--older-than', '0s', '--store', store]);
    expect(human.stdout).toBe('Deleted 1 completed/failed/cancelled runs not updated for 0s.\n');
    const open = await cairn(['cleanup', '--older-than', '1s', '--status', 'running,paused', '--store', store, '--json']);
    expect(open.json().deleted).toBe(2);
    expect((await cairn(['stats', '--store', store, '--json'])).json().total).toBe(0);
  });
});

describe('the same runs in a file store', () => {
  it('list, show and history print the same JSON for a SQLite store and a file store', async () => {
    const { db } = copy();
    const dir = join(temp.path, 'file-store');
    const from = createSqliteStore({ path: db });
    const to = createFileStore({ dir });
    expect(await copyRuns(from, to)).toBe(3);
    await from.close();
    await to.close();
    for (const args of [['list'], ['show', fixture.runs.paused], ['history', fixture.runs.completed], ['stats']]) {
      const sqlite = await cairn([...args, '--store', `sqlite:${db}`, '--json']);
      const file = await cairn([...args, '--store', `file:${dir}`, '--json']);
      expect(file.code, file.stderr).toBe(0);
      // Everything the same but the backend's name.
      const { backend: fileBackend, ...fileJson } = file.json();
      const { backend: sqliteBackend, ...sqliteJson } = sqlite.json();
      expect(fileJson, args.join(' ')).toEqual(sqliteJson);
      if (args[0] === 'stats') expect([fileBackend, sqliteBackend]).toEqual(['file', 'sqlite']);
    }
  });
});
