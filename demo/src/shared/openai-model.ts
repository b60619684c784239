/**
 * The demo's real model: OpenAI chat completions (or any compatible server via `baseURL`). A module
 * of its own so the browser bundle loads the `openai` client only when someone types a key.
 */
import type { LanguageModel } from '@cairn/core';
import { createOpenAIModel } from '@cairn/core/openai';

/** What the demo needs to call OpenAI. The key stays in the client: Cairn never stores it. */
export interface DemoOpenAISettings {
  apiKey: string;
  model: string;
  baseURL?: string;
  /** In a browser page: the key is then visible to whoever uses the page (fine for your own key). */
  browser?: boolean;
}

/** An OpenAI model for the support agent. */
export function createDemoOpenAIModel(settings: DemoOpenAISettings): LanguageModel {
  return createOpenAIModel({
    model: settings.model,
    apiKey: settings.apiKey,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    ...(settings.browser ? { dangerouslyAllowBrowser: true } : {}),
    timeoutMs: 60_000,
  });
}
