/**
 * Driving the demo page from a test: wait until it is ready, read what it shows. Everything is read
 * from the DOM a person sees (plus the outside-world ledger in localStorage), never from internals.
 */
import type { Page } from 'playwright-core';

/** Wait until the page has resumed what it left and is ready for input. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
}

/** Wait until the detail shows at least `n` journaled steps. */
export async function waitForSteps(page: Page, n: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (count) => Number(document.querySelector('[data-step-count]')?.getAttribute('data-step-count') ?? -1) >= count,
    n,
    { timeout },
  );
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

/** The id of the run the detail shows. */
export async function shownRunId(page: Page): Promise<string> {
  return (await page.getAttribute('#detail header h2', 'title')) ?? '';
}
