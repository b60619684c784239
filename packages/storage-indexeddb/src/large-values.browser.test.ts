// The default limit is honest only if real Chromium stores it: a run whose every opaque field is at
// the limit, and one commit carrying two entries and a patch at the limit.
import { afterEach, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';

const name = databaseName('large');

afterEach(async () => {
  await deleteIndexedDBStore(name);
});

it('stores a run whose fields and entries are all at the default 32 MiB limit', async () => {
  const store = createIndexedDBStore({ name });
  const full = (fill: string) => `"${fill.repeat(DEFAULT_MAX_PAYLOAD_BYTES - 2)}"`;
  try {
    await store.createRun(runFixture('run-1', { input: full('i'), error: full('e') }));
    const run = await store.append(
      'run-1',
      0,
      [entryFixture('a#0', { payload: full('a') }), entryFixture('b#0', { payload: full('b') })],
      {
        output: full('o'),
        updatedAt: 1,
      },
    );
    expect(run.lastSeq).toBe(2);
    const [stored] = [await store.getRun('run-1')];
    expect([stored?.input, stored?.output, stored?.error].map((text) => text?.length)).toEqual(
      Array(3).fill(DEFAULT_MAX_PAYLOAD_BYTES),
    );
    expect(stored?.output?.[1]).toBe('o');
    const entries = await store.readEntries('run-1');
    expect(entries.map((entry) => [entry.key, entry.payload.length, entry.payload[1]])).toEqual([
      ['a#0', DEFAULT_MAX_PAYLOAD_BYTES, 'a'],
      ['b#0', DEFAULT_MAX_PAYLOAD_BYTES, 'b'],
    ]);
  } finally {
    await store.close();
  }
}, 120_000);
