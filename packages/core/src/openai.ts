/**
 * @cairn/core/openai — `createOpenAIModel`, over the official `openai` package (an optional peer
 * dependency: install it to use this entry; ADR 0133). Browser and Worker users who never import
 * this entry do not install or load it.
 */
export type { CreateOpenAIModelOptions } from './models/openai-model.ts';
export { createOpenAIModel } from './models/openai-model.ts';
