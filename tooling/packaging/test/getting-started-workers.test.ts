/**
 * docs/guide/getting-started-workers.md, run as printed from the packed tarballs in an empty folder
 * outside the repository: install with wrangler, the guide's wrangler.jsonc, tsconfig.json and
 * sources, its `.dev.vars`, `tsc`, `wrangler dev` on 127.0.0.1 and its curl steps — each ending
 * with its documented output.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GuideSession, openGuideSession } from '../src/guide-session.ts';
import { guideSteps } from '../src/guide-steps.ts';
import { REPOSITORY_ROOT } from '../src/packages.ts';

const GUIDE = join(REPOSITORY_ROOT, 'docs/guide/getting-started-workers.md');

describe('getting started on Cloudflare Workers, as printed', () => {
  let session: GuideSession;

  beforeAll(async () => {
    session = await openGuideSession('workers', {
      packages: inject('packedPackages'),
      // No telemetry, no request to Cloudflare for request.cf: the dev server talks to nobody.
      env: { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    });
  });

  afterAll(() => session?.close());

  it('installs, type-checks, serves the Worker with wrangler dev and answers the curl steps', async () => {
    const steps = guideSteps(GUIDE);
    expect(steps.map((step) => step.kind)).toContain('background');
    // The guide ends with what its last command prints; every output block is compared on the way.
    expect(steps.at(-1)?.kind).toBe('output');
    for (const step of steps) await session.play(step);
  }, 600_000);
});
