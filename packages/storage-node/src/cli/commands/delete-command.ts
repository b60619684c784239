/**
 * `cairn delete <runId> [--force]`: delete a run and its journal.
 */
import { CairnError, LeaseHeldError, RunNotFoundError } from '@cairn/core';
import { type Command, printJson } from '../command.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** `cairn delete <runId> [--force]` */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a run and its journal',
  positionals: ['runId'],
  options: {
    force: { type: 'boolean', help: 'delete even while a process drives the run under a live lease' },
  },
  details: [
    'A run driven under a live lease is refused (exit 1) unless --force: its process would fail its next write.',
    'JSON: { "runId": string, "deleted": true }. Exit code 3 when the run does not exist.',
  ],
  async run({ io, json, values, positionals, runtime, store }) {
    const runId = runIdArgument(positionals[0]);
    let deleted: boolean;
    try {
      deleted = await runtime().delete(runId, { force: values.force === true });
    } catch (error) {
      if (!CairnError.is(error, 'lease-held')) throw error;
      throw new LeaseHeldError(
        `[@cairn/storage-node] run "${runId}" is driven by another process under a live lease; cancel it first, or pass --force`,
        { cause: error },
      );
    }
    if (!deleted) throw new RunNotFoundError(`[@cairn/storage-node] run "${runId}" not found in store "${store().name}"`);
    if (json) printJson(io, { runId, deleted: true });
    else io.out(`Deleted run ${runId}.`);
    return 0;
  },
};
