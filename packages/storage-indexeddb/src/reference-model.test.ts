/**
 * Differential test: the same seeded random operations go to the IndexedDB store (through two
 * connections) and to core's memory store, the reference adapter. Every result, every error code
 * and every page of every listing must agree. This is what checks the index-based listing, paging
 * and deletion against the plain in-memory filter-and-sort.
 */
import { CairnError, createMemoryStore, type DurableStore, type ListRunsQuery, RUN_STATUSES, type RunStatus } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseName, entryFixture, runFixture, T0 } from '../test/fixtures.ts';
import { deleteIndexedDBStore } from './delete-store.ts';
import { createIndexedDBStore } from './indexeddb-store.ts';

// mulberry32: a tiny seeded PRNG so a failure replays exactly.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: CairnError.is(error) ? error.code : String(error) };
  }
}

async function allPages(store: DurableStore, query: ListRunsQuery): Promise<unknown[]> {
  const pages: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await store.listRuns(cursor === undefined ? query : { ...query, cursor });
    pages.push(result);
    cursor = result.cursor;
    if (cursor === undefined) break;
  }
  return pages;
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
});

describe('the IndexedDB store against the memory store', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees on 250 random operations (seed ${seed})`, async () => {
      const name = databaseName(`model-${seed}`);
      const first = createIndexedDBStore({ name });
      const second = createIndexedDBStore({ name });
      cleanup = async () => {
        await Promise.all([first.close(), second.close()]);
        await deleteIndexedDBStore(name);
      };
      const reference = createMemoryStore();
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
      const ids = Array.from({ length: 10 }, (_, index) => `run_${index}`);
      const statuses = (): RunStatus[] => RUN_STATUSES.filter(() => next() < 0.4);
      const query = (): ListRunsQuery => ({
        ...(next() < 0.4 ? { status: statuses() } : {}),
        ...(next() < 0.3 ? { workflow: pick(['a', 'b', 'c']) } : {}),
        ...(next() < 0.3 ? { updatedBefore: T0 + Math.floor(next() * 40) } : {}),
        limit: 1 + Math.floor(next() * 4),
      });

      for (let step = 0; step < 250; step++) {
        const store = next() < 0.5 ? first : second;
        const runId = pick(ids);
        const current = await reference.getRun(runId);
        const operation = pick(['create', 'create', 'update', 'append', 'append', 'read', 'list', 'delete', 'stats']);
        const time = T0 + Math.floor(next() * 40);
        let call: (target: DurableStore) => Promise<unknown>;
        switch (operation) {
          case 'create': {
            const run = runFixture(runId, {
              workflow: pick(['a', 'b', 'c']),
              status: pick(RUN_STATUSES),
              createdAt: T0 + Math.floor(next() * 5),
              updatedAt: time,
            });
            call = (target) => target.createRun(run);
            break;
          }
          case 'update': {
            const version = (current?.version ?? 0) + (next() < 0.2 ? 1 : 0);
            const patch = { status: pick(RUN_STATUSES), updatedAt: time, step: { index: step, name: `s${step}` } };
            call = (target) => target.updateRun(runId, version, patch);
            break;
          }
          case 'append': {
            const lastSeq = Math.max(0, (current?.lastSeq ?? 0) - (next() < 0.2 ? 1 : 0));
            const entries = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, index) =>
              entryFixture(`k${step}#${index}`, { createdAt: time }),
            );
            const patch = next() < 0.5 ? { status: pick(RUN_STATUSES), updatedAt: time } : undefined;
            call = (target) => target.append(runId, lastSeq, entries, patch);
            break;
          }
          case 'read': {
            const options = { afterSeq: Math.floor(next() * 4), ...(next() < 0.5 ? { limit: 1 + Math.floor(next() * 3) } : {}) };
            call = (target) => target.readEntries(runId, options);
            break;
          }
          case 'list': {
            const listQuery = query();
            call = (target) => allPages(target, listQuery);
            break;
          }
          case 'delete': {
            const deleteQuery = {
              ...(next() < 0.5 ? { runIds: [runId, pick(ids)] } : {}),
              ...(next() < 0.5 ? { status: statuses() } : {}),
              updatedBefore: time,
            };
            call = (target) => target.deleteRuns(deleteQuery);
            break;
          }
          default:
            call = (target) => target.stats();
        }
        const expected = await outcome(() => call(reference));
        const actual = await outcome(() => call(store));
        expect(actual, `step ${step}: ${operation} ${runId}`).toStrictEqual(expected);
      }
    });
  }
});
