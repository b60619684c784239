/**
 * `cairn list`: runs, newest first, one page at a time.
 */
import { CairnError, MAX_LIST_LIMIT } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { formatTable } from '../format/table.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { formatAge, formatCount } from '../format/values.ts';
import { statusText, stepText, summarize } from '../run-summary.ts';
import { parseStatuses } from '../statuses.ts';

const DEFAULT_LIMIT = 50;

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new UsageError(`--limit: expected a whole number from 1 to ${MAX_LIST_LIMIT}, got ${JSON.stringify(text)}`);
  return limit;
}

/** `userId=u1,sessionId=s1` → a metadata filter. */
function parseMetadata(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0)
      throw new UsageError(`--metadata: expected key=value pairs separated by commas, got ${JSON.stringify(part.slice(0, 40))}`);
    pairs[part.slice(0, at)] = part.slice(at + 1);
  }
  return pairs;
}

/** `cairn list [--status s1,s2] [--workflow w] [--metadata k=v] [--limit n] [--cursor c]` */
export const listCommand: Command = {
  name: 'list',
  summary: 'List runs, newest first',
  positionals: [],
  readOnly: true,
  options: {
    status: {
      type: 'string',
      value: '<s1,s2>',
      help: 'only runs in these statuses (running, paused, failed, completed, cancelled)',
    },
    workflow: { type: 'string', value: '<name>', help: 'only runs of this workflow' },
    limit: { type: 'string', value: '<n>', help: `runs per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIST_LIMIT})` },
    cursor: { type: 'string', value: '<c>', help: 'continue after the previous page (printed at its end)' },
    metadata: { type: 'string', value: '<k=v,…>', help: 'only runs whose metadata has every pair (exact match)' },
  },
  details: ['JSON: { "runs": RunSummary[] (each with "metadata": object | null), "cursor": string | null }'],
  async run({ io, json, values, store, runtime }) {
    const status = typeof values.status === 'string' ? parseStatuses(values.status) : undefined;
    const workflow = typeof values.workflow === 'string' ? values.workflow : undefined;
    const cursor = typeof values.cursor === 'string' ? values.cursor : undefined;
    const limit = parseLimit(values.limit as string | undefined);
    const metadata = typeof values.metadata === 'string' ? parseMetadata(values.metadata) : undefined;
    let page: { runs: Array<Parameters<typeof summarize>[0]>; cursor?: string };
    try {
      const query = {
        limit,
        ...(status ? { status } : {}),
        ...(workflow !== undefined ? { workflow } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      };
      // The metadata filter is the runtime's (over the store's pages); the rest is the store's own.
      page = metadata ? await runtime().list({ ...query, metadata }) : await store().listRuns(query);
    } catch (error) {
      // A cursor from somewhere else, or a bad filter: the command line's fault.
      if (CairnError.is(error, 'invalid-argument')) throw new UsageError(error.message.replace(/^\[[^\]]+\] /, ''));
      throw error;
    }
    if (json) {
      printJson(io, { runs: page.runs.map(summarize), cursor: page.cursor ?? null });
      return 0;
    }
    const { style } = io;
    if (page.runs.length === 0) {
      io.out(cursor ? 'No more runs.' : 'No runs match.');
      return 0;
    }
    const now = io.now();
    const rows = forDisplay(page.runs).map((run) => [
      run.runId,
      run.workflow,
      style.status(run.status, statusText(run.status, run.pauseReason)),
      stepText(run.step),
      run.usage.totalTokens > 0 ? formatCount(run.usage.totalTokens) : '-',
      formatAge(run.createdAt, now),
      formatAge(run.updatedAt, now),
    ]);
    const columns = [
      { title: 'RUN' },
      { title: 'WORKFLOW' },
      { title: 'STATUS' },
      { title: 'STEP' },
      { title: 'TOKENS', align: 'right' as const },
      { title: 'CREATED' },
      { title: 'UPDATED' },
    ];
    for (const line of formatTable(columns, rows, style.bold)) io.out(line);
    io.out(style.dim(`${page.runs.length} run${page.runs.length === 1 ? '' : 's'}`));
    if (page.cursor) io.out(style.dim(`more: add --cursor ${page.cursor}`));
    return 0;
  },
};
