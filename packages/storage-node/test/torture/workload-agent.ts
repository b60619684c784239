/**
 * The `torture-agent` workflow: an agent on the scripted model with a pure `lookup` tool and a
 * `record` tool whose side effect is a ledger line keyed by its idempotency key (fsync'd), and which
 * reconciles an unknown outcome by reading the ledger. The script answers by turn, so a resumed run
 * gets the replies an uninterrupted run got, and its final text depends only on the variant.
 */
import { type AgentMessage, createScriptedModel, defineAgent, type ScriptedReply, tool, type Workflow } from '@cairn/core';
import { z } from 'zod';
import type { Recorder } from './side-effect-files.ts';
import { AGENT_WORKFLOW, runIdOfAgentInput } from './workload-specs.ts';

const ITEMS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date'];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const price = (item: string) => item.length * 100;

// Call ids name their tool and per-tool call number, so an execution logs the engine's step id
// (`tool:<name>#<n>`: n counts calls of that tool in the run, in call order).
const call = (name: string, n: number, args: object) => ({ id: `${name}-${n}`, name, arguments: args });
const stepIdOfCall = (callId: string) => `tool:${callId.replace(/-(\d+)$/, '#$1')}`;

function summary(messages: readonly AgentMessage[]): string {
  const recorded = messages
    .filter((m) => m.role === 'tool')
    .map((m) => JSON.parse(m.content ?? 'null') as { recorded?: string; cents?: number } | null)
    .filter((r): r is { recorded: string; cents: number } => typeof r?.recorded === 'string');
  const total = recorded.reduce((sum, r) => sum + r.cents, 0);
  return `Recorded ${recorded.length} sales (${recorded.map((r) => r.recorded).join(', ')}) for ${total} cents.`;
}

/** The agent workflow, recording each model call, tool execution and ledger write through `recorder`. */
export function createAgentWorkflow(recorder: Recorder): Workflow<unknown, unknown> {
  const lookup = tool({
    name: 'lookup',
    description: 'Price of an item in cents',
    input: z.object({ item: z.string() }),
    effect: 'retry',
    execute: async ({ item }, ctx) => {
      recorder.exec(ctx.runId, stepIdOfCall(ctx.callId), ctx.attempt, ctx.idempotencyKey);
      await pause(1);
      return { item, cents: price(item) };
    },
  });
  const record = tool({
    name: 'record',
    description: 'Record a sale in the ledger',
    input: z.object({ item: z.string(), cents: z.number().int() }),
    execute: ({ item, cents }, ctx) => {
      recorder.exec(ctx.runId, stepIdOfCall(ctx.callId), ctx.attempt, ctx.idempotencyKey);
      recorder.ledgerAppend(ctx.idempotencyKey, `record ${ctx.runId} ${item} ${cents}`);
      return { recorded: item, cents };
    },
    onUnknown: async ({ idempotencyKey }) => {
      const line = recorder.ledgerFind(idempotencyKey);
      if (!line) return { completed: false };
      const [, , item = '', cents = '0'] = line.split(' ');
      return { completed: true, result: { recorded: item, cents: Number(cents) } };
    },
  });
  const model = createScriptedModel(
    (request, { turn }): ScriptedReply => {
      const first = request.messages.find((m) => m.role === 'user')?.content ?? '';
      recorder.exec(runIdOfAgentInput(first), `model#${turn}`, 1, undefined);
      const variant = Number(/batch (\d+)/.exec(first)?.[1] ?? 0);
      const [a = '', b = '', c = ''] = ITEMS.slice(variant, variant + 3);
      const plan: ScriptedReply[] = [
        { text: 'Looking prices up.', toolCalls: [call('lookup', 0, { item: a }), call('lookup', 1, { item: b })] },
        {
          toolCalls: [call('record', 0, { item: a, cents: price(a) }), call('record', 1, { item: b, cents: price(b) })],
        },
        { toolCalls: [call('lookup', 2, { item: c })] },
        { toolCalls: [call('record', 2, { item: c, cents: price(c) })] },
      ];
      return plan[turn] ?? summary(request.messages);
    },
    { delayMs: 2 },
  );
  return defineAgent({
    name: AGENT_WORKFLOW,
    model,
    instructions: 'Look each price up, record each sale exactly once, then summarise.',
    tools: [lookup, record],
    maxTurns: 8,
  }) as Workflow<unknown, unknown>;
}
