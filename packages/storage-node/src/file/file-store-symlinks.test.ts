// Symbolic links planted where a run's files or folder should be (ADR 0027): the store refuses to
// follow them, names the run and the path, and never writes or truncates anything outside itself.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError, type DurableStore } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkFileStoreIntegrity } from './file-integrity.ts';
import { createFileStore } from './file-store.ts';

const temp = makeTempDir('file-symlinks');
afterAll(() => temp.remove());
const opened: DurableStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

function open(dir: string, lockTimeoutMs?: number): DurableStore {
  const store = createFileStore({ dir, lockTimeoutMs });
  opened.push(store);
  return store;
}

/** Every file under `path` with its bytes' hash: what "nothing outside the store changed" compares. */
function snapshot(path: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = join(path, name);
    try {
      files[name] = createHash('sha256').update(readFileSync(full)).digest('hex');
    } catch {
      files[name] = 'directory';
    }
  }
  return files;
}

/** A victim outside the store: a folder holding a 128 KiB file the test process can write. */
function victimFolder(): { dir: string; file: string } {
  const dir = join(temp.path, `outside-${crypto.randomUUID()}`);
  mkdirSync(dir);
  const file = join(dir, 'precious.bin');
  writeFileSync(file, Buffer.alloc(128 * 1024, 7));
  return { dir, file };
}

async function seeded(appends: number): Promise<string> {
  const dir = join(temp.path, crypto.randomUUID());
  const store = open(dir);
  await store.createRun(newRunFixture('run-1'));
  for (let index = 0; index < appends; index++) await store.append('run-1', index, [entryFixture(`step#${index}`)]);
  await store.close();
  return dir;
}

async function rejection(action: () => Promise<unknown>): Promise<CairnError> {
  const outcome = await action().then(
    (value) => new Error(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  if (!CairnError.is(outcome)) throw outcome;
  return outcome;
}

/** The writes that reach a run's header slots and journal: appends, a checkpoint, the end of the run. */
async function writeEverything(store: DurableStore, from: number): Promise<void> {
  for (let index = from; index < from + 40; index++) await store.append('run-1', index, [entryFixture(`more#${index}`)]);
  const run = await store.getRun('run-1');
  await store.updateRun('run-1', run?.version ?? 0, { status: 'completed', updatedAt: 1 });
}

describe('file store: planted symbolic links', () => {
  for (const [slot, appendsBefore] of [
    ['header-a', 0],
    ['header-b', 32],
  ] as const) {
    it(`a link at ${slot} fails the run's calls naming it, and the file it points to is never written or truncated`, async () => {
      const dir = await seeded(appendsBefore);
      const victim = victimFolder();
      const slotPath = join(dir, 'runs', 'run-1', slot);
      rmSync(slotPath, { force: true });
      symlinkSync(victim.file, slotPath);
      const before = snapshot(victim.dir);
      const store = open(dir);
      const error = await rejection(() => writeEverything(store, appendsBefore));
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toContain('"run-1"');
      expect(error.message).toContain(slotPath);
      expect(snapshot(victim.dir)).toStrictEqual(before);
      expect(readFileSync(victim.file)).toHaveLength(128 * 1024);
      // One bad run does not stop listings; the integrity check names it.
      expect((await store.listRuns()).runs).toStrictEqual([]);
      expect((await checkFileStoreIntegrity(dir)).problems.join('\n')).toContain(slotPath);
    });
  }

  it('a link at the journal (to a journal moved out of the store) is refused: nothing is appended to it', async () => {
    const dir = await seeded(3);
    const victim = victimFolder();
    const journalPath = join(dir, 'runs', 'run-1', 'journal');
    const moved = join(victim.dir, 'journal');
    renameSync(journalPath, moved);
    symlinkSync(moved, journalPath);
    const before = snapshot(victim.dir);
    const store = open(dir);
    const error = await rejection(() => writeEverything(store, 3));
    expect(error.code).toBe('corrupt-journal');
    expect(error.message).toContain('"run-1"');
    expect(error.message).toContain(journalPath);
    expect(await rejection(() => store.readEntries('run-1'))).toMatchObject({ code: 'corrupt-journal' });
    expect(snapshot(victim.dir)).toStrictEqual(before);
  });

  it('a link in place of the run folder is refused; deleting the run by id removes the link only', async () => {
    const dir = await seeded(3);
    const victim = victimFolder();
    const runDir = join(dir, 'runs', 'run-1');
    const moved = join(victim.dir, 'run-1');
    renameSync(runDir, moved);
    symlinkSync(moved, runDir);
    const before = snapshot(victim.dir);
    const store = open(dir);
    for (const action of [() => store.getRun('run-1'), () => writeEverything(store, 3), () => store.readEntries('run-1')]) {
      const error = await rejection(action);
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toContain('"run-1"');
      expect(error.message).toContain(runDir);
    }
    // The lock is never taken through the link (a hard link would land in the victim's folder).
    expect(snapshot(victim.dir)).toStrictEqual(before);
    expect((await store.listRuns()).runs).toStrictEqual([]);
    expect(await store.deleteRuns({ status: ['running'] })).toBe(0);
    expect(await store.deleteRuns({ runIds: ['run-1'] })).toBe(1);
    expect(existsSync(runDir)).toBe(false);
    expect(snapshot(victim.dir)).toStrictEqual(before);
    // The id is free again.
    await store.createRun(newRunFixture('run-1'));
    expect(await store.append('run-1', 0, [entryFixture('a')])).toMatchObject({ lastSeq: 1 });
  });

  it('a link planted as the run lock is no lock: it is removed at once, its target never read or written', async () => {
    const dir = await seeded(1);
    const victim = victimFolder();
    symlinkSync(victim.file, join(dir, 'runs', 'run-1', 'lock'));
    const before = snapshot(victim.dir);
    // Followed, the link looked like a lock held by "an unknown process" until the timeout.
    const store = open(dir, 2_000);
    expect(await store.append('run-1', 1, [entryFixture('after')])).toMatchObject({ lastSeq: 2 });
    expect(snapshot(victim.dir)).toStrictEqual(before);
  });

  it('a dangling link where a new run folder would go makes createRun fail naming it, creating nothing outside', async () => {
    const dir = await seeded(0);
    const victim = victimFolder();
    const runDir = join(dir, 'runs', 'run-2');
    const target = join(victim.dir, 'run-2');
    symlinkSync(target, runDir);
    const store = open(dir);
    const error = await rejection(() => store.createRun(newRunFixture('run-2')));
    expect(error.code).toBe('corrupt-journal');
    expect(error.message).toContain(runDir);
    expect(existsSync(target)).toBe(false);
  });

  it('a link in place of tmp/ or runs/ refuses to open the store, so no sweep deletes outside files', async () => {
    for (const sub of ['tmp', 'runs']) {
      const dir = await seeded(1);
      const victim = victimFolder();
      writeFileSync(join(victim.dir, 'delete-me-not'), 'keep');
      rmSync(join(dir, sub), { recursive: true });
      symlinkSync(victim.dir, join(dir, sub));
      const before = snapshot(victim.dir);
      let failure: unknown;
      try {
        open(dir);
      } catch (error) {
        failure = error;
      }
      expect(CairnError.is(failure, 'storage-unavailable'), String(failure)).toBe(true);
      expect((failure as Error).message).toContain(join(dir, sub));
      expect(snapshot(victim.dir)).toStrictEqual(before);
    }
  });
});
