/** @cairn/ai-sdk/mcp — the tools of an MCP server as durable Cairn tools. */
export type { MCPCallResult, MCPClientLike, MCPToolInfo, MCPToolOptions, MCPToolsOptions } from './mcp-tools.ts';
export { IDEMPOTENCY_META_KEY, mcpTools } from './mcp-tools.ts';
