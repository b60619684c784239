/**
 * `cairn cancel <runId> [--reason text]`: cancel a run. A paused or abandoned run is ended at once; a
 * run driven by a live process gets a cancel request its driver honours at the next step boundary.
 */
import { type Command, printJson } from '../command.ts';
import { runIdArgument } from '../run-id-argument.ts';

/** `cairn cancel …` */
export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Cancel a run (a live run stops at its next step boundary)',
  positionals: ['runId'],
  options: {
    reason: { type: 'string', value: '<text>', help: "why, recorded in the run's error" },
  },
  details: [
    'A cancelled run is final (it cannot be retried; fork it to start again). Cancelling a run that',
    'already ended changes nothing. Exit code 0 when the run is cancelled or had ended, 1 when a live',
    'driver was asked and has not stopped yet, 3 when the run does not exist.',
    'JSON: { "runId", "status", "requested": boolean } (requested: a live driver was asked to stop).',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const rt = runtime();
    const before = await rt.get(runId);
    await rt.cancel(runId, typeof values.reason === 'string' ? { reason: values.reason } : {});
    const after = await rt.get(runId);
    const requested = after.status !== 'cancelled' && after.cancelRequested;
    if (json) printJson(io, { runId, status: after.status, requested });
    else if (requested) io.out(`Asked the process driving ${runId} to cancel it at its next step boundary.`);
    else if (before.status === after.status && after.status !== 'cancelled')
      io.out(`Run ${runId} had already ended (${after.status}).`);
    else io.out(`Cancelled ${runId}.`);
    return requested ? 1 : 0;
  },
};
