// `cairn` refusals, run as the real bin: exit codes (2 usage, 3 not found, 1 failure), clear
// messages on stderr (JSON with --json), and no store created where none exists.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createRuntime, defineWorkflow } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { createSqliteStore } from '../index.ts';

const temp = makeTempDir('cli-errors');
const db = join(temp.path, 'runs.db');
const store = `sqlite:${db}`;

beforeAll(async () => {
  // A real run to find (and to not find approvals in).
  const sqlite = createSqliteStore({ path: db });
  const hello = defineWorkflow('hello', async (ctx, name: string) => ctx.step('greet', () => `Hello, ${name}!`));
  const runtime = createRuntime({ store: sqlite, workflows: [hello] });
  await (await runtime.start(hello, 'Ada', { runId: 'run_hello' })).result();
  await runtime.close();
  await sqlite.close();
});
afterEach(() => killCliChildren());
afterAll(() => temp.remove());

describe('cairn refuses a store that is not there (exit 3) and creates nothing', () => {
  it('a missing SQLite file', async () => {
    const missing = join(temp.path, 'missing.db');
    const message = `[@cairn/storage-node] no SQLite store at ${JSON.stringify(missing)} (no such file)`;
    for (const args of [['list'], ['show', 'run_hello']]) {
      const result = await cairn([...args, '--store', `sqlite:${missing}`]);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
    const json = await cairn(['stats', '--json', '--store', `sqlite:${missing}`]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'store-not-found', message, exitCode: 3 } });
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(temp.path).filter((name) => name.startsWith('missing'))).toEqual([]);
  });

  it('a missing file-store directory, and a directory that is not a file store', async () => {
    const missing = join(temp.path, 'no-such-dir');
    const result = await cairn(['list', '--store', `file:${missing}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no file store at');
    expect(existsSync(missing)).toBe(false);
    const plain = join(temp.path, 'plain-dir');
    mkdirSync(plain);
    const notStore = await cairn(['stats', '--store', `file:${plain}`]);
    expect(notStore.code).toBe(3);
    expect(notStore.stderr).toContain('is not a Cairn file store (no cairn-store.json)');
    expect(readdirSync(plain)).toEqual([]);
  });

  it('a SQLite database without Cairn tables is left untouched; a file that is no database fails (exit 1)', async () => {
    const other = join(temp.path, 'other.db');
    const app = new DatabaseSync(other);
    app.exec('CREATE TABLE users (id INTEGER)');
    app.close();
    const result = await cairn(['list', '--store', `sqlite:${other}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('holds no Cairn store (no cairn_runs table)');
    const check = new DatabaseSync(other, { readOnly: true });
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    check.close();
    expect(tables.map((t) => t.name)).toEqual(['users']);
    const garbage = join(temp.path, 'garbage.db');
    writeFileSync(garbage, 'not a database, just text '.repeat(20));
    const broken = await cairn(['list', '--store', `sqlite:${garbage}`]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/cannot read .*garbage\.db.* as a SQLite database/);
  });
});

describe('cairn usage errors exit 2', () => {
  it.each([
    ['no store', ['list'], /no store given: pass --store sqlite:PATH or --store file:DIR or --store postgres:\/\/…/],
    [
      'a bad store spec',
      ['list', '--store', 'mysql://db'],
      /--store: store spec "mysql:\/\/db" must look like sqlite:PATH, file:DIR/,
    ],
    ['sqlite::memory:', ['list', '--store', 'sqlite::memory:'], /is always empty/],
    ['an unknown command', ['lsit', '--store', store], /unknown command "lsit"; commands: list, show/],
    ['an unknown option', ['list', '--store', store, '--colour'], /list: Unknown option '--colour'/],
    ['a missing argument', ['show', '--store', store], /show takes <runId>, got none/],
    ['an extra argument', ['stats', 'extra', '--store', store], /stats takes no arguments, got "extra"/],
    ['a bad run id', ['show', 'run id!', '--store', store], /invalid run id "run id!": expected 1-128 characters/],
    [
      'a bad status',
      ['list', '--status', 'done', '--store', store],
      /--status: unknown status "done"; use a comma-separated list of running, paused/,
    ],
    ['a bad limit', ['list', '--limit', '0', '--store', store], /--limit: expected a whole number from 1 to 1000, got "0"/],
    ['a malformed cursor', ['list', '--cursor', 'nonsense', '--store', store], /malformed cursor "nonsense"/],
    [
      'a bad duration',
      ['cleanup', '--older-than', '7days', '--store', store],
      /--older-than: bad duration "7days": use a whole number and a unit, like 30s, 15m, 12h or 7d/,
    ],
    ['no duration', ['cleanup', '--store', store], /cleanup needs --older-than <duration>/],
    ['resume without a module', ['resume', 'run_hello', '--store', store], /resume needs --workflows <module>/],
    [
      'a missing module',
      ['resume', 'run_hello', '--workflows', './nope.mjs', '--store', store],
      /--workflows: no module at "\.\/nope\.mjs"/,
    ],
  ])('%s', async (_name, args, message) => {
    const result = await cairn(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Run "cairn .*--help" for usage\./);
    expect(result.stdout).toBe('');
  });

  it('reports errors as one JSON object on stderr with --json', async () => {
    const result = await cairn(['show', 'bad id', '--store', store, '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'usage', message: expect.stringContaining('invalid run id "bad id"'), exitCode: 2 },
    });
  });
});

describe('cairn not found (exit 3)', () => {
  it('a run that does not exist, in every command that names one', async () => {
    for (const args of [
      ['show', 'run_nope'],
      ['history', 'run_nope'],
      ['delete', 'run_nope'],
      ['approve', 'run_nope', 'a1'],
    ]) {
      const result = await cairn([...args, '--store', store]);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr).toContain('run "run_nope" not found');
    }
    const json = await cairn(['show', 'run_nope', '--store', store, '--json']);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'run-not-found', exitCode: 3 });
  });

  it('a decision for a run that already ended is a runtime failure (exit 1)', async () => {
    const result = await cairn(['approve', 'run_hello', 'call_x', '--store', store]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run "run_hello" is completed; it takes no more signals or decisions');
  });
});

describe('cairn help', () => {
  it('prints the overview with --help (exit 0) and on stderr without a command (exit 2)', async () => {
    const help = await cairn(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'Usage: cairn <command> [arguments] --store sqlite:PATH|file:DIR|postgres://…|redis://… [--json]',
    );
    for (const command of ['list', 'show', 'history', 'stats', 'delete', 'cleanup', 'approve', 'resume'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, 'm'));
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 not found');
    const bare = await cairn([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Commands:');
  });

  it('prints each command’s page with <command> --help or help <command>', async () => {
    const list = await cairn(['list', '--help']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Usage: cairn list [--status <s1,s2>] [--workflow <name>] [--limit <n>] [--cursor <c>]');
    const approve = await cairn(['help', 'approve']);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('Usage: cairn approve <runId> <approvalId> [--reject] [--by <name>] [--reason <text>]');
  });
});
