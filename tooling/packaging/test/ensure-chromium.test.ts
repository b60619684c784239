/**
 * `bash scripts/run.sh test` gets its browser from scripts/ensure-chromium.sh: the one named by
 * CAIRN_CHROMIUM (a developer's own Chrome, on any OS), else Debian's, which CI installs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../src/packages.ts';
import { runCommand } from '../src/run-command.ts';

const SCRIPT = join(REPOSITORY_ROOT, 'scripts/ensure-chromium.sh');

function ensureChromium(browser: string) {
  return runCommand('bash', [SCRIPT], {
    cwd: REPOSITORY_ROOT,
    timeoutMs: 30_000,
    env: { ...process.env, CAIRN_CHROMIUM: browser },
  });
}

describe('scripts/ensure-chromium.sh', () => {
  it('accepts the executable named by CAIRN_CHROMIUM without installing anything', async () => {
    const result = await ensureChromium(process.execPath);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses a CAIRN_CHROMIUM that is no executable file, saying what it needs', async () => {
    for (const browser of ['/nonexistent/chrome', REPOSITORY_ROOT]) {
      const result = await ensureChromium(browser);
      expect(result.code, browser).toBe(1);
      expect(result.stderr, browser).toContain(`CAIRN_CHROMIUM=${browser} is not an executable file`);
    }
  });
});
