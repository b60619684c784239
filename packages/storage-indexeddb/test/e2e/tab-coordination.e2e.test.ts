/**
 * Two tabs of one origin in real Chromium: Web Locks give a run to exactly one tab and hand it to a
 * waiting tab when the holder closes or crashes; BroadcastChannel carries progress between them.
 */

import { crashPage, launchChromium, openTab, type ServedPage, servePage } from '@cairn/test-rigs/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let browser: Browser;
let site: ServedPage;
let context: BrowserContext;
let errors: string[][] = [];

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

afterEach(async () => {
  await context?.close();
  expect(errors.flat()).toEqual([]);
  errors = [];
});

async function tab(): Promise<Page> {
  context ??= await browser.newContext();
  const pageErrors: string[] = [];
  errors.push(pageErrors);
  return openTab(context, site.url, 'cairn', { errors: pageErrors });
}

async function tabs(count: number): Promise<Page[]> {
  context = await browser.newContext();
  const pages: Page[] = [];
  for (let index = 0; index < count; index++) pages.push(await tab());
  return pages;
}

function tryAcquire(page: Page, runId: string): Promise<boolean> {
  return page.evaluate(async (id) => {
    const lock = await window.cairn.createWebLocks().tryAcquire(id);
    if (lock) window.state.locks.set(id, lock);
    return lock !== null;
  }, runId);
}

function startWaiting(page: Page, runId: string): Promise<void> {
  return page.evaluate((id) => {
    window.state.waits.set(
      id,
      window.cairn
        .createWebLocks()
        .waitForRunLock(id)
        .then((lock) => window.state.locks.set(id, lock)),
    );
  }, runId);
}

function holds(page: Page, runId: string): Promise<boolean> {
  return page.evaluate((id) => window.state.locks.has(id), runId);
}

describe('Web Locks across two tabs', () => {
  it('gives the lock of a run to exactly one of two tabs racing for it', async () => {
    const [first, second] = (await tabs(2)) as [Page, Page];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([tryAcquire(first, `run-${round}`), tryAcquire(second, `run-${round}`)]);
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });

  it('hands the lock to the waiting tab when the holder tab closes', async () => {
    const [holder, standby] = (await tabs(2)) as [Page, Page];
    expect(await tryAcquire(holder, 'run-1')).toBe(true);
    await startWaiting(standby, 'run-1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await holds(standby, 'run-1')).toBe(false);
    await holder.close();
    await standby.waitForFunction(() => window.state.locks.has('run-1'), undefined, { timeout: 10_000 });
    expect(await tryAcquire(await tab(), 'run-1')).toBe(false);
  });

  it('hands the lock to the waiting tab when the holder tab crashes', async () => {
    const [holder, standby] = (await tabs(2)) as [Page, Page];
    expect(await tryAcquire(holder, 'run-1')).toBe(true);
    await startWaiting(standby, 'run-1');
    await crashPage(holder);
    await standby.waitForFunction(() => window.state.locks.has('run-1'), undefined, { timeout: 10_000 });
  });

  it('hands the lock over when the holder tab navigates away (reload)', async () => {
    const [holder, standby] = (await tabs(2)) as [Page, Page];
    expect(await tryAcquire(holder, 'run-1')).toBe(true);
    await startWaiting(standby, 'run-1');
    await holder.reload();
    await standby.waitForFunction(() => window.state.locks.has('run-1'), undefined, { timeout: 10_000 });
    await holder.waitForFunction(() => 'cairn' in window, undefined, { timeout: 15_000 });
    expect(await tryAcquire(holder, 'run-1')).toBe(false);
  });
});

describe('BroadcastChannel across two tabs', () => {
  it('delivers the progress one tab posts to the other', async () => {
    const [driver, watcher] = (await tabs(2)) as [Page, Page];
    await watcher.evaluate(() => {
      window.cairn.createTabChannel('runs').subscribe((message) => window.state.received.push(message));
    });
    await driver.evaluate(() => {
      const channel = window.cairn.createTabChannel('runs');
      channel.post({ runId: 'run-1', type: 'step-end', stepId: 'fetch#0' });
      channel.post({ runId: 'run-1', type: 'run-end', status: 'completed' });
    });
    await watcher.waitForFunction(() => window.state.received.length === 2, undefined, { timeout: 10_000 });
    expect(await watcher.evaluate(() => window.state.received)).toEqual([
      { runId: 'run-1', type: 'step-end', stepId: 'fetch#0' },
      { runId: 'run-1', type: 'run-end', status: 'completed' },
    ]);
  });
});
