/**
 * A SQLite store made by real agent runs, for the CLI tests: the shop agent of the end-to-end
 * fixture (real `openai` client, local test server) in child processes —
 * - `interrupted`: SIGKILLed right after its first sale (left `running`; its lease runs out in 1 s),
 * - `completed`: ran to the end (6 model calls, 5 sales),
 * - `paused`: the refund agent, waiting for approval `call_refund_1`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAITestServer, type OpenAITestServer } from '@cairn/test-rigs/openai-test-server';
import { readSales, refundReply, shopReply } from '../e2e/fixtures/shop-agent.ts';

const CHILD = fileURLToPath(new URL('../e2e/fixtures/agent-child.ts', import.meta.url));
const API_KEY = 'sk-test-cli-8d2e4f';

/** Output of the completed shop run. */
export const SHOP_OUTPUT = 'Recorded 5 sales (apple, pear, plum, fig, kiwi) totalling 2000 cents.';

/** The store and what is in it. */
export interface AgentStore {
  db: string;
  salesFile: string;
  runs: { interrupted: string; completed: string; paused: string };
  /** Environment for `cairn resume --workflows <CLI_WORKFLOWS>`. */
  env: Record<string, string>;
  server: OpenAITestServer;
  close(): Promise<void>;
}

/** The `--workflows` module of the CLI tests. */
export const CLI_WORKFLOWS = fileURLToPath(new URL('./fixtures/cli-shop-workflows.ts', import.meta.url));

function runChild(
  args: object,
  children: Set<ChildProcess>,
  killWhen?: () => boolean,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CAIRN_TEST_API_KEY: API_KEY },
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const poll = killWhen ? setInterval(() => killWhen() && child.kill('SIGKILL'), 2) : undefined;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent child did not finish in 60 s: ${err}`));
    }, 60_000);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      children.delete(child);
      if (!killWhen && code !== 0) reject(new Error(`agent child failed (${code}): ${out} ${err}`));
      else resolve({ code, out });
    });
  });
}

/** Build the store in `dir`. */
export async function buildAgentStore(dir: string, children: Set<ChildProcess>): Promise<AgentStore> {
  const server = await createOpenAITestServer({
    respond: (body) => (body.model === 'refunds' ? refundReply(body) : shopReply(body)),
    delayMs: 20,
    chunkDelayMs: 1,
  });
  const db = join(dir, 'agents.db');
  const salesFile = join(dir, 'sales.tsv');
  const runs = { interrupted: 'run_shop_interrupted', completed: 'run_shop_completed', paused: 'run_refund_paused' };
  const common = { db, salesFile, baseURL: server.baseURL };
  await runChild(
    { ...common, mode: 'start', model: 'shop', runId: runs.interrupted, input: 'Record the day.' },
    children,
    () => readSales(salesFile).length >= 1,
  );
  await runChild({ ...common, mode: 'start', model: 'shop', runId: runs.completed, input: 'Record the day.' }, children);
  await runChild({ ...common, mode: 'start', model: 'refunds', runId: runs.paused, input: 'Refund order A1.' }, children);
  return {
    db,
    salesFile,
    runs,
    env: { CAIRN_TEST_BASE_URL: server.baseURL, CAIRN_TEST_SALES_FILE: salesFile, CAIRN_TEST_API_KEY: API_KEY },
    server,
    close: () => server.close(),
  };
}
