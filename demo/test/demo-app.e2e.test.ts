// The browser demo in real Chromium: a run survives two reloads mid-run and an approval decided in the
// Cairn Inspector mounted in the page, every side effect happens once, the Inspector lists the run
// before and after a reload, and with two tabs one drives while the other follows and takes over.
import { mkdirSync } from 'node:fs';
import { launchChromium, trackPageErrors } from '@cairn/test-rigs/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  journaledSteps,
  ledgerOf,
  notices,
  shownRunId,
  shownRunStatus,
  waitForNotices,
  waitForRunStatus,
  waitForSteps,
  waitListed,
  waitReady,
} from './demo-page.ts';
import { type ServedDemo, serveDemo } from './serve-demo.ts';

const SCREENSHOT = new URL('../test-results/demo-finished.png', import.meta.url);
// Fast enough for a test, slow enough that each reload lands in the middle of a step (before the
// run pauses for its approval), even on a loaded machine.
const DELAY_MS = 800;

let browser: Browser;
let site: ServedDemo;
let context: BrowserContext | undefined;
let errors: string[] = [];

beforeAll(async () => {
  [browser, site] = await Promise.all([launchChromium(), serveDemo()]);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(errors).toEqual([]);
  errors = [];
});

async function openPage(delayMs = DELAY_MS): Promise<Page> {
  context ??= await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  trackPageErrors(page, errors);
  await page.goto(`${site.url}?delay=${delayMs}`);
  await waitReady(page);
  return page;
}

describe('browser demo', () => {
  it('resumes after two reloads mid-run, asks for approval, and completes with each side effect once', async () => {
    const page = await openPage();
    await page.click('#start');
    await waitForSteps(page, 2);
    const runId = await shownRunId(page);
    expect(runId).toMatch(/^run_/);

    await page.reload();
    await waitReady(page);
    await waitForNotices(page, 'Resumed after reload', 1);
    await waitForSteps(page, 3);
    await page.reload();
    await waitReady(page);
    await waitForNotices(page, 'Resumed after reload', 2);
    expect(await shownRunId(page)).toBe(runId);

    // The refund needs a human: the Inspector asks from the journal, so the question survives reloads too.
    await page.waitForSelector('#inspector [data-approval] [data-approve]', { timeout: 30_000 });
    expect(await page.textContent('#run-panel [data-pending-approval]')).toContain('refund $18.00 on order A-1042');
    await page.fill('#inspector [data-by]', 'Demo Reviewer');
    await page.click('#inspector [data-approve]');
    await waitForRunStatus(page, 'completed');

    const shown = await notices(page);
    const reloads = shown.filter((text) => text.includes('Resumed after reload'));
    expect(reloads).toHaveLength(2);
    for (const text of reloads)
      expect(text).toMatch(/[1-9]\d* steps? replayed, 0 tokens re-spent \([1-9][\d\u202f]* tokens not paid again\)/);
    expect(shown[0]).toMatch(/Resumed after the approval: [1-9]\d* steps replayed, 0 tokens re-spent/);
    expect(await page.textContent('#inspector [data-decision="approved"]')).toContain('by Demo Reviewer');
    expect(await page.textContent('#inspector [data-final-answer]')).toContain('refunded $18.00');
    const saved = await page.getAttribute('#inspector [data-saved-tokens]', 'data-saved-tokens');
    expect(Number(saved?.replace(/\D/g, '') ?? 0)).toBeGreaterThan(0);
    // No step ran twice: the journal holds each of the nine steps once.
    const steps = await journaledSteps(page);
    expect(steps).toHaveLength(9);
    expect(new Set(steps).size).toBe(steps.length);

    // Each side effect once: in the page and in the outside world's own ledger.
    expect(await page.getAttribute('#run-panel .ledger', 'data-refunds')).toBe('1');
    expect(await page.getAttribute('#run-panel .ledger', 'data-emails')).toBe('1');
    const effects = await ledgerOf(page, runId);
    expect(effects.map((effect) => effect.kind).sort()).toEqual(['email', 'refund']);

    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });

    // The run list is the Inspector's, over the page's IndexedDB store: it lists the run with its
    // status, and still does after a reload of the tab.
    await waitListed(page, runId, 'completed');
    await page.reload();
    await waitReady(page);
    await page.waitForSelector(`#inspector table.runs tr[data-run-id="${runId}"][data-status="completed"]`, { timeout: 30_000 });
    expect(await page.textContent('#inspector [data-backend]')).toBe('indexeddb');
  });

  it('lets one of two tabs drive a run while the other follows it, and takes over when the driver closes', async () => {
    // Slower steps: the driver must still be mid-run (not yet waiting for approval) when it closes.
    const driver = await openPage(1500);
    const follower = await openPage(1500);
    await driver.click('#start');
    await waitForSteps(driver, 1);
    const runId = await shownRunId(driver);
    await follower.click(`#inspector table.runs tr[data-run-id="${runId}"] button`);
    await waitForSteps(follower, 2);
    // Only one tab drives: the follower shows the driver's progress and drives nothing itself. Checked
    // twice: with two steps journaled, and once the follower sees the driver's next step in flight.
    const onlyTheDriverDrives = async () => {
      expect(await driver.textContent('#run-panel .driver')).toContain('This tab drives the run');
      expect(await follower.textContent('#run-panel .driver')).toContain('Another tab drives this run');
      expect(await follower.textContent('#tab-role')).toMatch(/^This tab drives 0 runs and stands by for 1\./);
    };
    await onlyTheDriverDrives();
    await follower.waitForSelector('#run-panel .in-flight li:has-text("another tab")', { timeout: 30_000 });
    await onlyTheDriverDrives();
    expect((await journaledSteps(follower)).length).toBeGreaterThanOrEqual(2);
    expect(await shownRunStatus(follower)).toBe('running');

    // The driving tab goes away mid-run: the browser frees its Web Lock and the follower takes over.
    await driver.close();
    await waitForNotices(follower, 'Taken over from a tab that went away', 1);
    await follower.waitForSelector('#inspector [data-approval] [data-approve]', { timeout: 30_000 });
    await follower.fill('#inspector [data-by]', 'Follower');
    await follower.click('#inspector [data-approve]');
    await waitForRunStatus(follower, 'completed');
    expect(await follower.getAttribute('#run-panel .ledger', 'data-refunds')).toBe('1');
    const effects = await ledgerOf(follower, runId);
    expect(effects.map((effect) => effect.kind).sort()).toEqual(['email', 'refund']);
  });
});
