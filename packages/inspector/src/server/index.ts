/**
 * @cairn/inspector/server: the HTTP server `cairn ui` runs (Node only).
 */

// The backends, again here so a Node program (the CLI) needs no DOM types to use them.
export type { InspectorBackend, RunQuery, RunView, Who } from '../backend.ts';
export { type CreateRunHostBackendOptions, createRunHostBackend } from '../run-host-backend.ts';
export { type CreateRuntimeBackendOptions, createRuntimeBackend } from '../runtime-backend.ts';
export { bearerToken, newAccessToken, tokenMatches } from './access-token.ts';
export { type ApiRequest, type ApiResponse, handleApi } from './api-routes.ts';
export {
  CONTENT_SECURITY_POLICY,
  type InspectorServer,
  type StartInspectorServerOptions,
  startInspectorServer,
} from './inspector-server.ts';
