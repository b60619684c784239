// Portable runs: a run paused on an approval in one store is exported, imported into another and
// finished there (completed steps replayed, not re-run); hostile documents are refused whole, with
// errors naming the run and the line, and nothing written.
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../engine/clock.ts';
import { createRuntime, type Runtime } from '../engine/runtime.ts';
import { defineWorkflow } from '../engine/workflow.ts';
import { CairnError, StorageUnavailableError } from '../errors.ts';
import { createMemoryStore } from './memory-store.ts';
import { exportRun, importRun, parsePortableRun } from './portable-run.ts';
import type { DurableStore } from './types.ts';

function approvalWorkflow(calls: { n: number }) {
  return defineWorkflow('refund', async (ctx, input: { amount: number }) => {
    const quote = await ctx.step('quote', async () => {
      calls.n++;
      return { amount: input.amount, currency: 'EUR' };
    });
    const decision = await ctx.waitForApproval('refund', { details: quote });
    return decision.approved ? `refunded ${quote.amount} by ${decision.by}` : 'refused';
  });
}

async function pausedRun(store: DurableStore, calls: { n: number }): Promise<{ runtime: Runtime; runId: string }> {
  const runtime = createRuntime({ store, workflows: [approvalWorkflow(calls)], clock: createManualClock(), owner: 'tab' });
  const run = await runtime.start('refund', { amount: 42 });
  const info = await run.settled();
  expect(info.status).toBe('paused');
  return { runtime, runId: run.runId };
}

async function refused(store: DurableStore, document: string): Promise<CairnError> {
  const error = await importRun(store, document).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(CairnError.is(error), String(error)).toBe(true);
  return error as CairnError;
}

describe('exportRun / importRun', () => {
  it('moves a run paused on an approval to another store, where it completes with its approval and no step re-run', async () => {
    const calls = { n: 0 };
    const source = createMemoryStore();
    const { runtime: tab, runId } = await pausedRun(source, calls);
    const document = await exportRun(source, runId);
    await tab.close();
    const lines = document.trimEnd().split('\n');
    const header = JSON.parse(lines[0] as string);
    expect(header).toMatchObject({
      format: 'cairn-run',
      version: 1,
      entries: lines.length - 1,
      run: { runId, status: 'paused' },
    });
    expect(lines.slice(1).map((line) => JSON.parse(line).seq)).toEqual(lines.slice(1).map((_, i) => i + 1));

    const target = createMemoryStore();
    const imported = await importRun(target, document);
    expect(imported).toMatchObject({ runId, status: 'paused', pauseReason: 'approval', lease: null, lastSeq: lines.length - 1 });
    expect((imported as unknown as Record<string, unknown>).metadata).toBeNull();
    expect(await target.readEntries(runId)).toEqual(await source.readEntries(runId));

    const server = createRuntime({
      store: target,
      workflows: [approvalWorkflow(calls)],
      clock: createManualClock(),
      owner: 'do',
    });
    try {
      expect((await server.get(runId)).pendingApprovals).toMatchObject([{ approvalId: 'refund#0', details: { amount: 42 } }]);
      await server.approve(runId, 'refund#0', { approved: true, by: 'ada' });
      expect(await server.handle(runId).result()).toBe('refunded 42 by ada');
      expect(calls.n).toBe(1);
      // Re-exporting the finished run and importing it back where it came from is refused: the id exists.
      const again = await exportRun(target, runId);
      const error = await refused(source, again);
      expect(error.code).toBe('run-exists');
      expect(error.message).toContain(runId);
    } finally {
      await server.close();
    }
  });

  it('carries header fields it does not know, and reads missing metadata/expiresAt as null', async () => {
    const calls = { n: 0 };
    const source = createMemoryStore();
    const { runtime, runId } = await pausedRun(source, calls);
    await runtime.close();
    const [head, ...rest] = (await exportRun(source, runId)).trimEnd().split('\n');
    const header = JSON.parse(head as string);
    header.run.metadata = { sessionId: 's-1' };
    header.run.expiresAt = 123;
    const parsed = parsePortableRun([JSON.stringify(header), ...rest].join('\n'));
    expect(parsed.run).toMatchObject({ metadata: { sessionId: 's-1' }, expiresAt: 123, lease: null });
    delete header.run.metadata;
    delete header.run.expiresAt;
    expect(parsePortableRun([JSON.stringify(header), ...rest].join('\n')).run).toMatchObject({ metadata: null, expiresAt: null });
    header.run.metadata = { sessionId: 7 };
    expect(() => parsePortableRun([JSON.stringify(header), ...rest].join('\n'))).toThrow(/line 1 \(run "[^"]+"\).*metadata/);
  });

  it('refuses hostile documents whole, naming the run and the line, and writes nothing', async () => {
    const source = createMemoryStore();
    const { runtime, runId } = await pausedRun(source, { n: 0 });
    await runtime.close();
    const good = await exportRun(source, runId);
    const lines = good.trimEnd().split('\n');
    const header = JSON.parse(lines[0] as string);
    const entry = (i: number) => JSON.parse(lines[i] as string);
    const withHeader = (patch: (h: typeof header) => void) => {
      const h = structuredClone(header);
      patch(h);
      return [JSON.stringify(h), ...lines.slice(1)].join('\n');
    };
    const withEntry = (i: number, patch: (e: Record<string, unknown>) => void) => {
      const copy = [...lines];
      const e = entry(i);
      patch(e);
      copy[i] = JSON.stringify(e);
      return copy.join('\n');
    };
    const target = createMemoryStore();
    const cases: Array<[string, string, RegExp]> = [
      ['empty', '', /line 1: the document is empty/],
      ['not an export', '{"hello":1}\n', /line 1: not a Cairn run export/],
      ['future version', withHeader((h) => (h.version = 2)), /line 1 \(run "[^"]+"\): format version 2 is not supported/],
      ['bad status', withHeader((h) => (h.run.status = 'zombie')), /header field "status"/],
      ['bad run id', withHeader((h) => (h.run.runId = '../etc')), /header field "runId"/],
      [
        'truncated',
        lines.slice(0, -1).join('\n'),
        new RegExp(`line ${lines.length} \\(run "${runId}"\\): the document ends after`),
      ],
      [
        'torn last line',
        `${lines.slice(0, -1).join('\n')}\n${(lines.at(-1) as string).slice(0, 10)}`,
        new RegExp(`line ${lines.length} .*not JSON`),
      ],
      ['extra line', `${good}{"seq":99}\n`, /more lines than/],
      ['seq gap', withEntry(2, (e) => (e.seq = 3)), /line 3 \(run "[^"]+"\): entry seq 3 where 2 was expected/],
      ['unknown kind', withEntry(1, (e) => (e.kind = 'time-travel')), /line 2 .*unknown entry kind "time-travel"/],
      ['payload not a string', withEntry(1, (e) => (e.payload = { a: 1 })), /line 2 .*"payload" must be a string/],
      ['payload not JSON', withEntry(2, (e) => (e.payload = '{"i":0,')), /line 3 .*"payload" is not the JSON text/],
      ['entries count mismatch', withHeader((h) => (h.entries = 1)), /must equal the run's lastSeq/],
    ];
    for (const [name, document, pattern] of cases) {
      const error = await refused(target, document);
      expect(error.message, name).toMatch(pattern);
      expect(error.code, name).toBe('corrupt-journal');
    }
    // Payloads over the target store's limit: refused before anything is written.
    const small = createMemoryStore({ maxPayloadBytes: 40 });
    const tooLarge = await refused(small, good);
    expect(tooLarge.code).toBe('payload-too-large');
    expect(tooLarge.message).toMatch(new RegExp(`line \\d+ \\(run "${runId}"\\).*store "memory" \\(40 bytes\\)`));
    expect((await target.stats()).total).toBe(0);
    expect((await small.stats()).total).toBe(0);
    await importRun(target, good);
    expect((await target.getRun(runId))?.status).toBe('paused');
  });

  it('imports a long journal in batches, and takes a half-written run away when the store fails mid-import', async () => {
    const source = createMemoryStore();
    const long = defineWorkflow('long', async (ctx) => {
      let sum = 0;
      for (let i = 0; i < 450; i++) sum += await ctx.step('add', () => i);
      return sum;
    });
    const runtime = createRuntime({ store: source, workflows: [long], clock: createManualClock() });
    const run = await runtime.start(long, null);
    expect(await run.result()).toBe((449 * 450) / 2);
    await runtime.close();
    const document = await exportRun(source, run.runId);
    const target = createMemoryStore();
    let appends = 0;
    const failing: DurableStore = {
      ...target,
      async append(...args) {
        if (++appends === 2) throw new StorageUnavailableError('[test] the disk went away', { retryable: true });
        return target.append(...args);
      },
    };
    await expect(importRun(failing, document)).rejects.toMatchObject({ code: 'storage-unavailable' });
    expect(await target.getRun(run.runId)).toBeNull();
    const imported = await importRun(target, document);
    expect(imported).toMatchObject({ status: 'completed', lastSeq: (await source.getRun(run.runId))?.lastSeq });
    expect(await target.readEntries(run.runId)).toEqual(await source.readEntries(run.runId));
  });

  it('exports a run with a clear error when it is missing, and refuses a bad id', async () => {
    const store = createMemoryStore();
    await expect(exportRun(store, 'nope')).rejects.toMatchObject({
      code: 'run-not-found',
      message: expect.stringContaining('"nope"'),
    });
    await expect(exportRun(store, '../x')).rejects.toMatchObject({ code: 'invalid-run-id' });
  });
});
