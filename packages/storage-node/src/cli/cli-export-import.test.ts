// `cairn export` / `cairn import`, run as the real bin: an agent run paused on an approval in a
// SQLite store moves to a file store, is approved and finished there (no model call repeated), and
// the finished run moves back into a new SQLite store with an identical history. Exit codes and
// JSON errors for a missing run, an existing id, a torn document, an unreadable file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_WORKFLOWS } from '../../test/test-support/agent-store.ts';
import { useAgentStore } from '../../test/test-support/agent-store-fixture.ts';
import { CAIRN_BIN, cairn } from '../../test/test-support/run-cli.ts';
import { createFileStore, createSqliteStore } from '../index.ts';

const setup = useAgentStore('cli-export');
let made = 0;

function sqliteCopy(): string {
  const { fixture, temp } = setup;
  const db = join(temp.path, `copy-${made++}.db`);
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(`${fixture.db}${suffix}`)) copyFileSync(`${fixture.db}${suffix}`, `${db}${suffix}`);
  return `sqlite:${db}`;
}

async function emptySqlite(): Promise<string> {
  const { temp } = setup;
  const path = join(temp.path, `empty-${made++}.db`);
  await createSqliteStore({ path }).close();
  return `sqlite:${path}`;
}

async function emptyFileStore(): Promise<string> {
  const { temp } = setup;
  const dir = join(temp.path, `files-${made++}`);
  await createFileStore({ dir }).close();
  return `file:${dir}`;
}

describe('cairn export / import', () => {
  it('moves a paused agent run SQLite → file store, finishes it there, and moves it back with the same history', async () => {
    const { fixture, temp } = setup;
    const run = fixture.runs.paused;
    const sqlite = sqliteCopy();
    const out = join(temp.path, 'paused.jsonl');
    const exported = await cairn(['export', run, '--out', out, '--store', sqlite, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const document = readFileSync(out, 'utf8');
    expect(exported.json()).toEqual({
      runId: run,
      out,
      entries: document.trimEnd().split('\n').length - 1,
      bytes: Buffer.byteLength(document),
      status: 'paused',
    });

    const files = await emptyFileStore();
    const imported = await cairn(['import', out, '--store', files, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toEqual({
      runId: run,
      workflow: expect.any(String),
      status: 'paused',
      pauseReason: 'approval',
      entries: exported.json().entries,
    });
    const before = (await cairn(['show', run, '--store', files, '--json'])).json();
    expect(before.pendingApprovals).toMatchObject([{ approvalId: 'call_refund_1' }]);
    const requests = fixture.server.requests.length;
    const approved = await cairn(
      ['approve', run, 'call_refund_1', '--by', 'ada', '--workflows', CLI_WORKFLOWS, '--store', files, '--json'],
      fixture.env,
    );
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.json().run).toMatchObject({ status: 'completed', output: 'Refund outcome: {"refunded":"A1","cents":2500}' });
    // Every model call the run made before the move is replayed: the server sees only the new ones.
    expect(fixture.server.requests.length - requests).toBe(approved.json().run.usage.modelCalls - before.usage.modelCalls);
    expect(approved.json().run.usage.modelCalls).toBeGreaterThan(before.usage.modelCalls);
    expect(approved.json().run.usage.savedTokens).toBeGreaterThan(0);

    // Back to SQLite: refused where the id exists, accepted (from stdin) in a new store.
    const back = join(temp.path, 'completed.jsonl');
    expect((await cairn(['export', run, '--out', back, '--store', files])).code).toBe(0);
    const exists = await cairn(['import', back, '--store', sqlite, '--json']);
    expect(exists.code).toBe(1);
    expect(JSON.parse(exists.stderr)).toMatchObject({ error: { code: 'run-exists', exitCode: 1 } });
    expect(JSON.parse(exists.stderr).error.message).toContain(`run "${run}" already exists`);
    const fresh = await emptySqlite();
    const piped = spawnSync(process.execPath, [CAIRN_BIN, 'import', '-', '--store', fresh, '--json'], {
      input: readFileSync(back),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(piped.status, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ runId: run, status: 'completed', pauseReason: null });
    const historyOf = async (store: string) => (await cairn(['history', run, '--store', store, '--json'])).json();
    expect(await historyOf(fresh)).toEqual(await historyOf(files));
    const shown = (await cairn(['show', run, '--store', fresh, '--json'])).json();
    expect(shown).toMatchObject({ status: 'completed', output: 'Refund outcome: {"refunded":"A1","cents":2500}' });
  });

  it('prints the document on stdout when there is no --out, importable as it is', async () => {
    const { fixture, temp } = setup;
    const sqlite = sqliteCopy();
    const printed = await cairn(['export', fixture.runs.completed, '--store', sqlite]);
    expect(printed.code, printed.stderr).toBe(0);
    const [header] = printed.stdout.split('\n');
    expect(JSON.parse(header as string)).toMatchObject({ format: 'cairn-run', version: 1, run: { status: 'completed' } });
    const file = join(temp.path, 'stdout.jsonl');
    writeFileSync(file, printed.stdout);
    const files = await emptyFileStore();
    const imported = await cairn(['import', file, '--store', files]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(
      new RegExp(`^Imported run ${fixture.runs.completed} \\(.+, completed, \\d+ journal entries\\)\\.$`, 'm'),
    );
  });

  it('exits 3 for a missing run, 2 for usage errors, 1 for a live lease and with the line for a torn document (nothing written)', async () => {
    const { fixture, temp } = setup;
    const sqlite = sqliteCopy();
    const missing = await cairn(['export', 'no-such-run', '--out', join(temp.path, 'x.jsonl'), '--store', sqlite, '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr).error.code).toBe('run-not-found');
    expect(existsSync(join(temp.path, 'x.jsonl'))).toBe(false);
    const noOut = await cairn(['export', fixture.runs.paused, '--store', sqlite, '--json']);
    expect(noOut.code).toBe(2);
    expect(JSON.parse(noOut.stderr).error.message).toContain('export --json needs --out');
    const taken = join(temp.path, 'taken.jsonl');
    writeFileSync(taken, 'mine');
    const clobber = await cairn(['export', fixture.runs.paused, '--out', taken, '--store', sqlite]);
    expect(clobber.code).toBe(2);
    expect(readFileSync(taken, 'utf8')).toBe('mine');
    const unreadable = await cairn(['import', join(temp.path, 'nope.jsonl'), '--store', sqlite, '--json']);
    expect(unreadable.code).toBe(2);

    // A run some process drives under a live lease: refused, since it would run in two stores.
    const db = createSqliteStore({ path: sqlite.slice('sqlite:'.length) });
    const live = (await db.getRun(fixture.runs.interrupted))!;
    await db.updateRun(live.runId, live.version, {
      status: 'running',
      lease: { owner: 'another-process', expiresAt: Date.now() + 60_000 },
      updatedAt: Date.now(),
    });
    await db.close();
    const leased = await cairn(['export', live.runId, '--out', join(temp.path, 'leased.jsonl'), '--store', sqlite, '--json']);
    expect(leased.code).toBe(1);
    expect(JSON.parse(leased.stderr).error).toMatchObject({ code: 'lease-held', message: expect.stringContaining('--force') });
    const forced = await cairn(['export', live.runId, '--force', '--out', join(temp.path, 'leased.jsonl'), '--store', sqlite]);
    expect(forced.code, forced.stderr).toBe(0);

    const whole = join(temp.path, 'whole.jsonl');
    expect((await cairn(['export', fixture.runs.paused, '--out', whole, '--store', sqlite])).code).toBe(0);
    const lines = readFileSync(whole, 'utf8').trimEnd().split('\n');
    const torn = join(temp.path, 'torn.jsonl');
    writeFileSync(torn, `${lines.slice(0, -1).join('\n')}\n${(lines.at(-1) as string).slice(0, 25)}`);
    const files = await emptyFileStore();
    const refused = await cairn(['import', torn, '--store', files, '--json']);
    expect(refused.code).toBe(1);
    const error = JSON.parse(refused.stderr).error;
    expect(error.code).toBe('corrupt-journal');
    expect(error.message).toContain(`line ${lines.length} (run "${fixture.runs.paused}")`);
    expect((await cairn(['stats', '--store', files, '--json'])).json().total).toBe(0);
  });
});
