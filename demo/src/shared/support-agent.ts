/**
 * The demo's support agent, the same in Node and in the browser: only the store, the model and the
 * side-effect ledger differ.
 */
import { Agent, type AgentOptions, createScriptedModel, type DurableStore, type LanguageModel } from '@cairn/core';
import type { SideEffectLedger } from './side-effects.ts';
import { SUPPORT_INSTRUCTIONS } from './support-data.ts';
import { supportScript } from './support-script.ts';
import { createSupportTools, type ToolDelays } from './support-tools.ts';

/**
 * The offline model: deterministic replies that read the tool results, after `delayMs` of
 * "thinking", streamed in small pieces. OpenAI lives in `openai-model.ts`, loaded only when used.
 */
export function createDemoScriptedModel(options: { delayMs: number; chunkDelayMs?: number }): LanguageModel {
  return createScriptedModel(supportScript, { delayMs: options.delayMs, chunkSize: 6, chunkDelayMs: options.chunkDelayMs ?? 10 });
}

/** Options of `createSupportAgent`. */
export interface SupportAgentOptions {
  /** Workflow name (default `support`); one per model, since a run resumes only under its name. */
  name?: string;
  store: DurableStore;
  model: LanguageModel;
  ledger: SideEffectLedger;
  delays: ToolDelays;
  refundNeedsApproval: boolean;
  runtime?: AgentOptions['runtime'];
}

/** The workflow name of the demo's runs: a run resumes only under the same name. */
export const SUPPORT_AGENT_NAME = 'support';

/**
 * The support agent: looks an order up, checks stock, refunds, e-mails the customer, summarises.
 *
 * @example
 * const agent = createSupportAgent({ store, model: createDemoScriptedModel({ delayMs: 300 }), ledger, delays, refundNeedsApproval: false });
 * const result = await agent.run(CUSTOMER_MESSAGE);
 */
export function createSupportAgent(options: SupportAgentOptions): Agent<string> {
  return new Agent({
    name: options.name ?? SUPPORT_AGENT_NAME,
    model: options.model,
    instructions: SUPPORT_INSTRUCTIONS,
    tools: createSupportTools({
      ledger: options.ledger,
      delays: options.delays,
      refundNeedsApproval: options.refundNeedsApproval,
    }),
    maxTurns: 8,
    store: options.store,
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
}
