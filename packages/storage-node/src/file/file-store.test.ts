// File-store behaviour beyond the conformance suite: on-disk layout, allocation ahead and trimming,
// checkpoints, the format marker, option validation and leftovers of crashed processes.
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { frameRanges, journalPathOf } from '../../test/test-support/journal-bytes.ts';
import { checkFileStoreIntegrity } from './file-integrity.ts';
import { type CreateFileStoreOptions, createFileStore } from './file-store.ts';
import { currentIdentity } from './process-identity.ts';

const temp = makeTempDir('file-store');
afterAll(() => temp.remove());
const opened: DurableStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function open(dir: string, options: Omit<CreateFileStoreOptions, 'dir'> = {}): DurableStore {
  const store = createFileStore({ dir, ...options });
  opened.push(store);
  return store;
}

const freshDir = () => join(temp.path, crypto.randomUUID());

async function codeOf(action: () => unknown): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return CairnError.is(error) ? error.code : `not a Cairn error: ${String(error)}`;
  }
}

describe('file store', () => {
  it('keeps one folder per run with a journal of framed records, zeros allocated ahead, trimmed when the run ends', async () => {
    const dir = freshDir();
    const store = open(dir);
    await store.createRun(newRunFixture('run-1'));
    const path = journalPathOf(dir, 'run-1');
    expect(readdirSync(join(dir, 'runs'))).toStrictEqual(['run-1']);
    for (let seq = 0; seq < 3; seq++) await store.append('run-1', seq, [entryFixture(`s#${seq}`)]);
    const frames = frameRanges(path);
    expect(frames).toHaveLength(4);
    const validEnd = frames[3]!.end;
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(validEnd);
    expect(bytes.subarray(validEnd).every((byte) => byte === 0)).toBe(true);
    // Payloads are stored as raw UTF-8, not escaped into JSON.
    expect(bytes.includes(Buffer.from('{"v":"s#2"}'))).toBe(true);

    await store.append('run-1', 3, [entryFixture('end#0', { kind: 'run-end' })], {
      status: 'completed',
      output: '{"v":"done"}',
      updatedAt: 5,
    });
    expect(statSync(path).size).toBe(frameRanges(path)[4]!.end);
    expect(readdirSync(join(dir, 'runs', 'run-1')).filter((name) => name.startsWith('header-'))).toHaveLength(1);
    // A finished run is listed from its checkpoint and reads back whole.
    const reopened = open(dir);
    expect(
      (await reopened.listRuns({ status: ['completed'] })).runs.map((run) => [run.runId, run.lastSeq, run.output]),
    ).toStrictEqual([['run-1', 4, '{"v":"done"}']]);
    // A late append to a finished run still works (the journal grows again).
    expect((await reopened.append('run-1', 4, [entryFixture('late#0')])).lastSeq).toBe(5);
    expect((await checkFileStoreIntegrity(dir)).ok).toBe(true);
  });

  it('lists runs from their checkpoint plus journal tail, and agrees with getRun', async () => {
    const dir = freshDir();
    const writer = open(dir);
    await writer.createRun(newRunFixture('run-1', { createdAt: 1, updatedAt: 1 }));
    await writer.createRun(newRunFixture('run-2', { createdAt: 2, updatedAt: 2 }));
    for (let seq = 0; seq < 70; seq++) {
      await writer.append('run-1', seq, [entryFixture(`s#${seq}`)], {
        step: { index: seq + 1, name: `s#${seq}` },
        updatedAt: 10 + seq,
      });
    }
    await writer.updateRun('run-2', 0, { status: 'paused', pauseReason: 'approval', updatedAt: 3 });
    const reader = open(dir);
    const listed = await reader.listRuns();
    expect(listed.runs).toStrictEqual([await writer.getRun('run-2'), await writer.getRun('run-1')]);
    expect(listed.runs[1]).toMatchObject({ lastSeq: 70, step: { index: 70, name: 's#69' }, updatedAt: 79 });
    expect(await reader.stats()).toMatchObject({ total: 2, byStatus: { running: 1, paused: 1 } });
    expect((await reader.listRuns({ updatedBefore: 50 })).runs.map((run) => run.runId)).toStrictEqual(['run-2']);
  });

  it('refuses a directory written by another format version', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cairn-store.json'), JSON.stringify({ format: 'cairn-file-store', version: 99 }));
    expect(await codeOf(() => createFileStore({ dir }))).toBe('storage-unavailable');
  });

  it('validates its options', async () => {
    const dir = freshDir();
    expect(await codeOf(() => createFileStore({ dir: '' }))).toBe('invalid-argument');
    expect(await codeOf(() => createFileStore({ dir, maxPayloadBytes: 0 }))).toBe('invalid-argument');
    expect(await codeOf(() => createFileStore({ dir, maxPayloadBytes: 2 ** 40 }))).toBe('invalid-argument');
    expect(await codeOf(() => createFileStore({ dir, lockStaleMs: -5 }))).toBe('invalid-argument');
    expect(open(dir, { maxPayloadBytes: 1000 }).limits.maxPayloadBytes).toBe(1000);
    expect(open(freshDir()).limits.maxPayloadBytes).toBe(64 * 1024 * 1024);
  });

  it('refuses strings that UTF-8 cannot keep (lone surrogates) instead of changing them', async () => {
    const store = open(freshDir());
    await store.createRun(newRunFixture('run-1'));
    expect(await codeOf(() => store.append('run-1', 0, [entryFixture('a#0', { payload: '{"v":"\uD800"}' })]))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => store.createRun(newRunFixture('run-2', { input: '\uDC00' })))).toBe('invalid-argument');
    expect(await codeOf(() => store.updateRun('run-1', 0, { error: 'x\uD83D', updatedAt: 1 }))).toBe('invalid-argument');
    expect(await store.readEntries('run-1')).toStrictEqual([]);
    // Paired surrogates (emoji) are fine.
    expect((await store.append('run-1', 0, [entryFixture('a#0', { payload: '{"v":"\u{1F600}"}' })])).lastSeq).toBe(1);
  });

  it('removes what crashed processes left behind when a store opens', async () => {
    const dir = freshDir();
    open(dir);
    const old = new Date(Date.now() - 3_600_000);
    mkdirSync(join(dir, 'tmp', 'delete-run-9-abc'), { recursive: true });
    mkdirSync(join(dir, 'tmp', 'create-run-8-def'), { recursive: true });
    utimesSync(join(dir, 'tmp', 'create-run-8-def'), old, old);
    mkdirSync(join(dir, 'tmp', 'create-run-7-new'), { recursive: true });
    // An owner file of a process that no longer exists.
    writeFileSync(join(dir, 'owners', '999999999-dead'), JSON.stringify({ ...currentIdentity(), pid: 999_999_999 }));
    expect((await checkFileStoreIntegrity(dir)).notes).toHaveLength(3);
    open(dir);
    expect(readdirSync(join(dir, 'tmp'))).toStrictEqual(['create-run-7-new']);
    expect(readdirSync(join(dir, 'owners'))).not.toContain('999999999-dead');
  });

  it('a handle that cached a run sees it deleted and re-created by another handle', async () => {
    const dir = freshDir();
    const first = open(dir);
    const second = open(dir);
    await first.createRun(newRunFixture('run-1', { workflow: 'old' }));
    await first.append('run-1', 0, [entryFixture('old#0'), entryFixture('old#1')]);
    expect(await second.deleteRuns({ runIds: ['run-1'] })).toBe(1);
    await second.createRun(newRunFixture('run-1', { workflow: 'new' }));
    expect(await codeOf(() => first.append('run-1', 2, [entryFixture('stale#0')]))).toBe('storage-conflict');
    expect(await first.getRun('run-1')).toMatchObject({ workflow: 'new', lastSeq: 0 });
    expect((await first.append('run-1', 0, [entryFixture('new#0')])).lastSeq).toBe(1);
    expect((await second.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['new#0']);
  });
});
