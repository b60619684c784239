import { byteLength, CairnError, type DurableStore } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';

const stores: DurableStore[] = [];

afterEach(async () => {
  await Promise.all(
    stores.splice(0).map(async (store) => {
      await store.close();
    }),
  );
});

// 4 + 2 + 3 + 1 UTF-8 bytes in 5 UTF-16 units: `.length` undercounts the bytes by half.
const UNIT = '\u{1FAA8}\u00e9\u20aca';

function textOfBytes(bytes: number): string {
  const text = 'SECRET-' + UNIT.repeat(Math.floor((bytes - 7) / 10)) + 'a'.repeat((bytes - 7) % 10);
  expect(byteLength(text)).toBe(bytes);
  return text;
}

describe('maxPayloadBytes', () => {
  it('defaults to 32 MiB and reports the configured value honestly', () => {
    expect(DEFAULT_MAX_PAYLOAD_BYTES).toBe(32 * 1024 * 1024);
    expect(createIndexedDBStore({ name: 'unused' }).limits.maxPayloadBytes).toBe(DEFAULT_MAX_PAYLOAD_BYTES);
    expect(createIndexedDBStore({ name: 'unused', maxPayloadBytes: 1000 }).limits.maxPayloadBytes).toBe(1000);
  });

  it('accepts exactly the limit and rejects one byte more, in UTF-8 bytes, for every opaque field', async () => {
    const name = databaseName('limit');
    const store = createIndexedDBStore({ name, maxPayloadBytes: 1000 });
    stores.push(store);
    try {
      const fits = textOfBytes(1000);
      const over = textOfBytes(1001);
      expect(over.length).toBeLessThan(1000);
      await store.createRun(runFixture('run-1', { input: fits }));
      await store.append('run-1', 0, [entryFixture('a#0', { payload: fits })], { output: fits, updatedAt: 2 });
      await store.updateRun('run-1', 0, { error: fits, updatedAt: 3 });
      const attempts = [
        store.createRun(runFixture('run-2', { input: over })),
        store.createRun(runFixture('run-3', { output: over })),
        store.append('run-1', 1, [entryFixture('b#0'), entryFixture('b#1', { payload: over })]),
        store.append('run-1', 1, [entryFixture('b#0')], { output: over, updatedAt: 4 }),
        store.updateRun('run-1', 1, { error: over, updatedAt: 4 }),
        store.updateRun('run-1', 1, { input: over, updatedAt: 4 }),
      ];
      for (const attempt of attempts) {
        const error = await attempt.catch((failure: unknown) => failure);
        expect(CairnError.is(error, 'payload-too-large')).toBe(true);
        const message = (error as Error).message;
        expect(message).toMatch(/^\[@cairn\/storage-indexeddb\] run "run-\d"/);
        expect(message).toContain('limit of 1000');
        expect(message).not.toContain('SECRET');
      }
      const run = await store.getRun('run-1');
      expect({ version: run?.version, lastSeq: run?.lastSeq }).toEqual({ version: 1, lastSeq: 1 });
      expect(await store.getRun('run-2')).toBeNull();
      expect((await store.readEntries('run-1')).map((entry) => entry.payload)).toEqual([fits]);
    } finally {
      await store.close();
      await deleteIndexedDBStore(name);
    }
  });
});
