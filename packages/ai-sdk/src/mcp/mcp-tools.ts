/**
 * `mcpTools`: the tools of an MCP server (a `@modelcontextprotocol/sdk` client over stdio,
 * streamable HTTP or any transport) as durable Cairn tools (ADR 0132). Each call is one journaled
 * step like any tool: by default `effect: 'once'` (an intent before the call, so a crash inside it
 * is noticed on resume and the tool's `onUnknown` decides), with the call's idempotency key sent in
 * the request's `_meta` for servers that deduplicate.
 */
import {
  type AnyTool,
  InvalidArgumentError,
  type StandardSchemaV1,
  ToolError,
  type ToolJsonSchema,
  type ToolOptions,
  tool,
} from '@cairn/core';

/** An MCP tool as `tools/list` describes it. */
export interface MCPToolInfo {
  name: string;
  description?: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  annotations?: { readOnlyHint?: boolean; idempotentHint?: boolean; [key: string]: unknown };
}

/** What `tools/call` answers (the parts Cairn reads). */
export interface MCPCallResult {
  content?: Array<{ type: string; text?: string; [key: string]: unknown }>;
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

/** The client methods `mcpTools` uses: `Client` from `@modelcontextprotocol/sdk/client/index.js` has them. */
export interface MCPClientLike {
  listTools(params?: { cursor?: string }): Promise<{ tools: MCPToolInfo[]; nextCursor?: string }>;
  callTool(
    params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> },
    resultSchema?: undefined,
    options?: { signal?: AbortSignal; timeout?: number },
  ): Promise<unknown>;
}

/** Cairn's options for one MCP tool. */
export type MCPToolOptions = Omit<ToolOptions<unknown, unknown>, 'name' | 'input' | 'parameters' | 'execute' | 'description'> & {
  /** Replaces the server's description. */
  description?: string;
};

/** Options of `mcpTools`. */
export interface MCPToolsOptions {
  /** Prepended to each tool's name (e.g. `'github_'`), to keep several servers apart. */
  prefix?: string;
  /** Only these server tools (by their MCP name); default: all. */
  include?: readonly string[];
  /** Options of every tool (default `effect: 'once'`, `onUnknown: 'report'`). */
  defaults?: MCPToolOptions;
  /** Options per tool, by MCP name, over `defaults`. */
  tools?: Readonly<Record<string, MCPToolOptions>>;
  /** The `_meta` key carrying the idempotency key (default `'dev.cairn/idempotency-key'`); `false` sends none. */
  idempotencyMetaKey?: string | false;
  /** Per-call timeout passed to the client, in ms (default: the client's). */
  callTimeoutMs?: number;
}

/** The `_meta` key the idempotency key travels in, by default. */
export const IDEMPOTENCY_META_KEY = 'dev.cairn/idempotency-key';

const MAX_PAGES = 100;

/** Lists every tool of the server (following cursors, at most 100 pages). */
async function listAll(client: MCPClientLike): Promise<MCPToolInfo[]> {
  const tools: MCPToolInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...listed.tools);
    cursor = listed.nextCursor;
    if (!cursor) return tools;
  }
  throw new InvalidArgumentError(`[@cairn/ai-sdk] mcpTools: the server's tool list did not end within ${MAX_PAGES} pages`);
}

/** A Standard Schema that accepts any object: the server validates what Cairn cannot. */
const anyObject: StandardSchemaV1<unknown, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'cairn-mcp',
    validate: (value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'expected an object' }] },
  },
};

/** A tool result as a journaled value: structured content, else the text, else the content parts. */
function resultValue(result: MCPCallResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = result.content ?? [];
  if (content.every((part) => part.type === 'text')) return content.map((part) => part.text ?? '').join('\n');
  return content;
}

function errorText(result: MCPCallResult): string {
  const text = (result.content ?? [])
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('\n');
  return text || 'the tool reported an error';
}

/**
 * The tools of an MCP server as Cairn tools. The list is read once, now: the agent's definition
 * (and so its request hash) holds each tool's name, description and schema, so a server whose tool
 * list changed is a definition change for runs made with the old list.
 *
 * @example
 * const client = new Client({ name: 'my-agent', version: '1.0.0' });
 * await client.connect(new StdioClientTransport({ command: 'node', args: ['server.js'] }));
 * const tools = await mcpTools(client, { tools: { search: { effect: 'retry' }, pay: { needsApproval: true, onUnknown: 'pause' } } });
 */
export async function mcpTools(client: MCPClientLike, options: MCPToolsOptions = {}): Promise<AnyTool[]> {
  if (typeof client?.listTools !== 'function' || typeof client.callTool !== 'function')
    throw new InvalidArgumentError('[@cairn/ai-sdk] mcpTools: expected a connected MCP client (listTools, callTool)');
  const listed = await listAll(client);
  const include = options.include ? new Set(options.include) : undefined;
  for (const name of [...(options.include ?? []), ...Object.keys(options.tools ?? {})])
    if (!listed.some((t) => t.name === name))
      throw new InvalidArgumentError(`[@cairn/ai-sdk] mcpTools: the server has no tool "${name.slice(0, 80)}"`);
  const metaKey = options.idempotencyMetaKey === undefined ? IDEMPOTENCY_META_KEY : options.idempotencyMetaKey;
  const seen = new Map<string, string>();
  const tools: AnyTool[] = [];
  for (const info of listed) {
    if (include && !include.has(info.name)) continue;
    const name = `${options.prefix ?? ''}${info.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const clash = seen.get(name);
    if (clash !== undefined)
      throw new InvalidArgumentError(
        `[@cairn/ai-sdk] mcpTools: the MCP tools "${clash.slice(0, 80)}" and "${info.name.slice(0, 80)}" both become "${name}"`,
      );
    seen.set(name, info.name);
    const perTool = { ...options.defaults, ...options.tools?.[info.name] };
    const schema = info.inputSchema ?? { type: 'object' };
    let input: StandardSchemaV1 | ToolJsonSchema = schema as ToolJsonSchema;
    let parameters: Record<string, unknown> | undefined;
    try {
      tool({ name, description: '', input, execute: () => undefined });
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      // A schema beyond Cairn's check ($ref…): the model still sees it, the server validates.
      input = anyObject;
      parameters = schema;
    }
    const mcpName = info.name;
    tools.push(
      tool<unknown, unknown>({
        ...perTool,
        name,
        description: perTool.description ?? info.description ?? '',
        input,
        ...(parameters ? { parameters } : {}),
        execute: async (args, ctx) => {
          const result = (await client.callTool(
            {
              name: mcpName,
              arguments: args as Record<string, unknown>,
              ...(metaKey ? { _meta: { [metaKey]: ctx.idempotencyKey } } : {}),
            },
            undefined,
            { signal: ctx.signal, ...(options.callTimeoutMs !== undefined ? { timeout: options.callTimeoutMs } : {}) },
          )) as MCPCallResult;
          // The server answered with an error: an outcome, not a transport failure, so it is not
          // retried; its text goes to the model through the agent's redaction (ADR 0067).
          if (result.isError) throw new ToolError(errorText(result), { retryable: false });
          return resultValue(result);
        },
      }),
    );
  }
  return tools;
}
