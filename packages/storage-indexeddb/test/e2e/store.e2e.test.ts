/**
 * The store in real Chromium with more than one tab and with tabs and browsers dying mid-write:
 * two tabs racing on one run, a tab reloaded or crashed while it appends, the whole browser killed
 * while it appends (profile on disk, then started again), and a quota that runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashPage, launchChromium, launchChromiumProcess, openTab, type ServedPage, servePage } from '../chromium.ts';

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
}

function observe(page: Page, name: string, runId: string): Promise<Observed> {
  return page.evaluate(
    async ({ name, runId }) => {
      const store = window.cairn.createIndexedDBStore({ name });
      try {
        const run = await store.getRun(runId);
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

describe('the IndexedDB store when the browser dies', () => {
  it('keeps every acknowledged commit, and no torn one, after the browser is SIGKILLed mid-write', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'cairn-chromium-profile-'));
    try {
      const acked = { lastSeq: 0 };
      for (let round = 0; round < 3; round++) {
        const chromium = await launchChromiumProcess(profile);
        try {
          const writer = await openTab(chromium.context, site.url, 'cairn');
          const before = await observe(writer, 'killed', 'run-1');
          expectWhole(before);
          expect(before.lastSeq, `round ${round}: after the restart`).toBeGreaterThanOrEqual(acked.lastSeq);
          await startWriter(writer, 'killed', 'run-1', acked);
          await writeUntil(acked, acked.lastSeq + 4, 200);
        } finally {
          await chromium.kill();
        }
      }
      const chromium = await launchChromiumProcess(profile);
      try {
        const after = await observe(await openTab(chromium.context, site.url, 'cairn'), 'killed', 'run-1');
        expectWhole(after);
        expect(after.lastSeq).toBeGreaterThanOrEqual(acked.lastSeq);
      } finally {
        await chromium.close();
      }
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
