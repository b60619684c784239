/**
 * `cairn import <file|->`: write a run exported by `cairn export` (or `exportRun`) into the store
 * (ADR 0120). The document is validated whole first; a run id the store has is refused.
 */
import { readFileSync } from 'node:fs';
import { importRun } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';

// Stdin as text; bounded by what the store accepts anyway (payloads are checked on import).
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readDocument(source: string): string | Promise<string> {
  if (source === '-') return readStdin();
  try {
    return readFileSync(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${JSON.stringify(source)}: ${(error as Error).message}`, { cause: error });
  }
}

/** `cairn import <file|->` */
export const importCommand: Command = {
  name: 'import',
  summary: 'Import a run exported by cairn export (from a file, or - for stdin)',
  positionals: ['file'],
  options: {},
  details: [
    'The run keeps its id, status, journal and pending approvals, and holds no lease: approve or resume it here.',
    'Refused whole (nothing written) for a run id the store has (exit 1, run-exists), a wrong format or',
    'version, a torn or truncated document, a seq gap, an unknown entry kind or a payload over the store limit',
    '(exit 1, naming the run and the line). An unreadable file is a usage error (exit 2).',
    'JSON: { "runId", "workflow", "status", "pauseReason", "entries" }',
  ],
  async run({ io, json, positionals, store }) {
    const source = positionals[0] as string;
    const document = await readDocument(source);
    const record = await importRun(store(), document);
    const summary = {
      runId: record.runId,
      workflow: record.workflow,
      status: record.status,
      pauseReason: record.pauseReason,
      entries: record.lastSeq,
    };
    if (json) printJson(io, summary);
    else
      io.out(
        `Imported run ${record.runId} (${record.workflow}, ${record.status}${record.pauseReason ? ` on ${record.pauseReason}` : ''}, ${record.lastSeq} journal entries).`,
      );
    return 0;
  },
};
