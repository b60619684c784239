// ADR 0199: the first read after a load decodes entries from the metas the load kept, once the
// bytes read again equal the bytes the load checksummed. Every read must return what a reader that
// decodes every record from the file returns, and damage must be refused as before.
import type { JournalEntry, NewEntry } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { fileStoreHandles, rejection } from '../../test/test-support/file-store-handles.ts';
import { cutFile, flipByte, frameRanges, journalPathOf } from '../../test/test-support/journal-bytes.ts';
import { createJournalCache } from './journal-cache.ts';
import { openLayout } from './store-layout.ts';

const { open, freshDir } = fileStoreHandles('file-first-read');

// Keys, payloads and batches that a meta parser could trip on; updates between the appends.
const texts = ['plain', ',"p":', '\\",\\"p\\":{}]', '"}],"p":{"x":1}}', 'é ✓ 𝄞', '\\'];

function batch(round: number): NewEntry[] {
  return Array.from({ length: (round % 3) + 1 }, (_, index) => {
    const text = texts[(round + index) % texts.length]!;
    return entryFixture(`${text}#${round}.${index}`, { payload: JSON.stringify({ v: text, round }), createdAt: 1_000 + round });
  });
}

/** A run written through one handle: batches of 1-3 entries, some with a patch, updates between. */
async function written(dir: string, runId: string, rounds: number): Promise<JournalEntry[]> {
  const store = open(dir);
  await store.createRun(newRunFixture(runId));
  const all: JournalEntry[] = [];
  let version = 0;
  for (let round = 0; round < rounds; round++) {
    const entries = batch(round);
    const patch = round % 2 === 0 ? { updatedAt: round, metadata: { note: texts[round % texts.length]! } } : undefined;
    const run = await store.append(runId, all.length, entries, patch);
    for (const [index, entry] of entries.entries()) all.push({ ...entry, seq: run.lastSeq - entries.length + 1 + index });
    version = run.version;
    if (round % 4 === 3) version = (await store.updateRun(runId, version, { updatedAt: 100 + round })).version;
  }
  await store.close();
  return all;
}

const ranges: Array<{ afterSeq?: number; limit?: number }> = [
  {},
  { afterSeq: 0 },
  { afterSeq: 1 },
  { afterSeq: 5, limit: 4 },
  { afterSeq: 6, limit: 1 },
  { limit: 2 },
  { afterSeq: 20 },
  { afterSeq: 23, limit: 50 },
  { afterSeq: 1000 },
];

function expected(all: JournalEntry[], range: { afterSeq?: number; limit?: number }): JournalEntry[] {
  const after = all.filter((entry) => entry.seq > (range.afterSeq ?? 0));
  return range.limit === undefined ? after : after.slice(0, range.limit);
}

describe('file store: the first read after a load', () => {
  it('returns the entries written, for every range, and the reads after it return the same', async () => {
    const dir = freshDir();
    const all = await written(dir, 'run-1', 14);
    expect(all.at(-1)?.seq).toBeGreaterThan(24);
    for (const range of ranges) {
      const store = open(dir);
      expect((await store.getRun('run-1'))?.lastSeq).toBe(all.length);
      const first = await store.readEntries('run-1', range);
      expect(first).toStrictEqual(expected(all, range));
      expect(await store.readEntries('run-1', range)).toStrictEqual(first);
      expect(await store.readEntries('run-1')).toStrictEqual(all);
      // A handle whose first call is the read (it loads the journal itself) agrees.
      expect(await open(dir).readEntries('run-1', range)).toStrictEqual(first);
    }
  });

  it('sees records another handle appended between the load and the read', async () => {
    const dir = freshDir();
    const all = await written(dir, 'run-1', 5);
    const reader = open(dir);
    const writer = open(dir);
    expect((await reader.getRun('run-1'))?.lastSeq).toBe(all.length);
    const more = [entryFixture('later#0'), entryFixture('later#1')];
    const run = await writer.append('run-1', all.length, more, { updatedAt: 77 });
    await writer.updateRun('run-1', run.version, { updatedAt: 78 });
    await writer.append('run-1', all.length + 2, [entryFixture('later#2')]);
    const now = [
      ...all,
      ...[...more, entryFixture('later#2')].map((entry, index) => ({ ...entry, seq: all.length + 1 + index })),
    ];
    expect(await reader.readEntries('run-1', { afterSeq: 2 })).toStrictEqual(now.slice(2));
    expect(await reader.readEntries('run-1')).toStrictEqual(now);
  });

  it('sees its own appends made between the load and the read (the lease write of a resume)', async () => {
    const dir = freshDir();
    const all = await written(dir, 'run-1', 5);
    const store = open(dir);
    const run = await store.getRun('run-1');
    const lease = await store.updateRun('run-1', run!.version, { updatedAt: 5 });
    await store.append('run-1', lease.lastSeq, [entryFixture('next#0')]);
    expect(await store.readEntries('run-1')).toStrictEqual([...all, { ...entryFixture('next#0'), seq: all.length + 1 }]);
  });

  it('a torn last record is ignored by the load and the read, and the append that replaces it is read', async () => {
    const dir = freshDir();
    const all = await written(dir, 'run-1', 6);
    const path = journalPathOf(dir, 'run-1');
    const last = frameRanges(path).at(-1)!;
    cutFile(path, last.offset + 20);
    const reader = open(dir);
    // The last record is round 5's append.
    const kept = all.slice(0, all.length - batch(5).length);
    expect((await reader.getRun('run-1'))?.lastSeq).toBe(kept.length);
    // Another handle cuts the torn bytes off and appends where they began.
    await open(dir).append('run-1', kept.length, [entryFixture('again#0')]);
    expect(await reader.readEntries('run-1')).toStrictEqual([...kept, { ...entryFixture('again#0'), seq: kept.length + 1 }]);
  });

  it('a middle record with a bad checksum fails the load and every read, naming its offset', async () => {
    const dir = freshDir();
    await written(dir, 'run-1', 6);
    const path = journalPathOf(dir, 'run-1');
    const damaged = frameRanges(path)[3]!;
    flipByte(path, damaged.end - 3);
    const store = open(dir);
    for (const call of [
      () => store.getRun('run-1'),
      () => store.readEntries('run-1'),
      () => store.readEntries('run-1', { afterSeq: 4 }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toContain(`byte offset ${damaged.offset}`);
    }
  });

  for (const [what, into] of [
    ['payload', -2],
    ['meta', 20],
    ['checksum', 9],
  ] as const) {
    it(`a record whose ${what} changed on disk after the load is refused by the first read`, async () => {
      const dir = freshDir();
      await written(dir, 'run-1', 6);
      const path = journalPathOf(dir, 'run-1');
      const store = open(dir);
      await store.getRun('run-1');
      const damaged = frameRanges(path)[4]!;
      flipByte(path, into < 0 ? damaged.end + into : damaged.offset + into);
      const error = await rejection(() => store.readEntries('run-1', { afterSeq: 1 }));
      expect(error.code).toBe('corrupt-journal');
      expect(error.message).toMatch(/^\[@cairn\/storage-node\] run "run-1": /);
      expect(error.message).toContain(`byte offset ${damaged.offset}`);
      expect((await rejection(() => open(dir).getRun('run-1'))).code).toBe('corrupt-journal');
    });
  }

  it('a journal cut inside its last record after the load is loaded again: that record is a torn tail', async () => {
    const dir = freshDir();
    const all = await written(dir, 'run-1', 6);
    const path = journalPathOf(dir, 'run-1');
    const store = open(dir);
    expect((await store.getRun('run-1'))?.lastSeq).toBe(all.length);
    cutFile(path, frameRanges(path).at(-1)!.end - 1);
    expect(await store.readEntries('run-1')).toStrictEqual(all.slice(0, all.length - batch(5).length));
  });
});

describe('file store: what a load keeps for the first read', () => {
  it('is kept for the latest load of a handle only, and dropped by the first read', async () => {
    const dir = freshDir();
    await written(dir, 'run-1', 3);
    await written(dir, 'run-2', 3);
    const cache = createJournalCache(openLayout(dir, false));
    try {
      expect(cache.current('run-1')?.loaded).not.toBeNull();
      expect(cache.current('run-2')?.loaded).not.toBeNull();
      expect(cache.peek('run-1')?.loaded).toBeNull();
      expect(cache.peek('run-2')?.loaded?.metas.records).toBe(3);
    } finally {
      cache.closeAll();
    }
    const store = open(dir);
    await store.getRun('run-2');
    await store.readEntries('run-2', { limit: 1 });
    const damaged = frameRanges(journalPathOf(dir, 'run-2'))[2]!;
    flipByte(journalPathOf(dir, 'run-2'), damaged.offset + 1);
    // Read by shape now (ADR 0195): a changed magic is still refused.
    expect((await rejection(() => store.readEntries('run-2'))).code).toBe('corrupt-journal');
  });

  it('is not kept for a journal too long to read at once, which reads as before', async () => {
    const dir = freshDir();
    const store = open(dir);
    await store.createRun(newRunFixture('run-big'));
    const payload = JSON.stringify({ v: 'x'.repeat(1024 * 1024) });
    for (let seq = 0; seq < 5; seq++) await store.append('run-big', seq, [entryFixture(`big#${seq}`, { payload })]);
    const cache = createJournalCache(openLayout(dir, false));
    try {
      const journal = cache.current('run-big');
      expect(journal?.loaded).toBeNull();
      expect(journal?.record.lastSeq).toBe(5);
    } finally {
      cache.closeAll();
    }
    const entries = await open(dir).readEntries('run-big', { afterSeq: 3 });
    expect(entries.map((entry) => [entry.seq, entry.payload === payload])).toStrictEqual([
      [4, true],
      [5, true],
    ]);
  });
});
