/**
 * The store in real Chromium with more than one tab and with tabs and browsers dying mid-write:
 * two tabs racing on one run, a tab reloaded or crashed while it appends, the whole browser killed
 * while it appends (profile on disk, then started again), and a quota that runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ChromiumProcess,
  crashPage,
  launchChromium,
  launchChromiumProcess,
  openTab,
  type ServedPage,
  servePage,
} from '@cairn/test-rigs/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexedDBDataLoss } from '../../src/index.ts';
import { appendTornHeader, CHROMIUM_WIPE_LINE, originFolder } from '../leveldb-log.ts';

let browser: Browser;
let site: ServedPage;

beforeAll(async () => {
  [browser, site] = await Promise.all([
    launchChromium(),
    servePage(new URL('../pages/e2e-page.ts', import.meta.url), { bundle: true }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** What a tab finds in the database: the run header and its journal, checked for tearing. */
interface Observed {
  lastSeq: number;
  stepIndex: number;
  seqs: number[];
  keys: string[];
  writerError?: string;
  /** Set when the store reported that the browser lost the database. */
  dataLoss?: IndexedDBDataLoss;
}

function observe(page: Page, name: string, runId: string): Promise<Observed> {
  return page.evaluate(
    async ({ name, runId }) => {
      const store = window.cairn.createIndexedDBStore({ name });
      try {
        const run = await store.getRun(runId).catch((error: unknown) => {
          if (window.cairn.isIndexedDBDataLossError(error)) return error.dataLoss;
          throw error;
        });
        if (run && 'detectedBy' in run) return { lastSeq: 0, stepIndex: 0, seqs: [], keys: [], dataLoss: run };
        const entries = await store.readEntries(runId);
        return {
          lastSeq: run?.lastSeq ?? 0,
          stepIndex: run?.step.index ?? 0,
          seqs: entries.map((entry) => entry.seq),
          keys: entries.map((entry) => entry.key),
          ...(window.state.writerError ? { writerError: window.state.writerError } : {}),
        };
      } finally {
        await store.close();
      }
    },
    { name, runId },
  );
}

/** Every commit wrote two entries and the matching patch, or nothing: no torn commit is visible. */
function expectWhole(observed: Observed): void {
  expect(observed.dataLoss).toBeUndefined();
  expect(observed.writerError).toBeUndefined();
  expect(observed.lastSeq % 2).toBe(0);
  expect(observed.stepIndex).toBe(observed.lastSeq);
  expect(observed.seqs).toEqual(Array.from({ length: observed.lastSeq }, (_, index) => index + 1));
  expect(observed.keys).toEqual(observed.seqs.map((seq) => `step#${seq}`));
}

async function startWriter(page: Page, name: string, runId: string, acked: { lastSeq: number }): Promise<void> {
  await page.exposeFunction('ack', (lastSeq: number) => {
    acked.lastSeq = Math.max(acked.lastSeq, lastSeq);
  });
  await page.evaluate(({ name, runId }) => window.startWriter(name, runId), { name, runId });
}

async function writeUntil(acked: { lastSeq: number }, atLeast: number, randomMs: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (acked.lastSeq < atLeast && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(acked.lastSeq, 'the writer made progress').toBeGreaterThanOrEqual(atLeast);
  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * randomMs)));
}

describe('the IndexedDB store across tabs', () => {
  it('keeps one dense journal when two tabs append to one run with compare-and-set retry loops', async () => {
    const context = await browser.newContext();
    try {
      const tabs = await Promise.all([openTab(context, site.url, 'cairn'), openTab(context, site.url, 'cairn')]);
      await tabs[0].evaluate(async () => {
        const store = window.cairn.createIndexedDBStore({ name: 'race' });
        await store.createRun(window.fixtures.runFixture('run-1'));
        await store.close();
      });
      const conflicts = await Promise.all(
        tabs.map((page, tab) =>
          page.evaluate(async (tag) => {
            const store = window.cairn.createIndexedDBStore({ name: 'race' });
            let lost = 0;
            for (let index = 0; index < 30; index++) {
              for (let attempt = 0; ; attempt++) {
                if (attempt > 500) throw new Error('no progress');
                const run = await store.getRun('run-1');
                try {
                  await store.append('run-1', run?.lastSeq ?? 0, [window.fixtures.entryFixture(`${tag}#${index}`)]);
                  break;
                } catch (error) {
                  if ((error as { code?: string }).code !== 'storage-conflict') throw error;
                  lost++;
                }
              }
            }
            await store.close();
            return lost;
          }, `tab${tab}`),
        ),
      );
      const keys = await tabs[1].evaluate(async () => {
        const store = window.cairn.createIndexedDBStore({ name: 'race' });
        const entries = await store.readEntries('run-1');
        const run = await store.getRun('run-1');
        await store.close();
        if (entries.some((entry, index) => entry.seq !== index + 1) || run?.lastSeq !== entries.length) return null;
        return entries.map((entry) => entry.key);
      });
      expect(keys).not.toBeNull();
      for (const tag of ['tab0', 'tab1']) {
        expect(keys?.filter((key) => key.startsWith(`${tag}#`))).toEqual(
          Array.from({ length: 30 }, (_, index) => `${tag}#${index}`),
        );
      }
      expect(keys).toHaveLength(60);
      console.info(`two tabs, 60 appends: ${conflicts.reduce((sum, lost) => sum + lost, 0)} lost compare-and-sets retried`);
    } finally {
      await context.close();
    }
  });

  it('shows no torn commit and loses no acknowledged one when a writing tab is reloaded or crashes', async () => {
    const context = await browser.newContext();
    try {
      const acked = { lastSeq: 0 };
      for (const [round, ending] of (['reload', 'crash', 'reload', 'crash'] as const).entries()) {
        const writer = await openTab(context, site.url, 'cairn');
        await startWriter(writer, 'torn', 'run-1', acked);
        await writeUntil(acked, acked.lastSeq + 2, 150);
        if (ending === 'reload') await writer.reload({ waitUntil: 'commit' });
        else await crashPage(writer);
        const reader = await openTab(context, site.url, 'cairn');
        const observed = await observe(reader, 'torn', 'run-1');
        expectWhole(observed);
        expect(observed.lastSeq, `round ${round} (${ending})`).toBeGreaterThanOrEqual(acked.lastSeq);
        await Promise.all([writer.close(), reader.close()]);
      }
    } finally {
      await context.close();
    }
  });
});

/** Wait until Chromium's stderr, which reaches us apart from CDP, contains `line`. */
async function stderrShows(chromium: ChromiumProcess, line: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!chromium.stderr().includes(line) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return chromium.stderr().includes(line);
}

/**
 * What a restarted browser shows: every acknowledged commit and no torn one, or, when Chromium
 * wiped the origin's IndexedDB (a SIGKILL between the two `write()`s of a LevelDB log record
 * leaves a torn header, and the start after next deletes the database), a loss the store reports
 * rather than a run that reads as missing. A reported loss is acknowledged, and counting restarts.
 */
async function checkRestart(chromium: ChromiumProcess, page: Page, acked: { lastSeq: number }, label: string): Promise<boolean> {
  const observed = await observe(page, 'killed', 'run-1');
  const wiped = await stderrShows(chromium, CHROMIUM_WIPE_LINE, observed.dataLoss ? 10_000 : 0);
  expect(observed.dataLoss !== undefined, `${label}: the store reports a loss exactly when Chromium wiped the origin`).toBe(
    wiped,
  );
  if (observed.dataLoss) {
    expect(observed.dataLoss).toMatchObject({ database: 'killed', detectedBy: 'browser' });
    expect(observed.dataLoss.browserMessage).toMatch(/corrupt/);
    await page.evaluate(() => window.cairn.acknowledgeIndexedDBDataLoss('killed'));
    acked.lastSeq = 0;
    return true;
  }
  expectWhole(observed);
  expect(observed.lastSeq, `${label}: after the restart`).toBeGreaterThanOrEqual(acked.lastSeq);
  return false;
}

describe('the IndexedDB store when the browser dies', () => {
  it('keeps every acknowledged commit and no torn one after the browser is SIGKILLed mid-write, or reports the loss when Chromium wiped the origin', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'cairn-chromium-profile-'));
    try {
      const acked = { lastSeq: 0 };
      let wipes = 0;
      for (let round = 0; round < 3; round++) {
        const chromium = await launchChromiumProcess(profile);
        try {
          const writer = await openTab(chromium.context, site.url, 'cairn');
          if (await checkRestart(chromium, writer, acked, `round ${round}`)) wipes++;
          await startWriter(writer, 'killed', 'run-1', acked);
          await writeUntil(acked, acked.lastSeq + 4, 200);
        } finally {
          await chromium.kill();
        }
        // The kill that broke CI, made certain once: it lands between the two write()s of a log
        // record, the next start recovers every acknowledged commit, and the one after that finds
        // the origin wiped. The other kills land wherever they land (a wipe is then rare).
        if (round === 0) appendTornHeader(originFolder(profile, site.origin));
      }
      const chromium = await launchChromiumProcess(profile);
      try {
        if (await checkRestart(chromium, await openTab(chromium.context, site.url, 'cairn'), acked, 'last restart')) wipes++;
      } finally {
        await chromium.close();
      }
      expect(
        wipes,
        'the torn header after round 0 makes Chromium wipe the origin at the start of round 2',
      ).toBeGreaterThanOrEqual(1);
      console.info(
        `3 SIGKILLs mid-write, one torn header: Chromium wiped the origin ${wipes} time(s), each reported by the store`,
      );
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});

describe('the IndexedDB store when the quota runs out', () => {
  it('rejects with a non-retryable StorageUnavailableError naming the run, and writes nothing', async () => {
    const context = await browser.newContext();
    try {
      const page = await openTab(context, site.url, 'cairn');
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin, quotaSize: 256 * 1024 });
      const outcome = await page.evaluate(async () => {
        const store = window.cairn.createIndexedDBStore({ name: 'quota' });
        try {
          await store.createRun(window.fixtures.runFixture('run-1'));
          const payload = `"SECRET-${'x'.repeat(4 * 1024 * 1024)}"`;
          const failure = await store.append('run-1', 0, [window.fixtures.entryFixture('big#0', { payload })]).then(
            () => null,
            (error: Error & { code?: string; retryable?: boolean }) => error,
          );
          const run = await store.getRun('run-1');
          return {
            code: failure?.code,
            retryable: failure?.retryable,
            message: failure?.message ?? '',
            cause: (failure?.cause as Error | undefined)?.name,
            lastSeq: run?.lastSeq,
            entries: (await store.readEntries('run-1')).length,
          };
        } finally {
          await store.close();
        }
      });
      expect(outcome).toMatchObject({
        code: 'storage-unavailable',
        retryable: false,
        cause: 'QuotaExceededError',
        lastSeq: 0,
        entries: 0,
      });
      expect(outcome.message).toMatch(/^\[@cairn\/storage-indexeddb\] run "run-1": append failed: .*quota/);
      expect(outcome.message).not.toContain('SECRET');
    } finally {
      await context.close();
    }
  });
});
