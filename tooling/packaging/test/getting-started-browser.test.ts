/**
 * docs/guide/getting-started-browser.md, run as printed from the packed tarballs in an empty folder
 * outside the repository: install with Vite (the bundler the guide names), the guide's page and
 * sources, `vite` on 127.0.0.1, and the page opened in real Chromium until it shows the documented
 * text.
 */
import { join } from 'node:path';
import { launchChromium, trackPageErrors } from '@cairn/test-rigs/chromium';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GuideSession, openGuideSession } from '../src/guide-session.ts';
import { guideSteps } from '../src/guide-steps.ts';
import { REPOSITORY_ROOT } from '../src/packages.ts';

const GUIDE = join(REPOSITORY_ROOT, 'docs/guide/getting-started-browser.md');

describe('getting started in the browser, as printed', () => {
  let browser: Browser;
  let session: GuideSession;

  beforeAll(async () => {
    browser = await launchChromium();
    session = await openGuideSession('browser', {
      packages: inject('packedPackages'),
      async checkPage(url, expected) {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const errors = trackPageErrors(page);
          await page.goto(url);
          await page
            .waitForFunction(
              (text) =>
                // biome-ignore lint/performance/useDomNodeTextContent: the text as the reader sees it, line by line
                document.body.innerText
                  .split('\n')
                  .map((line) => line.trim())
                  .filter(Boolean)
                  .join('\n') === text,
              expected,
              { timeout: 60_000 },
            )
            .catch(async () => {
              throw new Error(
                // biome-ignore lint/performance/useDomNodeTextContent: the text as the reader sees it
                `the page shows\n${await page.evaluate(() => document.body.innerText)}\nerrors: ${errors.join('\n')}`,
              );
            });
          expect(errors).toEqual([]);
        } finally {
          await context.close();
        }
      },
    });
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
  });

  it('installs, serves the page with Vite and shows the run in Chromium', async () => {
    const steps = guideSteps(GUIDE);
    // The guide ends with what the page shows once the run completed.
    expect(steps.at(-1)?.kind).toBe('page');
    for (const step of steps) await session.play(step);
  }, 600_000);
});
