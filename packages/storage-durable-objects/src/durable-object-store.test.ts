/**
 * What the conformance suite cannot see from outside: how the store lays payloads out in SQLite
 * rows (ADR 0050), that no row can exceed the platform's 2 MB limit, that a failure in the middle
 * of a transaction leaves nothing behind, and what it refuses before writing.
 */
import type { NewRun, RunRecord } from '@cairn/core';
import { CairnError } from '@cairn/core';
import { entryFixture, newRunFixture } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { inFreshObject, largestStoredBytes } from '../test/object-storage.ts';
import { createDurableObjectStore } from './durable-object-store.ts';
import { CHUNK_UNITS, ENTRY_INLINE_UNITS, MAX_NAME_UNITS, PLATFORM_ROW_BYTES, RUN_INLINE_UNITS } from './limits.ts';

const EURO = '\u20ac'; // one code unit, three UTF-8 bytes: the worst case per code unit
const ROCK = '\u{1FAA8}'; // a surrogate pair

async function rejection(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!CairnError.is(error)) throw new Error(`expected a Cairn error, got ${String(error)}`);
  return error;
}

function count(storage: DurableObjectStorage, from: string, ...bindings: string[]): number {
  return storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${from}`, ...bindings).one().n;
}

describe('durable-objects store: row layout', () => {
  it('keeps a payload in its entry row up to the inline limit and in chunks past it, exactly', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      await store.createRun(newRunFixture('run-1'));
      const payloads = [
        'a'.repeat(ENTRY_INLINE_UNITS),
        'b'.repeat(ENTRY_INLINE_UNITS + 1),
        // A surrogate pair straddling the chunk boundary must not be cut in two.
        `${'c'.repeat(CHUNK_UNITS - 1)}${ROCK}${'d'.repeat(CHUNK_UNITS)}`,
      ];
      await store.append(
        'run-1',
        0,
        payloads.map((payload, index) => entryFixture(`big#${index}`, { payload })),
      );
      const read = await store.readEntries('run-1');
      expect(read.map((entry) => entry.payload === payloads[entry.seq - 1])).toStrictEqual([true, true, true]);
      const parts = storage.sql
        .exec<{ seq: number; payload_parts: number }>('SELECT seq, payload_parts FROM cairn_entries ORDER BY seq')
        .toArray()
        .map((row) => row.payload_parts);
      expect(parts).toStrictEqual([0, 2, 3]);
    });
  });

  it('keeps run fields in the run row up to their inline limit and in chunks past it', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      const input = 'i'.repeat(RUN_INLINE_UNITS);
      const output = `${ROCK}${'o'.repeat(RUN_INLINE_UNITS)}`;
      await store.createRun(newRunFixture('run-1', { input, output, status: 'completed' }));
      const row = storage.sql
        .exec<{ input_parts: number; output_parts: number }>('SELECT input_parts, output_parts FROM cairn_runs')
        .one();
      expect(row).toStrictEqual({ input_parts: 0, output_parts: 1 });
      const run = await store.getRun('run-1');
      expect(run?.input === input && run.output === output).toBe(true);
    });
  });

  it('keeps the run row small whatever the size of input and output, so an append rewrites O(1) bytes', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      await store.createRun(newRunFixture('run-1', { input: EURO.repeat(50_000) }));
      await store.append('run-1', 0, [entryFixture('a#0')], { output: EURO.repeat(40_000), updatedAt: 2 });
      await store.append('run-1', 1, [entryFixture('b#0')], { step: { index: 2, name: 'b' }, updatedAt: 3 });
      const runRowBytes = storage.sql
        .exec<{ bytes: number }>(
          `SELECT coalesce(length(CAST(header AS BLOB)), 0) + coalesce(length(CAST(input AS BLOB)), 0)
             + coalesce(length(CAST(output AS BLOB)), 0) + coalesce(length(CAST(error AS BLOB)), 0) AS bytes FROM cairn_runs`,
        )
        .one().bytes;
      expect(runRowBytes).toBeLessThan(4 * 1024);
      const run = await store.getRun('run-1');
      expect(run?.input.length === 50_000 && run.output?.length === 40_000 && run.step.name === 'b').toBe(true);
    });
  });

  it('never stores a value or a row over the platform limit of 2 MB, even with 3-byte characters at every limit', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage, { maxPayloadBytes: 6_000_000 });
      const atInlineLimit = EURO.repeat(RUN_INLINE_UNITS);
      await store.createRun(
        newRunFixture('run-1', {
          workflow: EURO.repeat(MAX_NAME_UNITS),
          input: atInlineLimit,
          output: atInlineLimit,
          error: atInlineLimit,
          // The header holds the step name: make it as long as inline allows, too.
          step: { index: 1, name: EURO.repeat(RUN_INLINE_UNITS - 200) },
        }),
      );
      await store.append('run-1', 0, [
        entryFixture(EURO.repeat(MAX_NAME_UNITS), { payload: EURO.repeat(ENTRY_INLINE_UNITS) }),
        entryFixture('huge#0', { payload: EURO.repeat(2_000_000) }),
      ]);
      const largest = largestStoredBytes(storage);
      // The test is only meaningful if it came close to the limit.
      expect(largest.row).toBeGreaterThan(1_500_000);
      expect(largest.value).toBeLessThanOrEqual(PLATFORM_ROW_BYTES);
      expect(largest.row).toBeLessThanOrEqual(PLATFORM_ROW_BYTES);
      const [, huge] = await store.readEntries('run-1');
      expect(huge?.payload === EURO.repeat(2_000_000)).toBe(true);
    });
  });

  it('rewriting a chunked field leaves no stale chunk, and deleting a run removes its entries and chunks', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      await store.createRun(newRunFixture('run-1', { input: 'x'.repeat(RUN_INLINE_UNITS * 3) }));
      await store.createRun(newRunFixture('run-2'));
      await store.append('run-1', 0, [entryFixture('big#0', { payload: 'p'.repeat(ENTRY_INLINE_UNITS * 2) })], {
        output: 'o'.repeat(CHUNK_UNITS * 2),
        updatedAt: 2,
      });
      expect(count(storage, 'cairn_chunks WHERE slot = -3')).toBe(2);
      await store.updateRun('run-1', 0, { output: '{"v":"small"}', updatedAt: 3 });
      expect(count(storage, 'cairn_chunks WHERE slot = -3')).toBe(0);
      expect((await store.getRun('run-1'))?.output).toBe('{"v":"small"}');
      expect(await store.deleteRuns({ runIds: ['run-1'] })).toBe(1);
      expect(count(storage, 'cairn_chunks')).toBe(0);
      expect(count(storage, 'cairn_entries')).toBe(0);
      expect((await store.stats()).total).toBe(1);
    });
  });

  it('reports a missing chunk as corrupt-journal naming the run, for entries and run fields', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      await store.createRun(newRunFixture('run-1', { input: 'i'.repeat(CHUNK_UNITS + 5) }));
      await store.append('run-1', 0, [entryFixture('big#0', { payload: 'p'.repeat(CHUNK_UNITS + 5) })]);
      storage.sql.exec('DELETE FROM cairn_chunks WHERE part = 1');
      for (const call of [store.readEntries('run-1'), store.getRun('run-1')]) {
        const error = await rejection(call);
        expect(error.code).toBe('corrupt-journal');
        expect(error.message).toContain('run "run-1"');
      }
    });
  });
});

describe('durable-objects store: atomicity and validation', () => {
  it('a failure in the middle of an append rolls back every row it wrote', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      const created = await store.createRun(newRunFixture('run-1'));
      // A stray row at seq 3 makes the third insert fail after two entries and a chunk were written.
      storage.sql.exec(
        "INSERT INTO cairn_entries (run_id, seq, kind, key, created_at, payload) VALUES ('run-1', 3, 'step-end', 'stray', 1, '{}')",
      );
      const entries = [
        entryFixture('a#0'),
        entryFixture('b#0', { payload: 'p'.repeat(ENTRY_INLINE_UNITS + 1) }),
        entryFixture('c#0'),
      ];
      const error = await rejection(store.append('run-1', 0, entries, { status: 'completed', updatedAt: 9 }));
      expect(error.code).toBe('storage-unavailable');
      expect(error.retryable).toBe(false);
      expect(String((error.cause as Error).message)).toContain('UNIQUE');
      expect(count(storage, 'cairn_entries')).toBe(1);
      expect(count(storage, 'cairn_chunks')).toBe(0);
      expect(await store.getRun('run-1')).toStrictEqual(created);
    });
  });

  it('refuses workflow names and entry keys over 1024 characters before writing anything', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      const long = 'k'.repeat(MAX_NAME_UNITS + 1);
      expect((await rejection(store.createRun(newRunFixture('run-1', { workflow: long })))).code).toBe('invalid-argument');
      expect(await store.getRun('run-1')).toBeNull();
      await store.createRun(newRunFixture('run-1', { workflow: 'k'.repeat(MAX_NAME_UNITS) }));
      const error = await rejection(store.append('run-1', 0, [entryFixture('ok#0'), entryFixture(long)]));
      expect(error.code).toBe('invalid-argument');
      expect(error.message).toContain('run "run-1"');
      expect(await store.readEntries('run-1')).toStrictEqual([]);
    });
  });

  it('keeps header fields it has no column for, including ones a later core may add', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      const run = { ...newRunFixture('run-1'), labels: { team: 'search', tier: 2 } } as NewRun;
      await store.createRun(run);
      const patched = await store.updateRun('run-1', 0, { updatedAt: 5, ...({ priority: 'high' } as object) });
      const read = (await store.getRun('run-1')) as RunRecord & { labels?: unknown; priority?: unknown };
      expect(read).toStrictEqual(patched);
      expect([read.labels, read.priority]).toStrictEqual([{ team: 'search', tier: 2 }, 'high']);
    });
  });

  it('deleteRuns accepts more run ids than one statement can bind', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      for (const runId of ['run-1', 'run-2', 'run-3']) await store.createRun(newRunFixture(runId));
      const runIds = Array.from({ length: 12_000 }, (_, index) => `missing-${index}`);
      runIds.splice(7000, 0, 'run-2');
      runIds.push('run-3');
      expect(await store.deleteRuns({ runIds })).toBe(2);
      expect((await store.listRuns()).runs.map((run) => run.runId)).toStrictEqual(['run-1']);
    });
  });

  it('an invalid tablePrefix or maxPayloadBytes is refused at creation', async () => {
    await inFreshObject((storage) => {
      for (const tablePrefix of ['', '1cairn', 'a-b', '_cf_', 'x'.repeat(40), 'a; DROP TABLE x']) {
        expect(() => createDurableObjectStore(storage, { tablePrefix }), tablePrefix).toThrow(/tablePrefix must match/);
      }
      for (const maxPayloadBytes of [0, -1, 1.5, Number.NaN]) {
        expect(() => createDurableObjectStore(storage, { maxPayloadBytes })).toThrow(
          /maxPayloadBytes must be a positive integer/,
        );
      }
    });
  });
});

describe('durable-objects store: the rows a handle keeps (ADR 0185)', () => {
  it('an append on a kept run writes the row and the entry only, reading no chunk of a large input', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      const input = `${ROCK}${'i'.repeat(CHUNK_UNITS + 5)}`;
      await store.createRun(newRunFixture('run-1', { input }));
      // Were the input read back, the missing chunk would fail the append as corrupt-journal.
      storage.sql.exec('DELETE FROM cairn_chunks WHERE part = 1');
      const appended = await store.append('run-1', 0, [entryFixture('s#0')], { updatedAt: 7, step: { index: 1, name: 's' } });
      expect(appended).toMatchObject({ lastSeq: 1, updatedAt: 7, step: { index: 1, name: 's' } });
      expect(appended.input).toBe(input);
      expect((await rejection(store.getRun('run-1'))).code).toBe('corrupt-journal');
    });
  });

  it('a run written by another handle since (input, output, header, a delete and a new run under the id) is read again, never served stale', async () => {
    await inFreshObject(async (storage) => {
      const mine = createDurableObjectStore(storage);
      const theirs = createDurableObjectStore(storage);
      await mine.createRun(newRunFixture('run-1', { input: 'first input' }));
      await mine.append('run-1', 0, [entryFixture('a#0')], { updatedAt: 2 });
      // Another handle changes the output and a header field without moving lastSeq.
      await theirs.updateRun('run-1', 0, { updatedAt: 3, output: 'their output', cancelRequested: true });
      const next = await mine.append('run-1', 1, [entryFixture('b#0')], { updatedAt: 4 });
      expect(next).toMatchObject({ version: 1, lastSeq: 2, output: 'their output', cancelRequested: true, input: 'first input' });
      // Deleted and created again under the same id, with version 0 and lastSeq 0 like the first.
      const fresh = await mine.createRun(newRunFixture('run-2', { input: 'old' }));
      expect(await theirs.deleteRuns({ runIds: ['run-2'] })).toBe(1);
      await theirs.createRun(newRunFixture('run-2', { input: 'new' }));
      const appended = await mine.append('run-2', 0, [entryFixture('c#0')], { updatedAt: fresh.updatedAt + 1 });
      expect(appended.input).toBe('new');
      // Deleted for good: the kept row must not resurrect it.
      await theirs.deleteRuns({ runIds: ['run-2'] });
      expect((await rejection(mine.append('run-2', 1, [entryFixture('d#0')]))).code).toBe('run-not-found');
      expect(count(storage, "cairn_runs WHERE run_id = 'run-2'")).toBe(0);
      expect(count(storage, "cairn_entries WHERE run_id = 'run-2'")).toBe(0);
    });
  });

  it('a lost compare-and-set on a kept run writes nothing and names both lastSeqs', async () => {
    await inFreshObject(async (storage) => {
      const mine = createDurableObjectStore(storage);
      const theirs = createDurableObjectStore(storage);
      await mine.createRun(newRunFixture('run-1'));
      await theirs.append('run-1', 0, [entryFixture('theirs#0')]);
      const error = await rejection(mine.append('run-1', 0, [entryFixture('mine#0')], { updatedAt: 9 }));
      expect(error.code).toBe('storage-conflict');
      expect(error.message).toContain('lastSeq is 1, expected 0');
      expect((await mine.readEntries('run-1')).map((entry) => entry.key)).toStrictEqual(['theirs#0']);
    });
  });

  it('records handed out share nothing with the kept row or the caller: mutating one changes no later answer', async () => {
    await inFreshObject(async (storage) => {
      const store = createDurableObjectStore(storage);
      await store.createRun(newRunFixture('run-1'));
      const patch = { updatedAt: 2, step: { index: 1, name: 's' }, metadata: { team: 'a' } };
      const first = await store.append('run-1', 0, [entryFixture('a#0')], patch);
      patch.step.index = 99;
      patch.metadata.team = 'mutated';
      first.step.name = 'mutated';
      (first.usage as { modelCalls: number }).modelCalls = 99;
      const second = await store.append('run-1', 1, [entryFixture('b#0')], { updatedAt: 3 });
      expect(second.step).toStrictEqual({ index: 1, name: 's' });
      expect(second.metadata).toStrictEqual({ team: 'a' });
      expect(second.usage.modelCalls).toBe(0);
      expect(await store.getRun('run-1')).toStrictEqual(second);
    });
  });
});
