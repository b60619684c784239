/**
 * docs/guide/getting-started-node.md, run as printed from the packed tarballs in an empty folder
 * outside the repository: install, the agent on SQLite, a SIGKILL mid-run and the takeover, the
 * event log, run management and a workflow with a durable sleep — each ending with its documented
 * output.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GuideSession, openGuideSession } from '../src/guide-session.ts';
import { guideSteps } from '../src/guide-steps.ts';
import { REPOSITORY_ROOT } from '../src/packages.ts';

const GUIDE = join(REPOSITORY_ROOT, 'docs/guide/getting-started-node.md');

describe('getting started in Node, as printed', () => {
  let session: GuideSession;

  beforeAll(async () => {
    session = await openGuideSession('node', { packages: inject('packedPackages') });
  });

  afterAll(() => session?.close());

  it('installs from npm, runs the agent, survives kill -9 and runs every marked step to its output', async () => {
    const steps = guideSteps(GUIDE);
    // The guide ends with what its last command prints; every output block is compared on the way.
    expect(steps.at(-1)?.kind).toBe('output');
    for (const step of steps) await session.play(step);
  }, 600_000);
});
