// The Node demo end to end, as a user runs it: `node src/node/main.ts` in a child process (no TTY,
// CI=true), which spawns a worker, SIGKILLs it mid-run and resumes the run in a new worker. The
// demo's own proof lines are checked, and then checked again against the store and the ledger.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ledgerPathOf, readLedgerFile } from './file-ledger.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'cairn-demo-test-'));
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[], timeoutMs = 60_000): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.OPENAI_API_KEY;
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What the store says about the one run the demo left in it. */
async function storedRun(storePath: string) {
  const store = createSqliteStore({ path: storePath });
  const runtime = createRuntime({ store, workflows: [] });
  try {
    const { runs } = await runtime.list();
    expect(runs).toHaveLength(1);
    return { info: runs[0]!, history: await runtime.history(runs[0]!.runId) };
  } finally {
    await runtime.close();
    await store.close();
  }
}

describe('pnpm demo', () => {
  it('kills the worker mid-run, resumes in a new worker, and proves every side effect happened once', async () => {
    const store = join(temp, 'default.db');
    const run = await runDemo(['--', '--fresh', '--store', store, '--model', 'scripted', '--delay-ms', '150']);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    const out = run.stdout;
    // Not a terminal: plain text, no colours, no redrawn progress line.
    expect(out.includes('\u001b[')).toBe(false);
    // Killed right after the refund was journaled, while the next model call ran.
    expect(out).toMatch(/✖ SIGKILL worker 1 while model#3 was in flight/);
    expect(out).toMatch(/tool:issue_refund#0 +replayed .*ledger still holds 1 refund/);
    expect(out).toMatch(/▶ worker 2 .* resumes run run_/);
    expect(out).toMatch(/✓ run completed/);
    expect(out).toMatch(/✓ refund issued exactly once\s+1 refund line for this run in the ledger, 1 in the journal/);
    expect(out).toMatch(/✓ e-mail sent exactly once\s+1 email line/);
    const replayed = Number(/✓ steps replayed after the kill\s+(\d+) replayed/.exec(out)?.[1]);
    expect(replayed).toBeGreaterThanOrEqual(1);
    expect(out).toMatch(/✓ tokens saved by replay\s+[1-9][\d ]* tokens not re-spent/);
    expect(out).toMatch(/refunded \$18\.00/);

    // The same facts, straight from the store and the ledger.
    const { info, history } = await storedRun(store);
    expect(info.status).toBe('completed');
    expect(info.usage.savedTokens).toBeGreaterThan(0);
    const refundsJournaled = history.filter((item) => item.kind === 'step-end' && item.key.startsWith('tool:issue_refund#'));
    expect(refundsJournaled).toHaveLength(1);
    const effects = readLedgerFile(ledgerPathOf(store)).filter((effect) => effect.runId === info.runId);
    expect(effects.map((effect) => effect.kind).sort()).toEqual(['email', 'refund']);
  });

  it('reconciles a refund that was in flight at the kill instead of issuing it twice', async () => {
    const store = join(temp, 'in-flight.db');
    const run = await runDemo(['--fresh', '--store', store, '--model', 'scripted', '--delay-ms', '150', '--kill-after', '5']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✖ SIGKILL worker 1 while tool:issue_refund#0 was in flight/);
    expect(run.stdout).toMatch(/\? tool:issue_refund#0 was in flight .* → reconcile/);
    expect(run.stdout).toMatch(/✓ refund issued exactly once/);
    const { info } = await storedRun(store);
    const refunds = readLedgerFile(ledgerPathOf(store)).filter(
      (effect) => effect.runId === info.runId && effect.kind === 'refund',
    );
    expect(refunds).toHaveLength(1);
  });

  it('runs to the end in one worker with --no-kill', async () => {
    const store = join(temp, 'no-kill.db');
    const run = await runDemo(['--fresh', '--no-kill', '--store', store, '--model', 'scripted', '--delay-ms', '50']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/SIGKILL worker/);
    expect(run.stdout).not.toMatch(/worker 2/);
    expect(run.stdout).toMatch(/✓ run completed/);
    expect(run.stdout).toMatch(/– no kill/);
  });

  it('lists its options with --help and refuses unknown ones', async () => {
    const help = await runDemo(['--', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--store <path>', '--kill-after <n|step>', '--no-kill', '--model <name>', '--fresh'])
      expect(help.stdout).toContain(option);
    const bad = await runDemo(['--kil-after', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option "--kil-after"');
  });
});
