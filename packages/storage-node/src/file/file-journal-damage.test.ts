// Torn and corrupt journals, made by hand on real files: a torn tail is a crash during a write
// (ignored, then cut off), damage followed by valid records is corruption (that run only).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { fileStoreHandles, rejection } from '../../test/test-support/file-store-handles.ts';
import { cutFile, flipByte, frameRanges, journalPathOf } from '../../test/test-support/journal-bytes.ts';
import { checkFileStoreIntegrity } from './file-integrity.ts';

const { open, freshDir } = fileStoreHandles('file-damage');

/** A store in a fresh directory with run `runId` holding `count` entries, one append each. */
async function seeded(runIds: string[], count: number): Promise<string> {
  const dir = freshDir();
  const store = open(dir);
  for (const runId of runIds) {
    await store.createRun(newRunFixture(runId));
    for (let index = 0; index < count; index++) await store.append(runId, index, [entryFixture(`${runId}-step#${index}`)]);
  }
  await store.close();
  return dir;
}

describe('file store: torn journal tails', () => {
  for (const [what, into] of [
    ['inside the frame header', 7],
    ['inside the body', 40],
  ] as const) {
    it(`a last record cut ${what} is ignored, and the next append replaces it`, async () => {
      const dir = await seeded(['run-1'], 5);
      const path = journalPathOf(dir, 'run-1');
      const frames = frameRanges(path);
      expect(frames).toHaveLength(6); // create + 5 appends
      const last = frames[5]!;
      cutFile(path, last.offset + into);

      const store = open(dir);
      expect((await store.getRun('run-1'))?.lastSeq).toBe(4);
      expect((await store.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(
        [0, 1, 2, 3].map((i) => `run-1-step#${i}`),
      );
      expect((await checkFileStoreIntegrity(dir)).notes.join()).toContain('torn write');

      expect((await store.append('run-1', 4, [entryFixture('after-crash#0')])).lastSeq).toBe(5);
      expect((await store.readEntries('run-1', { afterSeq: 3 })).map((entry) => entry.key)).toStrictEqual([
        'run-1-step#3',
        'after-crash#0',
      ]);
      // The torn bytes are gone: the new record sits where the torn one began, zeros follow.
      const after = frameRanges(path);
      expect(after).toHaveLength(6);
      expect(after[5]?.offset).toBe(last.offset);
      const report = await checkFileStoreIntegrity(dir);
      expect(report).toMatchObject({ ok: true, runs: 1, entries: 5, notes: [] });
      // Another handle agrees.
      expect((await open(dir).getRun('run-1'))?.lastSeq).toBe(5);
    });
  }

  it('a last record whose bytes are garbage (crash before the data reached the disk) is ignored', async () => {
    const dir = await seeded(['run-1'], 3);
    const path = journalPathOf(dir, 'run-1');
    const last = frameRanges(path)[3]!;
    const bytes = readFileSync(path);
    bytes.fill(0x5a, last.offset + 12, last.end);
    writeFileSync(path, bytes);
    const store = open(dir);
    expect((await store.getRun('run-1'))?.lastSeq).toBe(2);
    expect((await store.append('run-1', 2, [entryFixture('again#0')])).lastSeq).toBe(3);
    expect(await checkFileStoreIntegrity(dir)).toMatchObject({ ok: true, notes: [] });
  });

  it('a torn header checkpoint slot and a stray temporary file are ignored', async () => {
    const dir = await seeded(['run-1'], 40); // a checkpoint is written after 32 records
    const runDir = join(dir, 'runs', 'run-1');
    const slots = readdirSync(runDir).filter((name) => name.startsWith('header-'));
    expect(slots.length).toBeGreaterThan(0);
    for (const slot of slots) cutFile(join(runDir, slot), 30);
    writeFileSync(join(runDir, 'header.tmp-4f2a'), 'CRJ1 half-written header');
    const store = open(dir);
    expect((await store.getRun('run-1'))?.lastSeq).toBe(40);
    expect((await store.listRuns()).runs.map((run) => run.lastSeq)).toStrictEqual([40]);
    expect((await store.append('run-1', 40, [entryFixture('more#0')])).lastSeq).toBe(41);
    expect((await checkFileStoreIntegrity(dir)).ok).toBe(true);
  });
});

describe('file store: corrupt journals', () => {
  it('one flipped byte in the middle fails that run with corrupt-journal naming it and the offset; other runs work', async () => {
    const dir = await seeded(['run-bad', 'run-good'], 5);
    const path = journalPathOf(dir, 'run-bad');
    const damaged = frameRanges(path)[2]!;
    flipByte(path, damaged.offset + 20);

    const store = open(dir);
    for (const call of [
      () => store.getRun('run-bad'),
      () => store.readEntries('run-bad'),
      () => store.append('run-bad', 5, [entryFixture('x#0')]),
      () => store.updateRun('run-bad', 0, { updatedAt: 1 }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toMatch(/^\[@cairn\/storage-node\] run "run-bad": /);
      expect(error.message).toContain(`byte offset ${damaged.offset}`);
    }
    // The other run of the same directory reads and appends as before.
    expect((await store.readEntries('run-good')).map((entry) => entry.seq)).toStrictEqual([1, 2, 3, 4, 5]);
    expect((await store.append('run-good', 5, [entryFixture('more#0')])).lastSeq).toBe(6);
    // Listings and counts leave the unreadable run out; the integrity check names it.
    expect((await store.listRuns()).runs.map((run) => run.runId)).toStrictEqual(['run-good']);
    expect((await store.stats()).total).toBe(1);
    const report = await checkFileStoreIntegrity(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain('run "run-bad"');
    // The way out: delete it by id.
    expect(await store.deleteRuns({ runIds: ['run-bad'] })).toBe(1);
    expect(await store.getRun('run-bad')).toBeNull();
    expect((await checkFileStoreIntegrity(dir)).ok).toBe(true);
  });

  it("damage to a finished run's last record is corruption, not a torn write: its final checkpoint covers it", async () => {
    const dir = await seeded(['run-1'], 4);
    const store = open(dir);
    await store.append('run-1', 4, [entryFixture('end#0', { kind: 'run-end' })], {
      status: 'completed',
      output: '{"v":1}',
      updatedAt: 9,
    });
    await store.close();
    const path = journalPathOf(dir, 'run-1');
    const frames = frameRanges(path);
    expect(frames).toHaveLength(6);
    const last = frames[5]!;
    flipByte(path, last.offset + 30);
    const error = await rejection(() => open(dir).getRun('run-1'));
    expect(error.code).toBe('corrupt-journal');
    expect(error.message).toContain(`byte offset ${last.offset}`);
  });

  it('a damaged last record of an unfinished run is indistinguishable from a torn write: it is dropped', async () => {
    const dir = await seeded(['run-1'], 4);
    const path = journalPathOf(dir, 'run-1');
    flipByte(path, frameRanges(path)[4]!.offset + 30);
    expect((await open(dir).getRun('run-1'))?.lastSeq).toBe(3);
  });

  it('a journal cut below what its header checkpoint covers is corruption', async () => {
    const dir = await seeded(['run-1'], 35);
    const path = journalPathOf(dir, 'run-1');
    cutFile(path, frameRanges(path)[20]!.offset);
    const error = await rejection(() => open(dir).getRun('run-1'));
    expect(error.code).toBe('corrupt-journal');
  });

  // ADR 0195: a handle checksums each frame once; reading entries finds them again by shape.
  for (const [what, into] of [
    ['its magic', 1],
    ['its length', 5],
    ['its record meta', 17],
  ] as const) {
    it(`a record whose ${what} changed on disk after the handle verified it is refused when entries are read`, async () => {
      const dir = await seeded(['run-1'], 5);
      const path = journalPathOf(dir, 'run-1');
      const store = open(dir);
      expect((await store.getRun('run-1'))?.lastSeq).toBe(5);
      const damaged = frameRanges(path)[3]!;
      flipByte(path, damaged.offset + into);
      const error = await rejection(() => store.readEntries('run-1'));
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toMatch(/^\[@cairn\/storage-node\] run "run-1": /);
      expect(error.message).toContain(`byte offset ${damaged.offset}`);
      // A fresh handle verifies every checksum again and refuses the run as well.
      expect((await rejection(() => open(dir).readEntries('run-1'))).code).toBe('corrupt-journal');
    });
  }

  it('payload bytes changed on disk after a handle verified them are found by the next handle that opens the run', async () => {
    const dir = await seeded(['run-1'], 5);
    const path = journalPathOf(dir, 'run-1');
    expect((await open(dir).readEntries('run-1')).map((entry) => entry.seq)).toStrictEqual([1, 2, 3, 4, 5]);
    const damaged = frameRanges(path)[3]!;
    flipByte(path, damaged.end - 2);
    const error = await rejection(() => open(dir).readEntries('run-1'));
    expect(error.code).toBe('corrupt-journal');
    expect(error.message).toContain(`byte offset ${damaged.offset}`);
  });

  it('damage in a record appended after a handle cached the run is found when that handle reads on', async () => {
    const dir = freshDir();
    const writer = open(dir);
    const reader = open(dir);
    await writer.createRun(newRunFixture('run-1'));
    await writer.append('run-1', 0, [entryFixture('a#0')]);
    expect((await reader.getRun('run-1'))?.lastSeq).toBe(1);
    await writer.append('run-1', 1, [entryFixture('a#1')]);
    await writer.append('run-1', 2, [entryFixture('a#2')]);
    const path = journalPathOf(dir, 'run-1');
    flipByte(path, frameRanges(path)[2]!.offset + 25);
    expect((await rejection(() => reader.getRun('run-1'))).code).toBe('corrupt-journal');
  });
});
