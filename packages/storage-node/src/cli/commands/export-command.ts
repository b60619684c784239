/**
 * `cairn export <runId> [--out file]`: one run as a portable JSON-lines document (ADR 0120), for
 * `cairn import` or `importRun` into any other store.
 */
import { writeFileSync } from 'node:fs';
import { exportRun, LeaseHeldError } from '@cairn/core';
import { UsageError } from '../cli-errors.ts';
import { type Command, printJson } from '../command.ts';
import { jsonText } from '../format/terminal-text.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** `cairn export <runId> [--out file]` */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a run (header and journal) as a portable JSON-lines document',
  positionals: ['runId'],
  readOnly: true,
  options: {
    out: { type: 'string', short: 'o', value: '<file>', help: 'write to this new file (refused if it exists) instead of stdout' },
    force: { type: 'boolean', help: 'export even while a process drives the run under a live lease' },
  },
  details: [
    'Format "cairn-run" version 1: a header line with the run record, then one line per journal entry.',
    'Without --out the document goes to stdout (characters a terminal acts on are \\u-escaped, same JSON).',
    'A run driven under a live lease is refused (exit 1) unless --force: imported elsewhere, it would have two drivers.',
    'JSON (needs --out): { "runId", "out", "entries", "bytes", "status" }. Exit code 3 when the run does not exist.',
  ],
  async run({ io, json, values, positionals, store }) {
    const runId = runIdArgument(positionals[0]);
    const out = values.out as string | undefined;
    if (json && out === undefined)
      throw new UsageError('export --json needs --out <file>: without it stdout carries the document');
    if (out === '') throw new UsageError('--out needs a file name');
    const document = await exportRun(store(), runId);
    const { run } = JSON.parse(document.slice(0, document.indexOf('\n'))) as {
      run: { status: string; lease: { expiresAt: number } | null };
    };
    if (run.status === 'running' && run.lease !== null && run.lease.expiresAt > io.now() && values.force !== true)
      throw new LeaseHeldError(
        `[@cairn/storage-node] run "${runId}" is driven by a process under a live lease; imported elsewhere it would run twice. Stop it, wait for the lease to run out, or pass --force`,
        { runId },
      );
    if (out === undefined) {
      for (const line of document.trimEnd().split('\n')) io.out(jsonText(JSON.parse(line), 0));
      return 0;
    }
    try {
      writeFileSync(out, document, { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`--out ${JSON.stringify(out)} exists; export never overwrites a file`);
      throw new UsageError(`--out ${JSON.stringify(out)}: ${(error as Error).message}`, { cause: error });
    }
    const entries = document.split('\n').length - 2;
    const status = run.status;
    if (json) printJson(io, { runId, out, entries, bytes: Buffer.byteLength(document), status });
    else io.out(`Exported run ${runId} (${status}, ${entries} journal entries) to ${out}.`);
    return 0;
  },
};
