/**
 * `cairn history <runId>`: the journal as a per-step table.
 */
import type { HistoryItem } from '@cairn/core';
import { type Command, printJson } from '../command.ts';
import type { Style } from '../format/style.ts';
import { formatTable } from '../format/table.ts';
import { forDisplay } from '../format/terminal-text.ts';
import { formatCount, formatDuration, formatTime, preview } from '../format/values.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** What an entry says in the STATUS column. */
function statusOf(item: HistoryItem, ended: ReadonlySet<string>, decided: ReadonlySet<string>, style: Style): string {
  const error = item.error ? `${item.error.code ?? item.error.name}: ${preview(item.error.message, 70)}` : '';
  switch (item.kind) {
    case 'step-start':
      return ended.has(item.key) ? style.dim('intent') : style.yellow('intent, no outcome (in flight or unknown)');
    case 'step-end':
      return style.green('ok');
    case 'step-fail':
      return style.red(`failed ${error}`);
    case 'sleep-start':
      return `until ${item.wakeAt ? formatTime(item.wakeAt) : '?'}`;
    case 'approval-request':
      return decided.has(item.key) ? 'requested' : style.yellow('awaiting decision');
    case 'approval-decide': {
      const a = item.approval;
      if (!a) return 'decided';
      const verdict = a.approved ? style.green(`approved by ${a.by}`) : style.red(`rejected by ${a.by}`);
      return a.reason ? `${verdict} (${preview(a.reason, 50)})` : verdict;
    }
    case 'signal-receive':
      return 'received';
    case 'run-end':
      return style.status(item.status ?? '', `${item.status ?? 'ended'}${error ? ` ${error}` : ''}`);
    case 'run-retry': {
      const r = item.retry;
      if (!r) return 'retried';
      return style.yellow(`retried by ${r.by} (attempt ${r.attempt})${r.reason ? `: ${preview(r.reason, 50)}` : ''}`);
    }
    case 'change-mark': {
      const change = item.change;
      if (change?.type === 'patch') return style.cyan('patch taken (new path)');
      if (change?.type === 'definition') return style.yellow(`definition changed: ${change.parts.join(', ') || 'order'}`);
      return 'change';
    }
    default:
      return '';
  }
}

/** `cairn history <runId>` */
export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the journal of a run, one line per entry',
  positionals: ['runId'],
  readOnly: true,
  options: {},
  details: [
    'Columns: SEQ, KIND, STEP (step id), DURATION, ATTEMPTS, TOKENS (input+output), STATUS (outcome or error).',
    'JSON: { "runId": string, "items": HistoryItem[] } (values included).',
  ],
  async run({ io, json, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const history = await runtime().history(runId);
    if (json) {
      printJson(io, { runId, items: history });
      return 0;
    }
    const items = forDisplay(history);
    const { style } = io;
    const ended = new Set(items.filter((i) => i.kind === 'step-end' || i.kind === 'step-fail').map((i) => i.key));
    const decided = new Set(items.filter((i) => i.kind === 'approval-decide').map((i) => i.key));
    const rows = items.map((item) => [
      String(item.seq),
      item.kind,
      item.key,
      item.durationMs !== undefined ? formatDuration(item.durationMs) : '',
      item.attempts !== undefined ? String(item.attempts) : '',
      item.usage ? `${formatCount(item.usage.inputTokens)}+${formatCount(item.usage.outputTokens)}` : '',
      statusOf(item, ended, decided, style),
    ]);
    const columns = [
      { title: 'SEQ', align: 'right' as const },
      { title: 'KIND' },
      { title: 'STEP' },
      { title: 'DURATION', align: 'right' as const },
      { title: 'ATTEMPTS', align: 'right' as const },
      { title: 'TOKENS', align: 'right' as const },
      { title: 'STATUS' },
    ];
    for (const line of formatTable(columns, rows, style.bold)) io.out(line);
    const steps = items.filter((i) => i.kind === 'step-end' || i.kind === 'step-fail');
    const tokens = items.reduce((sum, i) => sum + (i.usage ? i.usage.inputTokens + i.usage.outputTokens : 0), 0);
    const time = steps.reduce((sum, i) => sum + (i.durationMs ?? 0), 0);
    io.out(
      style.dim(
        `${items.length} entries, ${steps.length} step outcomes, ${formatDuration(time)} in steps, ${formatCount(tokens)} tokens`,
      ),
    );
    return 0;
  },
};
