// `cairn` read commands run as the real bin against a store made by real agent runs: list (filters,
// pages, JSON), show (usage, pending approvals), history (per-step table), stats, colours.
import type { ChildProcess } from 'node:child_process';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStore, buildAgentStore, SHOP_OUTPUT } from '../../test/test-support/agent-store.ts';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { formatDuration } from './format/values.ts';

const temp = makeTempDir('cli-inspect');
const children = new Set<ChildProcess>();
let fixture: AgentStore;
let store: string;
const ESC = String.fromCharCode(27);

beforeAll(async () => {
  fixture = await buildAgentStore(temp.path, children);
  store = `sqlite:${fixture.db}`;
}, 120_000);
afterEach(() => {
  killCliChildren();
  for (const child of children) child.kill('SIGKILL');
});
afterAll(async () => {
  await fixture?.close();
  temp.remove();
});

describe('cairn list', () => {
  it('prints an aligned table of every run with its status, step and tokens', async () => {
    const result = await cairn(['list', '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+WORKFLOW\s+STATUS\s+STEP\s+TOKENS\s+CREATED\s+UPDATED$/);
    const row = (runId: string) => lines.find((line) => line.startsWith(`${runId} `)) ?? '';
    expect(row(fixture.runs.completed)).toMatch(/shop-shop\s+completed\s+#\d+ model\s+[\d,]+\s+\d+[smhd] ago/);
    expect(row(fixture.runs.paused)).toMatch(/shop-refunds\s+paused \(approval\)\s+#\d+ /);
    expect(row(fixture.runs.interrupted)).toMatch(/shop-shop\s+running\s+/);
    // Columns line up: every row's STATUS starts where the header's does.
    const statusColumn = lines[0]!.indexOf('STATUS');
    for (const runId of Object.values(fixture.runs))
      expect(row(runId).slice(statusColumn)).toMatch(/^(completed|paused|running)/);
    expect(lines.at(-1)).toBe('3 runs');
    expect(result.stdout.includes(ESC)).toBe(false);
  });

  it('filters by status and workflow, pages with --limit and --cursor, and prints stable JSON', async () => {
    const all = (await cairn(['list', '--store', store, '--json'])).json();
    expect(all.cursor).toBeNull();
    expect(all.runs.map((r: { runId: string }) => r.runId).sort()).toEqual(Object.values(fixture.runs).sort());
    expect(Object.keys(all.runs[0]).sort()).toEqual(
      ['createdAt', 'metadata', 'pauseReason', 'runId', 'status', 'step', 'updatedAt', 'usage', 'wakeAt', 'workflow'].sort(),
    );
    const paused = (await cairn(['list', '--store', store, '--status', 'paused,failed', '--json'])).json();
    expect(paused.runs).toEqual([
      expect.objectContaining({ runId: fixture.runs.paused, status: 'paused', pauseReason: 'approval' }),
    ]);
    const shop = (await cairn(['list', '--store', store, '--workflow', 'shop-shop', '--json'])).json();
    expect(shop.runs.map((r: { runId: string }) => r.runId).sort()).toEqual(
      [fixture.runs.completed, fixture.runs.interrupted].sort(),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result = (
        await cairn(['list', '--store', store, '--limit', '1', '--json', ...(cursor ? ['--cursor', cursor] : [])])
      ).json();
      seen.push(...result.runs.map((r: { runId: string }) => r.runId));
      cursor = result.cursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(Object.values(fixture.runs).sort());
    const human = await cairn(['list', '--store', store, '--limit', '2']);
    expect(human.stdout).toMatch(/more: add --cursor \S+/);
  });

  it('takes the store from CAIRN_STORE when --store is absent', async () => {
    const result = await cairn(['list', '--json'], { CAIRN_STORE: store });
    expect(result.code).toBe(0);
    expect(result.json().runs).toHaveLength(3);
  });
});

describe('cairn show', () => {
  it('shows a completed run: status, step, usage with saved tokens, timestamps, output', async () => {
    const result = await cairn(['show', fixture.runs.completed, '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Run\s+run_shop_completed$/m);
    expect(result.stdout).toMatch(/^Status\s+completed$/m);
    expect(result.stdout).toMatch(/^Step\s+#\d+ model$/m);
    expect(result.stdout).toMatch(/^Created\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+[smhd] ago\)$/m);
    // The test server bills prompt 100 + 10 × turn and 20 completion tokens per turn; 6 turns.
    const input = [0, 1, 2, 3, 4, 5].reduce((sum, turn) => sum + 100 + 10 * turn, 0);
    const usage = { inputTokens: input, outputTokens: 120, totalTokens: input + 120, savedTokens: 0, modelCalls: 6 };
    expect(result.stdout).toMatch(
      new RegExp(
        `^Usage\\s+${usage.totalTokens.toLocaleString('en-US')} tokens \\(in ${input}, out 120\\) in 6 model calls; 0 saved by replay$`,
        'm',
      ),
    );
    expect(result.stdout).toContain(`Output    ${SHOP_OUTPUT}`);
    const info = (await cairn(['show', fixture.runs.completed, '--store', store, '--json'])).json();
    expect(info).toMatchObject({
      runId: fixture.runs.completed,
      workflow: 'shop-shop',
      status: 'completed',
      output: SHOP_OUTPUT,
      usage,
      pendingApprovals: [],
    });
  });

  it('shows a paused run with its pending approval: id, reason and the tool call awaiting it', async () => {
    const result = await cairn(['show', fixture.runs.paused, '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Status\s+paused \(approval\)$/m);
    expect(result.stdout).toContain('Pending approvals (1)');
    expect(result.stdout).toMatch(
      /call_refund_1\s+approval\s+\d+[smhd] ago\s+never\s+tool refund \{"orderId":"A1","cents":2500\}/,
    );
    expect(result.stdout).toContain(`cairn approve ${fixture.runs.paused} <approval>`);
    const info = (await cairn(['show', fixture.runs.paused, '--store', store, '--json'])).json();
    expect(info.pendingApprovals).toEqual([
      expect.objectContaining({
        approvalId: 'call_refund_1',
        reason: 'approval',
        expiresAt: null,
        details: { kind: 'tool-call', tool: 'refund', callId: 'call_refund_1', arguments: { orderId: 'A1', cents: 2500 } },
      }),
    ]);
  });

  it('shows an interrupted run as running, with the dead process’s lease', async () => {
    const result = await cairn(['show', fixture.runs.interrupted, '--store', store]);
    expect(result.stdout).toMatch(/^Status\s+running$/m);
    expect(result.stdout).toMatch(/^Lease\s+child-\d+, (expired|live until) /m);
  });
});

describe('cairn history', () => {
  it('prints one row per journal entry: seq, kind, step id, duration, attempts, tokens, status', async () => {
    const result = await cairn(['history', fixture.runs.completed, '--store', store]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+KIND\s+STEP\s+DURATION\s+ATTEMPTS\s+TOKENS\s+STATUS$/);
    expect(lines[1]).toMatch(/^\s*1\s+run-start\s+run$/);
    const json = (await cairn(['history', fixture.runs.completed, '--store', store, '--json'])).json();
    // The duration is the model call's real wall time (an HTTP round trip to the test server in a
    // child process): over a second on a loaded machine. Compare with what the JSON says it was,
    // formatted the way the table formats it, instead of assuming it is under a second.
    const modelDuration = formatDuration(json.items.find((i: { key: string }) => i.key === 'model#0').durationMs);
    expect(lines.find((line) => /\bmodel#0\b/.test(line))).toMatch(
      new RegExp(`step-end\\s+model#0\\s+${modelDuration.replace('.', '\\.')}\\s+1\\s+100\\+20\\s+ok$`),
    );
    expect(lines.find((line) => /step-start\s+tool:record_sale#0/.test(line))).toMatch(/intent$/);
    expect(lines.find((line) => /step-end\s+tool:record_sale#0/.test(line))).toMatch(/\s1\s+ok$/);
    expect(lines.at(-2)).toMatch(/run-end\s+run\s+completed$/);
    const outcomes = json.items.filter((i: { kind: string }) => i.kind === 'step-end' || i.kind === 'step-fail').length;
    // 6 model calls, 3 lookups, 5 sales.
    expect(outcomes).toBe(14);
    const tokens = json.items.reduce(
      (sum: number, i: { usage?: { inputTokens: number; outputTokens: number } }) =>
        sum + (i.usage ? i.usage.inputTokens + i.usage.outputTokens : 0),
      0,
    );
    expect(lines.at(-1)).toMatch(new RegExp(`^${json.items.length} entries, 14 step outcomes, .* in steps, ${tokens} tokens$`));
    expect(json.runId).toBe(fixture.runs.completed);
    expect(json.items.map((i: { seq: number }) => i.seq)).toEqual(json.items.map((_: unknown, i: number) => i + 1));
    expect(json.items.find((i: { key: string }) => i.key === 'model#0')).toMatchObject({
      kind: 'step-end',
      attempts: 1,
      usage: { inputTokens: 100, outputTokens: 20 },
    });
    expect(lines.length - 2).toBe(json.items.length);
  });

  it('marks the intent of a step killed in flight', async () => {
    // The fixture killed this run while record_sale#0 ran (its sale written, its result not).
    const result = await cairn(['history', fixture.runs.interrupted, '--store', store]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/step-start\s+tool:record_sale#0\s+intent, no outcome \(in flight or unknown\)$/m);
    expect(result.stdout).not.toMatch(/step-end\s+tool:record_sale#0/);
    expect(result.stdout).not.toMatch(/run-end/);
  });
});

describe('cairn stats and colours', () => {
  it('counts runs per status', async () => {
    const json = (await cairn(['stats', '--store', store, '--json'])).json();
    expect(json).toEqual({
      backend: 'sqlite',
      total: 3,
      byStatus: { running: 1, paused: 1, failed: 0, completed: 1, cancelled: 0 },
    });
    const human = await cairn(['stats', '--store', store]);
    expect(human.stdout).toMatch(/^completed\s+1$/m);
    expect(human.stdout).toMatch(/^total\s+3$/m);
  });

  it('uses colours only when asked for a terminal-like output, never with --json', async () => {
    const forced = await cairn(['list', '--store', store], { FORCE_COLOR: '1' });
    expect(forced.stdout.includes(`${ESC}[32mcompleted`)).toBe(true);
    expect((await cairn(['list', '--store', store, '--no-color'], { FORCE_COLOR: '1' })).stdout.includes(ESC)).toBe(false);
    expect((await cairn(['list', '--store', store, '--json'], { FORCE_COLOR: '1' })).stdout.includes(ESC)).toBe(false);
  });
});
