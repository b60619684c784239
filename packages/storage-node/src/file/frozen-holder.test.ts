// ADR 0037: a lock holder frozen between its lock check and its write (SIGSTOP at that exact
// instant, in a real child process) must not overwrite the append that another process made,
// and was acknowledged, after breaking the stale lock. The zombie's write is refused.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/test-support/child-processes.ts';
import { checkFileStoreIntegrity } from './file-integrity.ts';
import { createFileStore } from './file-store.ts';

const temp = makeTempDir('frozen-holder');
afterAll(() => temp.remove());
const opened: DurableStore[] = [];
const children: number[] = [];
afterEach(async () => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

const STALE_MS = 400;

function stopped(pid: number): boolean {
  // Field 3 of /proc/<pid>/stat is the state; T is "stopped by a signal".
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('file store: a frozen lock holder (ADR 0037)', () => {
  it('the acknowledged append of the process that broke the stale lock survives; the zombie write is refused', async () => {
    const dir = join(temp.path, crypto.randomUUID());
    const setup = createFileStore({ dir, lockStaleMs: STALE_MS });
    await setup.createRun(newRunFixture('run-1'));
    await setup.append('run-1', 0, [entryFixture('first#0')]);
    await setup.close();

    const child = spawn(process.execPath, [fixturePath('frozen-writer.ts'), dir, String(STALE_MS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child.pid as number);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => stdout.includes('paused') && stopped(child.pid as number), `the child to stop (${stderr})`);

    // The child holds the lock, alive but stopped: once the lock is older than lockStaleMs it is
    // broken by age, and this append is acknowledged.
    const survivor = createFileStore({ dir, lockStaleMs: STALE_MS });
    opened.push(survivor);
    expect(await survivor.append('run-1', 1, [entryFixture('survivor#0')])).toMatchObject({ lastSeq: 2 });

    process.kill(child.pid as number, 'SIGCONT');
    expect(await exited, stderr).toBe(0);
    const zombie = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(zombie).toMatchObject({ outcome: 'refused', code: 'storage-conflict' });
    expect(zombie.message).toContain('"run-1"');

    const reader = createFileStore({ dir, lockStaleMs: STALE_MS });
    opened.push(reader);
    expect((await reader.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['first#0', 'survivor#0']);
    expect(await reader.getRun('run-1')).toMatchObject({ lastSeq: 2 });
    // The run goes on normally for everyone.
    expect(await survivor.append('run-1', 2, [entryFixture('after#0')])).toMatchObject({ lastSeq: 3 });
    expect((await reader.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['first#0', 'survivor#0', 'after#0']);
    expect((await checkFileStoreIntegrity(dir)).problems).toStrictEqual([]);
  });

  it('a fence marked by a breaker that died before fencing is carried out by the next writer', async () => {
    const dir = join(temp.path, crypto.randomUUID());
    const store = createFileStore({ dir, lockStaleMs: STALE_MS });
    opened.push(store);
    await store.createRun(newRunFixture('run-1'));
    await store.append('run-1', 0, [entryFixture('first#0')]);
    await store.close();
    const journal = join(dir, 'runs', 'run-1', 'journal');
    const before = statSync(journal).ino;
    writeFileSync(join(dir, 'runs', 'run-1', 'fence'), '');
    const next = createFileStore({ dir, lockStaleMs: STALE_MS });
    opened.push(next);
    expect(await next.append('run-1', 1, [entryFixture('second#0')])).toMatchObject({ lastSeq: 2 });
    expect(statSync(journal).ino).not.toBe(before);
    expect(existsSync(join(dir, 'runs', 'run-1', 'fence'))).toBe(false);
    expect((await next.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['first#0', 'second#0']);
    expect((await checkFileStoreIntegrity(dir)).problems).toStrictEqual([]);
  });
});
