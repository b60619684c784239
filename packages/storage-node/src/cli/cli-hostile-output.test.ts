// Run content that would attack the operator's terminal — escape sequences that clear the screen,
// retitle the window or print links, a carriage return and newline that fake a line, C1 controls,
// DEL, bidi overrides — is printed escaped by every read command, through the real bin; `--json`
// stays valid JSON with C1 and bidi characters escaped too (ADR 0029).
import { join } from 'node:path';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, HOSTILE_RUNS, rawControls, seedHostileRuns } from '../../test/test-support/hostile-runs.ts';
import { cairn, killCliChildren } from '../../test/test-support/run-cli.ts';

const temp = makeTempDir('cli-hostile');
let store: string;

beforeAll(async () => {
  const path = join(temp.path, 'cairn.db');
  await seedHostileRuns(path);
  store = `sqlite:${path}`;
}, 60_000);
afterEach(() => killCliChildren());
afterAll(() => temp.remove());

const ESC = String.fromCharCode(27);
// The CLI's own colours: the only escape sequences allowed on a terminal.
const OWN_SGR = new RegExp(`${ESC}\\[\\d+m`, 'g');

const commands: string[][] = [
  ['list'],
  ['stats'],
  ['show', HOSTILE_RUNS.output],
  ['show', HOSTILE_RUNS.failed],
  ['show', HOSTILE_RUNS.header],
  ['history', HOSTILE_RUNS.output],
  ['history', HOSTILE_RUNS.failed],
  ['show', HOSTILE_RUNS.pending],
  ['history', HOSTILE_RUNS.pending],
  ['history', HOSTILE_RUNS.decided],
  ['cleanup', '--older-than', '0s', '--status', 'running', '--dry-run'],
];

describe('cairn prints hostile run content escaped', () => {
  it('human output holds no raw control character, with or without colours, and shows them visibly', async () => {
    for (const colour of [{}, { FORCE_COLOR: '1' }]) {
      let all = '';
      for (const args of commands) {
        const result = await cairn([...args, '--store', store], colour);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        const text = result.stdout.replace(OWN_SGR, '') + result.stderr.replace(OWN_SGR, '');
        expect(rawControls(text), `cairn ${args.join(' ')} ${JSON.stringify(colour)}`).toStrictEqual([]);
        // No line was faked: a carriage return or newline of the content never starts a line.
        expect(result.stdout.split('\n').filter((line) => line.replace(OWN_SGR, '').startsWith('FAKE'))).toStrictEqual([]);
        all += text;
      }
      for (const visible of ['\\x1b[2J', '\\x1b]0;pwned\\x07', '\\rFAKE LINE\\nFAKE', '\\u009b', '\\u202e', '\\x7f'])
        expect(all).toContain(visible);
    }
  });

  it('--json stays valid JSON, round-trips the content, and escapes C1, DEL and bidi characters too', async () => {
    for (const args of commands) {
      const result = await cairn([...args, '--store', store, '--json']);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(rawControls(result.stdout), `cairn ${args.join(' ')} --json`).toStrictEqual([]);
      result.json();
    }
    const show = (await cairn(['show', HOSTILE_RUNS.output, '--store', store, '--json'])).json();
    expect(show.output).toStrictEqual({ reply: HOSTILE });
    const header = (await cairn(['show', HOSTILE_RUNS.header, '--store', store, '--json'])).json();
    expect(header.workflow).toBe(`wf${HOSTILE}`);
  });
});
