/**
 * @cairn/ai-sdk — Cairn models from any Vercel AI SDK provider, and AI SDK tools as Cairn tools.
 * MCP tools are in `@cairn/ai-sdk/mcp`.
 */
export type { ErrorMapping } from './ai-sdk-errors.ts';
export { retryAfterMs, toModelError } from './ai-sdk-errors.ts';
export type { AISDKLanguageModel, AISDKModelRegistry, CreateAISDKModelOptions } from './ai-sdk-model.ts';
export { createAISDKModel } from './ai-sdk-model.ts';
export type { AISDKTool, AISDKToolOptions } from './ai-sdk-tools.ts';
export { fromAISDKTool, fromAISDKTools } from './ai-sdk-tools.ts';
