/**
 * Chromium wiping the origin's IndexedDB, made to happen on purpose. LevelDB writes a log record
 * as a 7-byte header then its payload; a crash between the two leaves a header alone. The next
 * start recovers, but appends to that log (`reuse_logs`); the start after fails the checksum and
 * Chromium deletes the origin's whole IndexedDB, saying so only to the first `open()` of the
 * session. Here the torn header is made by truncating the log between two browser sessions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromiumProcess, openTab, type ServedPage, servePage } from '@cairn/test-rigs/chromium';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM_WIPE_LINE, originFolder, tearLastRecord } from '../leveldb-log.ts';
import type { Settled } from '../pages/e2e-page.ts';

let site: ServedPage;
let profile: string;

beforeAll(async () => {
  site = await servePage(new URL('../pages/e2e-page.ts', import.meta.url), { bundle: true });
});

afterAll(async () => {
  await site?.close();
});

/** Session 1: create `runs` in each database, close the browser cleanly. Then tear the log. */
async function writeThenTear(databases: string[]): Promise<void> {
  const chromium = await launchChromiumProcess(profile);
  try {
    const page = await openTab(chromium.context, site.url, 'cairn');
    await page.evaluate(async (names) => {
      for (const name of names) {
        const store = window.cairn.createIndexedDBStore({ name });
        await store.createRun(window.fixtures.runFixture('run-1'));
        await store.append('run-1', 0, [window.fixtures.entryFixture('step#1')]);
        await store.close();
      }
    }, databases);
  } finally {
    await chromium.close();
  }
  await tearLastRecord(originFolder(profile, site.origin));
}

/** Session 2: Chromium recovers from the torn header; the runs are still there and no loss is reported. */
async function recover(databases: string[]): Promise<void> {
  const chromium = await launchChromiumProcess(profile);
  try {
    const page = await openTab(chromium.context, site.url, 'cairn');
    const found = await page.evaluate(async (names) => {
      const outcomes: Settled[] = [];
      for (const name of names) {
        const store = window.cairn.createIndexedDBStore({ name });
        outcomes.push(await window.settle(store.getRun('run-1')));
        await store.close();
      }
      return outcomes;
    }, databases);
    expect(found, 'session 2 recovered the runs').toEqual(databases.map(() => ({ value: 'run-1' })));
    expect(chromium.stderr()).not.toContain(CHROMIUM_WIPE_LINE);
  } finally {
    await chromium.close();
  }
}

describe('the IndexedDB store when Chromium wipes the origin after a torn log record', () => {
  beforeEach(async () => {
    profile = await mkdtemp(join(tmpdir(), 'cairn-chromium-wipe-'));
  });
  afterEach(async () => {
    await rm(profile, { recursive: true, force: true });
  });

  it("reports the loss with the browser's message, never answers null for the lost run, and creates nothing until acknowledged", async () => {
    await writeThenTear(['runs']);
    await recover(['runs']);
    const chromium = await launchChromiumProcess(profile);
    try {
      const page = await openTab(chromium.context, site.url, 'cairn');
      const seen = await page.evaluate(async () => {
        const losses: unknown[] = [];
        const store = window.cairn.createIndexedDBStore({ name: 'runs', onDataLoss: (loss) => losses.push(loss) });
        const read = await window.settle(store.getRun('run-1'));
        const created = await window.settle(store.createRun(window.fixtures.runFixture('run-1')));
        await store.close();
        return { read, created, losses };
      });
      expect(chromium.stderr()).toContain(CHROMIUM_WIPE_LINE);
      expect(seen.read).toMatchObject({
        code: 'storage-unavailable',
        retryable: false,
        dataLoss: { database: 'runs', detectedBy: 'browser', browserMessage: expect.stringContaining('corrupt') },
      });
      const message = 'message' in seen.read ? seen.read.message : '';
      expect(message).toMatch(/^\[@cairn\/storage-indexeddb\] data loss: database "runs"/);
      expect(message).toContain('IndexedDB (database was corrupt)');
      expect(seen.created).toMatchObject({ code: 'storage-unavailable', dataLoss: { database: 'runs' } });
      expect(seen.losses).toEqual([expect.objectContaining({ database: 'runs', detectedBy: 'browser' })]);

      // The app has told its user; the database is used again, empty.
      const after = await page.evaluate(async () => {
        await window.cairn.acknowledgeIndexedDBDataLoss('runs');
        const store = window.cairn.createIndexedDBStore({ name: 'runs' });
        const read = await window.settle(store.getRun('run-1'));
        const created = await window.settle(store.createRun(window.fixtures.runFixture('run-1')));
        await store.close();
        return { read, created };
      });
      expect(after).toEqual({ read: { value: null }, created: { value: 'run-1' } });
    } finally {
      await chromium.close();
    }
  });

  it('reports the loss through the witness in a second tab, after the first tab took the browser’s one-shot report', async () => {
    await writeThenTear(['first', 'second']);
    await recover(['first', 'second']);
    const chromium = await launchChromiumProcess(profile);
    try {
      const firstTab = await openTab(chromium.context, site.url, 'cairn');
      const first = await firstTab.evaluate(async () => {
        const store = window.cairn.createIndexedDBStore({ name: 'first' });
        const read = await window.settle(store.getRun('run-1'));
        await store.close();
        return read;
      });
      expect(chromium.stderr()).toContain(CHROMIUM_WIPE_LINE);
      expect(first).toMatchObject({ dataLoss: { database: 'first', detectedBy: 'browser' } });

      const secondTab = await openTab(chromium.context, site.url, 'cairn');
      const second = await secondTab.evaluate(async () => {
        const losses: unknown[] = [];
        const store = window.cairn.createIndexedDBStore({ name: 'second', onDataLoss: (loss) => losses.push(loss) });
        const read = await window.settle(store.getRun('run-1'));
        const listed = await window.settle(store.listRuns());
        const created = await window.settle(store.createRun(window.fixtures.runFixture('run-1')));
        await store.close();
        // The first database stays reported too, to this tab, until acknowledged.
        const other = window.cairn.createIndexedDBStore({ name: 'first' });
        const firstAgain = await window.settle(other.getRun('run-1'));
        await other.close();
        return { read, listed, created, losses, firstAgain };
      });
      expect(second.read).toMatchObject({
        code: 'storage-unavailable',
        retryable: false,
        dataLoss: { database: 'second', detectedBy: 'witness' },
      });
      expect('message' in second.read ? second.read.message : '').toMatch(
        /^\[@cairn\/storage-indexeddb\] data loss: database "second"/,
      );
      expect(second.listed).toMatchObject({ dataLoss: { database: 'second' } });
      expect(second.created).toMatchObject({ dataLoss: { database: 'second' } });
      expect(second.losses).toEqual([{ database: 'second', detectedBy: 'witness' }]);
      expect(second.firstAgain).toMatchObject({ dataLoss: { database: 'first', detectedBy: 'browser' } });
    } finally {
      await chromium.close();
    }
  });
});
