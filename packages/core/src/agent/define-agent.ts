/**
 * `defineAgent`: an agent is a built-in workflow over model steps and tool steps (DESIGN §5).
 *
 * The loop, per turn: budget gate → one model step → either the reply's tool calls (one batch) or
 * the final answer (validated, re-asked when invalid). Everything it decides between steps is a
 * pure function of the input and recorded step results, so replay walks the same path and a resumed
 * run continues exactly where it stopped.
 */
import type { Workflow, WorkflowContext } from '../engine/workflow.ts';
import { MaxTurnsError, OutputInvalidError, ToolError } from '../errors.ts';
import { assertAgentInput } from './agent-input.ts';
import { type DefineAgentOptions, type ResolvedAgentOptions, resolveAgentOptions } from './agent-options.ts';
import { budgetGate } from './budget.ts';
import { type AgentInput, openConversation } from './conversation.ts';
import { definitionGate } from './definition.ts';
import { checkFinal } from './final-output.ts';
import { modelTurn } from './model-turn.ts';
import { runToolCalls } from './tool-calls.ts';

/** The workflow of an agent, with its resolved definition. */
export interface AgentWorkflow<O = string> extends Workflow<AgentInput, O> {
  readonly agent: ResolvedAgentOptions<O>;
}

async function runAgent<O>(agent: ResolvedAgentOptions<O>, ctx: WorkflowContext, input: AgentInput): Promise<O> {
  assertAgentInput(input, ctx.runId);
  const conversation = openConversation(agent.instructions, input);
  // Before anything replays: a run resumed under another definition is recorded or stopped (ADR 0101).
  await definitionGate(ctx, agent, conversation.definition);
  const usedApprovalIds = new Set<string>();
  const head = `[@cairn/core] run "${ctx.runId}": agent "${agent.name}"`;
  let limit = agent.budget;
  let toolErrors = 0;
  let outputRetries = 0;
  for (let turn = 0; ; turn++) {
    if (turn >= agent.maxTurns)
      throw new MaxTurnsError(`${head} used maxTurns (${agent.maxTurns}) model calls without a final answer`);
    if (limit !== undefined) limit = await budgetGate(ctx, limit, agent.budget!);
    const { m: message } = await modelTurn(ctx, agent, conversation);
    const calls = message.toolCalls ?? [];
    if (calls.length > 0) {
      const outcomes = await runToolCalls(ctx, agent as ResolvedAgentOptions<unknown>, calls, usedApprovalIds);
      conversation.push(...outcomes.map((o) => o.message));
      let last: string | undefined;
      for (const outcome of outcomes) {
        toolErrors = outcome.problem ? toolErrors + 1 : 0;
        last = outcome.problem ?? last;
      }
      if (toolErrors > agent.maxToolErrors)
        throw new ToolError(
          `${head}: ${toolErrors} tool errors in a row (maxToolErrors ${agent.maxToolErrors}); the last was ${last}`,
        );
      continue;
    }
    const verdict = checkFinal<O>(message, agent.output?.validate);
    if (verdict.ok) return verdict.output;
    if (outputRetries >= agent.maxOutputRetries)
      throw new OutputInvalidError(
        `${head}: ${verdict.problem}, after ${outputRetries} re-asks (maxOutputRetries ${agent.maxOutputRetries})`,
      );
    outputRetries++;
    conversation.push({ role: 'user', content: verdict.reask });
  }
}

/**
 * Define an agent: a workflow to register with a runtime. Its input is the user's message, or
 * `{ messages }` to continue a conversation; its output is the final text, or the parsed `output`.
 *
 * @example
 * const support = defineAgent({
 *   name: 'support',
 *   model: createOpenAIModel({ model: 'gpt-4o-mini' }), // from '@cairn/core/openai'
 *   instructions: 'You help customers with their orders.',
 *   tools: [lookupOrder, refund],
 *   maxTurns: 8,
 * });
 * const runtime = createRuntime({ store, workflows: [support] });
 * const run = await runtime.start(support, 'Where is order 42?');
 * console.log(await run.result());
 */
export function defineAgent<O = string>(options: DefineAgentOptions<O>): AgentWorkflow<O> {
  const agent = resolveAgentOptions(options);
  return { name: agent.name, agent, fn: (ctx, input) => runAgent(agent, ctx, input) };
}
