// The torture's verifier must fail when an invariant is broken: run a short torture, then break
// its evidence one way at a time (a step run after its outcome was durable, a side effect twice, a
// 'fail' step re-run, a stray ledger line, a lost journal entry) and expect the matching violation.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runTorture } from './run-torture.ts';
import { readExecLog, readLedger } from './side-effect-files.ts';
import { TORTURE_PLAN, type TorturePlan, verifyTortureDir } from './verify-torture.ts';

const temp = makeTempDir('verify-torture');
const registry = new Set<ChildProcess>();
let plan: TorturePlan;

/** Apply `damage` to a file, verify, then put the file back. */
async function withDamage(file: string, damage: () => void): Promise<string[]> {
  copyFileSync(file, `${file}.bak`);
  try {
    damage();
    return (await verifyTortureDir(temp.path)).violations;
  } finally {
    copyFileSync(`${file}.bak`, file);
  }
}

beforeAll(async () => {
  const report = await runTorture({ store: 'sqlite', kills: 6, seed: 99, workers: 1, dir: temp.path, registry });
  expect(report.violations).toEqual([]);
  plan = JSON.parse(readFileSync(join(temp.path, TORTURE_PLAN), 'utf8'));
}, 120_000);
afterEach(() => {
  for (const child of registry) child.kill('SIGKILL');
});
afterAll(() => temp.remove());

describe('verifyTorture catches broken invariants', () => {
  it('passes the evidence as the torture left it', async () => {
    const verdict = await verifyTortureDir(temp.path);
    expect(verdict.violations).toEqual([]);
    expect(verdict.checks).toBeGreaterThan(100);
  });

  it('a step executed after its outcome was durable', async () => {
    const { execLog } = plan.main.files;
    const end = readExecLog(execLog).find((line) => line.type === 'end' && line.stepId.startsWith('tick#'))!;
    const violations = await withDamage(execLog, () => appendFileSync(execLog, `exec\t999\t${end.runId}\t${end.stepId}\t1\t-\n`));
    expect(violations).toContainEqual(
      `run "${end.runId}" step "${end.stepId}" executed by process 999 after its outcome was durable (reported by process ${end.proc})`,
    );
  });

  it('a side effect recorded twice in the ledger', async () => {
    const { ledger } = plan.main.files;
    const first = readLedger(ledger)[0]!;
    const violations = await withDamage(ledger, () => appendFileSync(ledger, `${first.key}\t${first.text}\n`));
    expect(violations.some((v) => v.includes(`ledger key ${first.key} appears 2 times`))).toBe(true);
  });

  it('a ledger line no intent accounts for', async () => {
    const { ledger } = plan.main.files;
    const violations = await withDamage(ledger, () => appendFileSync(ledger, 'w0r0:999\tcharge w0r0 100\n'));
    expect(violations).toContainEqual('ledger key w0r0:999 (1 lines) belongs to no recorded intent');
  });

  it("a step with onUnknown 'fail' executed twice, and a step run twice in one process", async () => {
    const { execLog } = plan.main.files;
    const audit = readExecLog(execLog).find((line) => line.type === 'exec' && line.stepId === 'audit#0')!;
    const violations = await withDamage(execLog, () => {
      // Same process, same attempt: the line is re-logged before the step's `end` line would be.
      const lines = readFileSync(execLog, 'utf8').split('\n');
      const at = lines.findIndex((line) => line.startsWith('exec\t') && line.includes(`\t${audit.runId}\taudit#0\t`));
      lines.splice(at + 1, 0, lines[at]!);
      writeFileSync(execLog, lines.join('\n'));
    });
    expect(violations).toContainEqual(`run "${audit.runId}" step "audit#0" (onUnknown: 'fail') executed 2 times`);
    expect(violations).toContainEqual(
      `run "${audit.runId}" step "audit#0" executed twice in process ${audit.proc} (attempts 1,1)`,
    );
  });

  it('a journal entry lost from the store', async () => {
    const db = plan.main.location;
    const runId = plan.main.specs[0]!.runId;
    const violations = await withDamage(db, () => {
      const sqlite = new DatabaseSync(db);
      sqlite.prepare('DELETE FROM cairn_entries WHERE run_id = ? AND seq = 2').run(runId);
      sqlite.close();
    });
    expect(violations.some((v) => v.startsWith(`run "${runId}"`) && v.includes('journal is not dense'))).toBe(true);
  });
});
