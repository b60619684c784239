/**
 * The simple path: `new Agent({ model, tools, store, instructions })` owns a runtime with one
 * workflow, and `run` / `resume` / `approve` settle to a plain result. Everything else is on
 * `agent.runtime`. Private state lives in the closure of `createAgent`; `new Agent(…)` returns it.
 */
import { deserializeError } from '../codec.ts';
import type { RunEvent } from '../engine/events.ts';
import type { PendingApproval } from '../engine/run-info.ts';
import { idempotentRunId } from '../engine/runtime/idempotency.ts';
import type { ServeOptions, Server } from '../engine/runtime/serve-loop.ts';
import { type ApprovalInput, type CreateRuntimeOptions, createRuntime, type Runtime } from '../engine/runtime.ts';
import { CairnError, RunCancelledError, RunFailedError } from '../errors.ts';
import { newRunId } from '../storage/run-id.ts';
import type { DurableStore, PauseReason, RunUsage } from '../storage/types.ts';
import type { DefineAgentOptions } from './agent-options.ts';
import { resolveApprovalId } from './approval-ids.ts';
import type { AgentInput } from './conversation.ts';
import { type AgentWorkflow, defineAgent } from './define-agent.ts';

/** Options of `new Agent` / `createAgent`: the agent's definition, its store, and runtime settings. */
export interface AgentOptions<O = string> extends Omit<DefineAgentOptions<O>, 'name'> {
  /** Workflow name of the runs (default `agent`). Runs resume only under the same name. */
  name?: string;
  store: DurableStore;
  /** Anything else `createRuntime` takes (owner, leaseMs, retry, debug, onEvent, clock…). */
  runtime?: Omit<CreateRuntimeOptions, 'store' | 'workflows'>;
}

/** Per-call options of `run`, `resume` and `approve`. */
export interface AgentRunOptions {
  /** Streamed text of this run's model calls, as it arrives. */
  onTextDelta?: (delta: string) => void;
  /** Abort → the run is cancelled (the model request and running tools see their signals abort). */
  signal?: AbortSignal;
}

/** How `run` starts (or finds) its run. */
export interface AgentStartOptions {
  runId?: string;
  /**
   * The same key with the same input is the same run: a second `run` hands back the first run's
   * result (or waits for it) instead of starting another.
   */
  idempotencyKey?: string;
  /**
   * When the run of `idempotencyKey` (or `runId`) exists and has failed: `true` retries it in place
   * (the seeds' `continue_run_async(task=…)`); default `false` rethrows its `RunFailedError`, as an
   * idempotent call answers with the first call's outcome.
   */
  retryFailed?: boolean;
}

/** Where a run stands when `run`, `resume` or `approve` return. A failed run throws instead. */
export type AgentResult<O> =
  | { status: 'completed'; runId: string; output: O; usage: RunUsage }
  | {
      status: 'paused';
      runId: string;
      output: undefined;
      pauseReason: PauseReason | null;
      /** What waits for a decision: tool calls (`details.kind === 'tool-call'`) and budget raises. */
      pendingApprovals: PendingApproval[];
      usage: RunUsage;
    }
  /** Another process drives the run right now (it holds the lease). */
  | { status: 'running'; runId: string; output: undefined; usage: RunUsage };

/** Tokens per model step and the run's totals (including tokens saved by replay). */
export interface UsageLedger {
  steps: Array<{ stepId: string; at: number; inputTokens: number; outputTokens: number; durationMs?: number; attempts?: number }>;
  total: RunUsage;
}

/** An agent with its own runtime. */
export interface Agent<O = string> {
  readonly name: string;
  readonly workflow: AgentWorkflow<O>;
  readonly runtime: Runtime;
  /** Start a run and wait until it completes or pauses. Throws `RunFailedError` (with `runId`) if it fails. */
  run(input: AgentInput, options?: AgentRunOptions & AgentStartOptions): Promise<AgentResult<O>>;
  /**
   * Continue a run (after a crash, a restart or in another process) until it completes or pauses.
   * A `failed` run is retried in place (`runtime.retry`, recorded as `by: 'agent.resume'`): completed
   * model calls and tools are replayed, the failed step runs again. A cancelled run stays cancelled.
   */
  resume(runId: string, options?: AgentRunOptions): Promise<AgentResult<O>>;
  /**
   * Decide a pending approval and continue the run: its `approvalId` from `pendingApprovals`
   * (`budget#n` for a budget raise), or a pending tool call's `callId` (ADR 0066).
   */
  approve(runId: string, approvalId: string, decision: ApprovalInput, options?: AgentRunOptions): Promise<AgentResult<O>>;
  /** The usage ledger of a run. */
  ledger(runId: string): Promise<UsageLedger>;
  /**
   * Drive this agent's runs in the background: take over runs of dead or stopped processes, wake due
   * ones, pick up queued ones (`runtime.serve`). `stop()` drains and releases its leases.
   */
  serve(options?: ServeOptions): Server;
  /** Stop driving runs (they stay resumable; their leases are released). Does not close the store. */
  close(): Promise<void>;
}

/** `new Agent(options)`. */
export interface AgentConstructor {
  new <O = string>(options: AgentOptions<O>): Agent<O>;
}

/**
 * Create an agent with its own runtime over `options.store`.
 *
 * @example
 * const agent = createAgent({ model, tools: [add], instructions: 'Use the tools.', store: createMemoryStore() });
 * const result = await agent.run('What is 2 + 3?');
 * if (result.status === 'completed') console.log(result.output);
 */
export function createAgent<O = string>(options: AgentOptions<O>): Agent<O> {
  const { store, runtime: runtimeOptions, name, ...definition } = options;
  const workflow = defineAgent<O>({ ...definition, name: name ?? 'agent' });
  const watchers = new Map<string, Set<(event: RunEvent) => void>>();
  const runtime = createRuntime({
    ...runtimeOptions,
    store,
    workflows: [workflow],
    onEvent(event) {
      runtimeOptions?.onEvent?.(event);
      for (const watcher of watchers.get(event.runId) ?? []) watcher(event);
    },
  });

  function watch(runId: string, callOptions: AgentRunOptions): () => void {
    const { onTextDelta, signal } = callOptions;
    const watcher = (event: RunEvent): void => {
      if (event.type === 'text-delta') onTextDelta?.(event.delta);
    };
    const set = watchers.get(runId) ?? new Set();
    set.add(watcher);
    watchers.set(runId, set);
    const onAbort = (): void => void runtime.cancel(runId, { reason: 'aborted by the caller' }).catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    return () => {
      set.delete(watcher);
      if (set.size === 0) watchers.delete(runId);
      signal?.removeEventListener('abort', onAbort);
    };
  }

  async function settle(runId: string): Promise<AgentResult<O>> {
    const info = await runtime.handle(runId).settled();
    switch (info.status) {
      case 'completed':
        return { status: 'completed', runId, output: info.output as O, usage: info.usage };
      case 'paused':
        return {
          status: 'paused',
          runId,
          output: undefined,
          pauseReason: info.pauseReason,
          pendingApprovals: info.pendingApprovals ?? [],
          usage: info.usage,
        };
      case 'running':
        return { status: 'running', runId, output: undefined, usage: info.usage };
      case 'cancelled':
        throw new RunCancelledError(`[@cairn/core] run "${runId}" was cancelled`);
      case 'failed': {
        const cause = info.error ? deserializeError(info.error) : undefined;
        throw new RunFailedError(runId, `[@cairn/core] run "${runId}" failed: ${cause?.message ?? 'unknown error'}`, { cause });
      }
    }
  }

  /** Retry `runId` in place when it has failed; true when it was failed (retried here or by a racing caller). */
  async function retryIfFailed(runId: string, by: string): Promise<boolean> {
    if ((await runtime.get(runId)).status !== 'failed') return false;
    try {
      await runtime.retry(runId, { by });
    } catch (error) {
      // Another caller retried it first, or it moved on: settle on whatever it is now.
      if (!CairnError.is(error, 'lease-held') && !CairnError.is(error, 'run-not-retryable')) throw error;
    }
    return true;
  }

  async function driven(runId: string, callOptions: AgentRunOptions, begin: () => Promise<unknown>): Promise<AgentResult<O>> {
    const stop = watch(runId, callOptions);
    try {
      await begin();
      return await settle(runId);
    } finally {
      stop();
    }
  }

  const agent: Agent<O> = {
    name: workflow.name,
    workflow,
    runtime,
    async run(input, runOptions = {}) {
      const { runId: given, idempotencyKey, retryFailed, ...callOptions } = runOptions;
      // A failed run of this key (or id) is retried in place only when asked, and only if it had
      // failed before this call: a run that fails during this call is not retried behind the caller's back.
      const existingId =
        retryFailed === true
          ? (given ?? (idempotencyKey !== undefined ? await idempotentRunId(idempotencyKey) : undefined))
          : undefined;
      const failedBefore = existingId !== undefined && (await store.getRun(existingId))?.status === 'failed';
      if (idempotencyKey !== undefined && given === undefined) {
        // The runtime derives the id from the key; watch once it is known.
        const handle = await runtime.start(workflow, input, { idempotencyKey });
        return driven(handle.runId, callOptions, async () => {
          if (failedBefore) await retryIfFailed(handle.runId, 'agent.run');
        });
      }
      const runId = given ?? newRunId(runtimeOptions?.clock?.now() ?? Date.now());
      return driven(runId, callOptions, async () => {
        try {
          await runtime.start(workflow, input, { runId, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
        } catch (error) {
          if (!(failedBefore && CairnError.is(error, 'run-exists'))) throw error;
        }
        if (failedBefore) await retryIfFailed(runId, 'agent.run');
      });
    },
    resume(runId, callOptions = {}) {
      return driven(runId, callOptions, async () => {
        if (await retryIfFailed(runId, 'agent.resume')) return;
        try {
          await runtime.resume(runId);
        } catch (error) {
          if (!CairnError.is(error, 'lease-held')) throw error;
        }
      });
    },
    async approve(runId, approvalId, decision, callOptions = {}) {
      const id = resolveApprovalId((await runtime.get(runId)).pendingApprovals ?? [], approvalId);
      return driven(runId, callOptions, () => runtime.approve(runId, id, decision));
    },
    async ledger(runId) {
      const [history, info] = await Promise.all([runtime.history(runId), runtime.get(runId)]);
      const steps = history
        .filter((item) => item.kind === 'step-end' && item.usage)
        .map((item) => ({
          stepId: item.key,
          at: item.at,
          inputTokens: item.usage!.inputTokens,
          outputTokens: item.usage!.outputTokens,
          ...(item.durationMs !== undefined ? { durationMs: item.durationMs } : {}),
          ...(item.attempts !== undefined ? { attempts: item.attempts } : {}),
        }));
      return { steps, total: info.usage };
    },
    serve: (serveOptions) => runtime.serve(serveOptions),
    close: () => runtime.close(),
  };
  return agent;
}

/**
 * `new Agent(options)`: the same as `createAgent(options)`.
 *
 * @example
 * const agent = new Agent({ model, tools: [lookupOrder], store, instructions: 'Help with orders.' });
 * const result = await agent.run('Where is order 42?');
 */
export const Agent: AgentConstructor = function Agent<O>(options: AgentOptions<O>): Agent<O> {
  return createAgent(options);
} as unknown as AgentConstructor;
