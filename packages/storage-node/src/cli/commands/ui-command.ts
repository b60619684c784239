/**
 * `cairn ui --store <spec> [--workflows module] [--port n]` and `cairn ui --url <runs API> [--token t]`:
 * serve the Cairn Inspector (@cairn/inspector) on 127.0.0.1 until SIGINT or SIGTERM (ADR 0175).
 * The actions go through the same runtime API as the other commands; with `--url` they go to a
 * Durable Objects run host's HTTP API, which drives its own runs.
 */
import { createRunHostBackend, createRuntimeBackend, type InspectorBackend, startInspectorServer } from '@cairn/inspector/server';
import { UsageError } from '../cli-errors.ts';
import type { Command } from '../command.ts';
import { jsonText } from '../format/terminal-text.ts';
import { loadWorkflows } from '../load-workflows.ts';

function portOption(text: string | boolean | undefined): number {
  if (text === undefined) return 0;
  if (typeof text !== 'string' || !/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new UsageError(`--port: expected a port from 0 to 65535, got ${JSON.stringify(String(text).slice(0, 40))}`);
  return Number(text);
}

function runHostUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: not a URL: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError('--url: expected an http(s) URL of the runs API');
  if (url.username || url.password) throw new UsageError('--url: put the token in --token (or CAIRN_TOKEN), not in the URL');
  return url.href;
}

/** `cairn ui` */
export const uiCommand: Command = {
  name: 'ui',
  summary: 'Serve the Cairn Inspector (a web UI of the runs) on 127.0.0.1 until stopped',
  positionals: [],
  storeless: (values) => typeof values.url === 'string',
  options: {
    workflows: { type: 'string', value: '<module>', help: 'enable retry, fork and approve-and-continue with this workflow code' },
    port: { type: 'string', value: '<n>', help: 'port on 127.0.0.1 (default: a free one)' },
    url: { type: 'string', value: '<url>', help: 'a Durable Objects run host runs API (https://…/runs) instead of --store' },
    token: { type: 'string', value: '<token>', help: "with --url: the host's bearer token (default: $CAIRN_TOKEN)" },
  },
  details: [
    'Prints a URL with a random access token (http://127.0.0.1:<port>/#token=…): open it in a browser.',
    'The server listens on 127.0.0.1 only; every API call must carry the token. Stop it with Ctrl-C.',
    'Without --workflows the inspector shows runs and can approve, cancel, signal and delete; retry and',
    'fork need the workflow code. With --url every action goes to the run host, which drives its runs.',
    'JSON: one line { "url", "port" } once listening.',
  ],
  async run({ io, json, values, store, runtime }) {
    const port = portOption(values.port);
    let backend: InspectorBackend;
    if (typeof values.url === 'string') {
      if (values.workflows !== undefined || values.store !== undefined)
        throw new UsageError('--url talks to a run host: it goes without --store and --workflows');
      const token = typeof values.token === 'string' ? values.token : io.env.CAIRN_TOKEN;
      backend = createRunHostBackend({ url: runHostUrl(values.url), ...(token ? { token } : {}) });
    } else {
      if (values.token !== undefined) throw new UsageError('--token goes with --url');
      const workflows = typeof values.workflows === 'string' ? await loadWorkflows(values.workflows) : [];
      const opened = store();
      backend = createRuntimeBackend(runtime(workflows), { canDrive: workflows.length > 0, name: opened.name });
    }
    const server = await startInspectorServer({ backend, port });
    if (json) io.out(jsonText({ url: server.url, port: server.port }, 0));
    else {
      io.out(`Cairn Inspector on ${backend.name}: ${server.url}`);
      io.out(io.style.dim('Open the URL in a browser (it holds the access token). Ctrl-C stops.'));
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
