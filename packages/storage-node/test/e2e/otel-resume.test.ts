// OpenTelemetry across a crash: a traced agent run on SQLite is SIGKILLed in a child process after
// its second tool call and resumed in a second process. Both export with the OTel SDK's
// InMemorySpanExporter (teed to a file, so the spans of the killed process survive it). The spans
// make one trace under the run's start span, whose context the first process kept in the run's
// metadata: every step has a span with the right parent and the GenAI attributes; in the second
// process the steps the first one recorded are spans marked replayed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTraceparent } from '@cairn/core/otel';
import { killRunningChildren, resultOf, runKillableChild } from '@cairn/test-rigs/kill-child';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/index.ts';

const CHILD = fileURLToPath(new URL('./fixtures/otel-child.ts', import.meta.url));
const temp = makeTempDir('otel-resume');
afterEach(killRunningChildren);
afterAll(() => temp.remove());

interface SpanLine {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
  status: number;
  events: string[];
  pid: number;
}

const readSpans = (file: string): SpanLine[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SpanLine)
    : [];

it('a run SIGKILLed and resumed in another process is one trace: every step a span, the right parent, replay marked', {
  timeout: 60_000,
}, async () => {
  const db = join(temp.path, 'otel.db');
  const spansFile = join(temp.path, 'spans.jsonl');
  const runId = 'otel_run';
  const args = { db, spansFile, runId };

  // First process: killed once two tool calls have ended (their spans exported).
  const first = await runKillableChild(
    CHILD,
    { ...args, mode: 'start' },
    {
      killWhen: () => readSpans(spansFile).filter((span) => span.name === 'execute_tool work').length >= 2,
    },
  );
  expect(first.signal).toBe('SIGKILL');
  const second = await runKillableChild(CHILD, { ...args, mode: 'resume' });
  expect(resultOf(second)).toBe('All work done.');

  const spans = readSpans(spansFile);
  const firstPid = spans[0]!.pid;
  const secondPid = spans.at(-1)!.pid;
  expect(firstPid).not.toBe(secondPid);

  // The start span, made by the first process, is the trace's root; its context is in the metadata.
  const store = createSqliteStore({ path: db });
  const record = await store.getRun(runId);
  const history = await store.readEntries(runId);
  await store.close();
  const persisted = parseTraceparent(record?.metadata?.traceparent);
  const root = spans.find((span) => span.name === 'cairn.run otel-agent');
  expect(root).toMatchObject({ pid: firstPid, parentSpanId: null, attributes: { 'cairn.run.id': runId } });
  expect(persisted).toMatchObject({ traceId: root!.traceId, spanId: root!.spanId });
  for (const span of spans) {
    expect(span.traceId, span.name).toBe(root!.traceId);
    if (span !== root) expect(span.parentSpanId, span.name).toBe(root!.spanId);
  }

  // Every step the journal recorded was executed once: its span comes from the process that ran it,
  // except for a step the first process recorded and was killed before exporting (a span lives in
  // process memory until exported; the SIGKILL can land between the journal commit and the export).
  // Such a step is replayed by the second process, never executed again.
  const recorded = history.filter((entry) => entry.kind === 'step-end').map((entry) => entry.key);
  expect(recorded).toEqual(['model#0', 'tool:work#0', 'model#1', 'tool:work#1', 'model#2', 'tool:work#2', 'model#3']);
  const stepSpans = spans.filter((span) => span.attributes['cairn.step.id'] !== undefined);
  const executed = stepSpans.filter((span) => span.attributes['cairn.step.replayed'] === false);
  const executedIds = executed.map((span) => String(span.attributes['cairn.step.id']));
  expect(new Set(executedIds).size, 'no step executed twice').toBe(executedIds.length);
  expect(recorded).toEqual(expect.arrayContaining(executedIds));
  const lostWithTheProcess = recorded.filter((id) => !executedIds.includes(id));
  expect(lostWithTheProcess.length, `recorded, no executed span: ${lostWithTheProcess}`).toBeLessThanOrEqual(1);

  // The second process replayed what the first recorded: spans marked replayed, no tokens on them.
  const executedFirst = executed.filter((span) => span.pid === firstPid).map((span) => String(span.attributes['cairn.step.id']));
  expect(executedFirst).toEqual(expect.arrayContaining(['model#0', 'tool:work#0', 'model#1', 'tool:work#1']));
  const replayed = stepSpans.filter((span) => span.attributes['cairn.step.replayed'] === true);
  expect(replayed.map((span) => span.pid)).toEqual(replayed.map(() => secondPid));
  const recordedFirst = recorded.filter((id) => executedFirst.includes(id) || lostWithTheProcess.includes(id));
  expect(replayed.map((span) => span.attributes['cairn.step.id'])).toEqual(recordedFirst);
  for (const span of replayed) expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  const resume = spans.find((span) => span.name === 'cairn.run.resume');
  expect(resume).toMatchObject({ pid: secondPid, attributes: { 'cairn.run.replayed_steps': recordedFirst.length } });

  // GenAI attributes: model calls and tool calls.
  for (const span of executed.filter((s) => String(s.attributes['cairn.step.id']).startsWith('model#'))) {
    const turn = Number(String(span.attributes['cairn.step.id']).slice('model#'.length));
    expect(span).toMatchObject({
      name: 'chat gpt-test',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-test',
        'gen_ai.usage.input_tokens': 10 + turn,
        'gen_ai.usage.output_tokens': 5,
      },
    });
  }
  for (const span of executed.filter((s) => String(s.attributes['cairn.step.id']).startsWith('tool:'))) {
    expect(span).toMatchObject({
      name: 'execute_tool work',
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'work', 'cairn.step.attempts': 1 },
    });
  }
  expect(spans.filter((span) => span.name === 'cairn.run.end')).toMatchObject([
    { pid: secondPid, attributes: { 'cairn.run.status': 'completed' } },
  ]);
  // Each process's spans name their owner.
  expect(new Set(stepSpans.map((span) => span.attributes['cairn.owner']))).toEqual(
    new Set([`child-${firstPid}`, `child-${secondPid}`]),
  );
});
