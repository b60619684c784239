/**
 * `cairn stats`: runs per status.
 */
import { RUN_STATUSES } from '@cairn/core';
import { type Command, printJson } from '../command.ts';
import { formatTable } from '../format/table.ts';
import { formatCount } from '../format/values.ts';

/** `cairn stats` */
export const statsCommand: Command = {
  name: 'stats',
  summary: 'Count runs per status',
  positionals: [],
  readOnly: true,
  options: {},
  details: ['JSON: { "backend": string, "total": number, "byStatus": { running, paused, failed, completed, cancelled } }'],
  async run({ io, json, store }) {
    const opened = store();
    const stats = { backend: opened.name, ...(await opened.stats()) };
    if (json) {
      printJson(io, stats);
      return 0;
    }
    const { style } = io;
    const rows = RUN_STATUSES.map((status) => [style.status(status), formatCount(stats.byStatus[status] ?? 0)]);
    rows.push([style.bold('total'), style.bold(formatCount(stats.total))]);
    for (const line of formatTable([{ title: 'STATUS' }, { title: 'RUNS', align: 'right' }], rows, style.bold)) io.out(line);
    io.out(style.dim(`backend: ${stats.backend}`));
    return 0;
  },
};
