/**
 * @cairn/inspector: see and operate Cairn runs in a web page. `cairn ui` (in @cairn/storage-node)
 * serves it over any store the CLI opens or a Durable Objects run host; `mountInspector` puts the
 * same views in a page of your own, over a store there (IndexedDB).
 */

export { conversationOf, isAgentRun, type Turn } from './agent-turns.ts';
export type { InspectorBackend, RunQuery, RunView, Who } from './backend.ts';
export { NeedsWorkflowsError } from './backend.ts';
export { InspectorHttpError } from './http-error.ts';
export { type MountInspectorOptions, mountInspector } from './mount-inspector.ts';
export { type CreateRunHostBackendOptions, createRunHostBackend } from './run-host-backend.ts';
export { type CreateRuntimeBackendOptions, createRuntimeBackend } from './runtime-backend.ts';
export { createInspectorApp, type InspectorApp, type InspectorAppOptions } from './ui/app.ts';
export { inert } from './ui/inert-text.ts';
