/**
 * A demo worker: one process that drives the support agent's run over the SQLite store — starts it,
 * or resumes it after a crash — and reports every engine event as a JSON line. The parent may
 * SIGKILL it at any moment; nothing here tries to survive that, because the journal already does.
 *
 * argv[2]: `WorkerArgs` as JSON. env: OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL (openai only).
 */
import { CairnError, type RunEvent } from '@cairn/core';
import { createSqliteStore } from '@cairn/storage-node';
import { createDemoOpenAIModel } from '../shared/openai-model.ts';
import { createDemoScriptedModel, createSupportAgent } from '../shared/support-agent.ts';
import { CUSTOMER_MESSAGE } from '../shared/support-data.ts';
import { createFileLedger } from './file-ledger.ts';
import type { WorkerArgs, WorkerMessage } from './worker-protocol.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const send = (message: WorkerMessage): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
const owner = `${args.name}-pid${process.pid}`;

const store = createSqliteStore({ path: args.storePath });
const agent = createSupportAgent({
  store,
  model:
    args.model === 'openai'
      ? createDemoOpenAIModel({
          apiKey: process.env.OPENAI_API_KEY ?? '',
          model: process.env.OPENAI_MODEL || 'gpt-4o-mini',
          ...(process.env.OPENAI_BASE_URL ? { baseURL: process.env.OPENAI_BASE_URL } : {}),
        })
      : createDemoScriptedModel({ delayMs: args.delayMs }),
  ledger: createFileLedger(args.ledgerPath),
  delays: { readMs: 250, writeMs: 500 },
  refundNeedsApproval: false,
  runtime: {
    owner,
    leaseMs: args.leaseMs,
    // Streamed text is shown by the parent, one model step at a time.
    onEvent: (event: RunEvent) => send({ type: 'event', event }),
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resume the run; a dead worker's lease is still live for up to leaseMs, so wait it out (bounded). */
async function resume(): Promise<Awaited<ReturnType<typeof agent.resume>>> {
  const deadline = Date.now() + Math.max(30_000, args.leaseMs * 5);
  for (;;) {
    const info = await agent.runtime.get(args.runId);
    const lease = info.status === 'running' ? info.lease : null;
    if (lease && lease.owner !== owner) {
      const waitMs = lease.expiresAt - Date.now();
      send({ type: 'lease-found', owner: lease.owner, expiresAt: lease.expiresAt, waitMs });
      if (waitMs > 0) await sleep(waitMs + 20);
    }
    const result = await agent.resume(args.runId);
    if (result.status !== 'running' || Date.now() > deadline) return result;
    await sleep(100);
  }
}

let code = 0;
try {
  send({ type: 'hello', pid: process.pid, owner, mode: args.mode, runId: args.runId });
  const result = args.mode === 'start' ? await agent.run(CUSTOMER_MESSAGE, { runId: args.runId }) : await resume();
  send({
    type: 'result',
    status: result.status,
    usage: result.usage,
    ...(result.status === 'completed' ? { output: result.output } : {}),
  });
} catch (error) {
  code = 1;
  send({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    ...(CairnError.is(error) ? { code: error.code } : {}),
  });
} finally {
  await agent.close();
  await store.close();
}
// The OpenAI client keeps sockets alive: exit once stdout is flushed.
process.stdout.write('', () => process.exit(code));
