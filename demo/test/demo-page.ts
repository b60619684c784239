/**
 * Driving the demo page from a test: wait until it is ready, read what it shows. Everything is read
 * from the DOM a person sees (plus the outside-world ledger in localStorage), never from internals:
 * the runs from the Cairn Inspector mounted in the page (`#inspector`), what the tab did from the
 * demo's own panel (`#run-panel`).
 */
import type { Page } from 'playwright-core';

/** Wait until the page has resumed what it left and is ready for input. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
}

/** Wait until the Inspector's timeline of the run it shows has at least `n` journaled steps. */
export async function waitForSteps(page: Page, n: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (count) => document.querySelectorAll('#inspector [data-timeline] tr[data-kind="step-end"]').length >= count,
    n,
    { timeout },
  );
}

/** The keys of the journaled steps in the Inspector's timeline, in journal order. */
export function journaledSteps(page: Page): Promise<string[]> {
  return page.$$eval('#inspector [data-timeline] tr[data-kind="step-end"]', (rows) =>
    rows.map((row) => row.getAttribute('data-step') ?? ''),
  );
}

/** The status of the run the Inspector shows (`running`, `paused`, `completed`…). */
export function shownRunStatus(page: Page): Promise<string | null> {
  return page.getAttribute('#inspector .run-header [data-run-status]', 'data-run-status');
}

/** Wait until the Inspector shows its run with `status`. */
export async function waitForRunStatus(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`#inspector .run-header [data-run-status="${status}"]`, { timeout });
}

/** Go to the Inspector's run list and wait until it lists `runId` with `status`. */
export async function waitListed(page: Page, runId: string, status: string, timeout = 30_000): Promise<void> {
  await page.click('#inspector header.top .brand');
  await page.waitForSelector(`#inspector table.runs tr[data-run-id="${runId}"][data-status="${status}"]`, { timeout });
}

/** The texts of the resume notices shown, newest first. */
export function notices(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('.notice')].map((element) => element.textContent ?? ''));
}

/** Wait until `count` notices contain `text`. */
export async function waitForNotices(page: Page, text: string, count: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([needle, n]) =>
      [...document.querySelectorAll('.notice')].filter((element) => element.textContent?.includes(needle as string)).length >=
      (n as number),
    [text, count] as const,
    { timeout },
  );
}

/** The side effects the outside world recorded for a run (the page's localStorage ledger). */
export function ledgerOf(page: Page, runId: string): Promise<Array<{ kind: string; idempotencyKey: string }>> {
  return page.evaluate((id) => {
    const all = JSON.parse(localStorage.getItem('cairn-demo:outside-world') ?? '[]') as Array<{
      kind: string;
      runId: string;
      idempotencyKey: string;
    }>;
    return all.filter((effect) => effect.runId === id);
  }, runId);
}

/** The id of the run the Inspector shows, once the demo's panel follows the same run. */
export async function shownRunId(page: Page, timeout = 30_000): Promise<string> {
  const shown = await page.waitForFunction(
    () => {
      const inInspector = document.querySelector('#inspector [data-run-title]')?.textContent;
      const inPanel = document.querySelector('#run-panel [data-panel-run]')?.getAttribute('data-panel-run');
      return inInspector && inInspector === inPanel ? inInspector : null;
    },
    undefined,
    { timeout },
  );
  return (await shown.jsonValue()) ?? '';
}
