// The lifecycle commands as the real bin: --version, signal, cancel, fork, serve, and list/show/stats
// with metadata — each with --json, its exit codes, and a store made by a real runtime.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, type Runtime } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { counter, waiter } from '../../test/test-support/fixtures/cli-lifecycle-workflows.ts';
import { CAIRN_BIN, cairn, killCliChildren } from '../../test/test-support/run-cli.ts';
import { createSqliteStore } from '../index.ts';

const WORKFLOWS = fileURLToPath(new URL('../../test/test-support/fixtures/cli-lifecycle-workflows.ts', import.meta.url));
const temp = makeTempDir('cli-lifecycle');
const opened: Runtime[] = [];
afterEach(async () => {
  killCliChildren();
  for (const runtime of opened.splice(0)) {
    await runtime.close();
    await runtime.store.close();
  }
});
afterAll(() => temp.remove());

let stores = 0;
function freshStore() {
  const db = join(temp.path, `store-${stores++}.db`);
  const runtime = createRuntime({ store: createSqliteStore({ path: db }), workflows: [waiter, counter], owner: 'test' });
  opened.push(runtime);
  const countFile = `${db}.count`;
  writeFileSync(countFile, '');
  const counted = () => readFileSync(countFile, 'utf8').split('\n').filter(Boolean);
  return { runtime, spec: `sqlite:${db}`, env: { CAIRN_TEST_COUNT_FILE: countFile }, counted };
}

describe('cairn lifecycle commands', () => {
  it('--version prints the package version, plain and as JSON', async () => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
    const plain = await cairn(['--version']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toBe(`cairn ${version}`);
    expect((await cairn(['--version', '--json'])).json()).toEqual({ name: '@cairn/storage-node', version });
  });

  it('signal delivers a JSON payload to a waiting run; resume then completes it with that payload; bad input exits 2, a missing run 3', async () => {
    const { runtime, spec } = freshStore();
    const run = await runtime.start(waiter, null, { runId: 'wait-1' });
    expect((await run.settled()).status).toBe('paused');
    await runtime.close();
    const sent = await cairn(['signal', 'wait-1', 'go', '--payload', '{"amount":4200}', '--store', spec, '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.json()).toEqual({ runId: 'wait-1', name: 'go', delivered: true });
    const resumed = await cairn(['resume', 'wait-1', '--workflows', WORKFLOWS, '--store', spec, '--json']);
    expect(resumed.json()).toMatchObject({ status: 'completed', output: { amount: 4200 } });
    const badJson = await cairn(['signal', 'wait-1', 'go', '--payload', '{oops', '--store', spec]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--payload: not valid JSON');
    expect((await cairn(['signal', 'nope', 'go', '--store', spec])).code).toBe(3);
    const ended = await cairn(['signal', 'wait-1', 'go', '--store', spec]);
    expect(ended.code).toBe(1);
  });

  it('cancel ends a paused run at once (JSON: status, requested); a cancelled run cannot be retried; a missing run exits 3', async () => {
    const { runtime, spec } = freshStore();
    await (await runtime.start(waiter, null, { runId: 'wait-2' })).settled();
    await runtime.close();
    const cancelled = await cairn(['cancel', 'wait-2', '--reason', 'not needed', '--store', spec, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.json()).toEqual({ runId: 'wait-2', status: 'cancelled', requested: false });
    const show = await cairn(['show', 'wait-2', '--store', spec, '--json']);
    expect(show.json()).toMatchObject({ status: 'cancelled', error: { message: expect.stringContaining('not needed') } });
    const retry = await cairn(['retry', 'wait-2', '--workflows', WORKFLOWS, '--store', spec]);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('was cancelled');
    expect((await cairn(['cancel', 'nope', '--store', spec])).code).toBe(3);
  });

  it('fork copies a run up to a seq and drives the copy: recorded steps replayed, later ones run; usage errors exit 2', async () => {
    const { runtime, spec, env, counted } = freshStore();
    await (await runtime.start(counter, { n: 1 }, { runId: 'count-1', metadata: { userId: 'u1' } })).result();
    await runtime.close();
    // Steps ran in this test process, outside the count file: only the fork's steps are counted.
    const history = (await cairn(['history', 'count-1', '--store', spec, '--json'])).json().items as Array<{
      seq: number;
      key: string;
    }>;
    const afterA = history.find((item) => item.key === 'a#0')!.seq;
    const fork = await cairn(
      [
        'fork',
        'count-1',
        '--at-seq',
        String(afterA),
        '--workflows',
        WORKFLOWS,
        '--input',
        '{"n":10}',
        '--new-id',
        'count-fork',
        '--store',
        spec,
        '--json',
      ],
      env,
    );
    expect(fork.code, fork.stderr).toBe(0);
    // a is replayed from the copy (2), b and c run again with the new input: (2 * 2) + 10.
    expect(fork.json()).toMatchObject({
      runId: 'count-fork',
      status: 'completed',
      output: 14,
      forkedFrom: { runId: 'count-1', atSeq: afterA },
    });
    expect(fork.json().metadata).toEqual({ userId: 'u1' });
    expect(counted()).toEqual(['b', 'c']);
    expect((await cairn(['fork', 'count-1', '--workflows', WORKFLOWS, '--store', spec])).code).toBe(2);
    expect((await cairn(['fork', 'count-1', '--at-seq', '0', '--workflows', WORKFLOWS, '--store', spec])).code).toBe(2);
    expect((await cairn(['fork', 'count-1', '--at-seq', '999', '--workflows', WORKFLOWS, '--store', spec])).code).toBe(2);
  });

  it('list filters by metadata, show and stats print metadata and the backend', async () => {
    const { runtime, spec } = freshStore();
    for (const [i, userId] of ['u1', 'u2', 'u1'].entries())
      await (
        await runtime.start(counter, { n: i }, { runId: `meta-${i}`, metadata: { userId, sessionId: 'session_1' } })
      ).result();
    await runtime.close();
    const listed = await cairn(['list', '--metadata', 'userId=u1,sessionId=session_1', '--store', spec, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json().runs.map((run: { runId: string }) => run.runId)).toEqual(['meta-2', 'meta-0']);
    expect(listed.json().runs[0].metadata).toEqual({ userId: 'u1', sessionId: 'session_1' });
    expect((await cairn(['list', '--metadata', 'userId', '--store', spec])).code).toBe(2);
    const show = await cairn(['show', 'meta-1', '--store', spec, '--no-color']);
    expect(show.stdout).toMatch(/Metadata\s+userId=u2, sessionId=session_1/);
    const stats = await cairn(['stats', '--store', spec, '--json']);
    expect(stats.json()).toMatchObject({ backend: 'sqlite', total: 3 });
  });

  it('serve drives queued runs until SIGTERM, prints JSON lines, then releases and exits 0', async () => {
    const { runtime, spec, env, counted } = freshStore();
    for (let i = 0; i < 3; i++) await runtime.start(counter, { n: i }, { runId: `queued-${i}`, drive: false });
    await runtime.close();
    const child = spawn(
      process.execPath,
      [CAIRN_BIN, 'serve', '--workflows', WORKFLOWS, '--poll-ms', '50', '--store', spec, '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 30_000;
    while ((stdout.match(/"ended"/g) ?? []).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; runId?: string; status?: string });
    expect(
      lines
        .filter((l) => l.event === 'ended')
        .map((l) => [l.runId, l.status])
        .sort(),
    ).toEqual([
      ['queued-0', 'completed'],
      ['queued-1', 'completed'],
      ['queued-2', 'completed'],
    ]);
    expect(lines.at(-1)).toEqual({ event: 'stopped' });
    expect(counted().sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']);
    expect((await cairn(['serve', '--store', spec])).code).toBe(2);
    expect((await cairn(['serve', '--workflows', WORKFLOWS, '--concurrency', '0', '--store', spec])).code).toBe(2);
  });
});
