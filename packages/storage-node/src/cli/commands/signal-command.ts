/**
 * `cairn signal <runId> <name> [--payload json]`: deliver a signal to a run (journaled; a waiting
 * run continues at the next resume or serve poll, or at once in the process driving it).
 */
import { type Command, printJson } from '../command.ts';
import { runIdArgument } from '../run-id-argument.ts';
import { jsonOption } from './option-values.ts';

/** `cairn signal …` */
export const signalCommand: Command = {
  name: 'signal',
  summary: 'Send a signal (with an optional JSON payload) to a run',
  positionals: ['runId', 'name'],
  options: {
    payload: { type: 'string', value: '<json>', help: "the signal's payload, as JSON" },
  },
  details: [
    'Example: cairn signal run_123 payment-received --payload \'{"amount": 4200}\'',
    'Exit code 0 when the signal was journaled, 1 when the run cannot take it (e.g. it ended), 3 when',
    'the run does not exist. JSON: { "runId", "name", "delivered": true }',
  ],
  async run({ io, json, values, positionals, runtime }) {
    const runId = runIdArgument(positionals[0]);
    const name = positionals[1] ?? '';
    const payload = jsonOption('--payload', values.payload);
    await runtime().signal(runId, name, payload);
    if (json) printJson(io, { runId, name, delivered: true });
    else io.out(`Sent signal ${JSON.stringify(name)} to ${runId}.`);
    return 0;
  },
};
