/**
 * A SQLite store holding runs whose content is hostile to a terminal: escape sequences (clear
 * screen, window title, OSC 8 links), a carriage return and a newline that fake a line, C1 controls,
 * DEL and bidi overrides — in outputs, errors, inputs, a workflow name and a lease owner, the way a
 * model's reply or another program writing the store could put them there.
 */
import { createRuntime, defineWorkflow } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { createSqliteStore } from '../../src/sqlite/sqlite-store.ts';

const ESC = '\u001b';
const BEL = '\u0007';

/** Text that would clear the screen, retitle the window, print a link and fake a line if printed raw. */
export const HOSTILE = [
  `ok${ESC}[2J${ESC}[H`,
  `${ESC}]0;pwned${BEL}`,
  `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`,
  '\rFAKE LINE\nFAKE: status completed',
  '\u009b31m\u0085\u202eevil\u2066\u2069\u007f\u0000\t',
].join('');

/** True for a character that must never reach a terminal raw (a newline only separates lines). */
export function isRawControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    (code < 0x20 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** The raw control characters of `text`, as code points (empty when it is safe to print). */
export function rawControls(text: string): string[] {
  return [...text].filter(isRawControl).map((char) => `U+${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Run ids of the hostile runs. */
export const HOSTILE_RUNS = {
  output: 'hostile-output',
  failed: 'hostile-failed',
  header: 'hostile-header',
  /** Paused on an approval whose details are hostile. */
  pending: 'hostile-pending',
  /** An approval decided by a hostile approver name with a hostile reason. */
  decided: 'hostile-decided',
} as const;

/** Create (or add to) the SQLite store at `path` with the hostile runs; closes it. */
export async function seedHostileRuns(path: string): Promise<void> {
  const store = createSqliteStore({ path });
  const echo = defineWorkflow('echo', async (ctx, input: { text: string }) => {
    const reply = await ctx.step('model', async () => input.text);
    return { reply };
  });
  const fail = defineWorkflow('fail', async (ctx, input: { text: string }) => {
    await ctx.step('tool', async () => input.text);
    throw new Error(input.text);
  });
  const gate = defineWorkflow('gate', async (ctx, input: { text: string }) => {
    const decision = await ctx.waitForApproval('refund', { details: { note: input.text } });
    return decision.approved;
  });
  const runtime = createRuntime({ store, workflows: [echo, fail, gate] });
  try {
    await (await runtime.start(echo, { text: HOSTILE }, { runId: HOSTILE_RUNS.output })).result();
    const failing = await runtime.start(fail, { text: HOSTILE }, { runId: HOSTILE_RUNS.failed });
    await failing.result().catch(() => undefined);
    await (await runtime.start(gate, { text: HOSTILE }, { runId: HOSTILE_RUNS.pending })).settled();
    await (await runtime.start(gate, { text: HOSTILE }, { runId: HOSTILE_RUNS.decided })).settled();
    await runtime.approve(HOSTILE_RUNS.decided, 'refund#0', { approved: true, by: `ops${HOSTILE}`, reason: HOSTILE });
    await runtime.handle(HOSTILE_RUNS.decided).result();
    // Written straight to the store: adapters keep whatever strings they are given.
    await store.createRun(
      newRunFixture(HOSTILE_RUNS.header, {
        workflow: `wf${HOSTILE}`,
        lease: { owner: `owner${HOSTILE}`, expiresAt: Date.now() + 3_600_000 },
        createdAt: Date.now(),
        updatedAt: Date.now(),
      }),
    );
  } finally {
    await runtime.close();
    await store.close();
  }
}
